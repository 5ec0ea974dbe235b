"""The claims ledger: the list, the mechanism, and proof that verdicts are computed, not typed."""
from __future__ import annotations

import html
import inspect
import re

import pytest
from hypothesis import given, strategies as st

from waferscale.data import catalog as C
from waferscale import claims
from waferscale.claims import CHAPTERS, CLAIMS, Status, Verdict
from waferscale.claims.registry import C07_EVENTS


def test_at_least_fifteen_claims_with_unique_ids():
    ids = [c.id for c in CLAIMS]
    assert len(ids) >= 15 and len(set(ids)) == len(ids)


def test_every_claim_names_a_chapter_and_a_verdict_function():
    for c in CLAIMS:
        assert c.chapter in CHAPTERS, c.id
        assert callable(c.verdict) and c.paraphrase and c.quote
        assert len(c.quote.split()) <= 12, f"{c.id}: quote at most a short phrase"


def test_quotes_come_from_the_article(root):
    article = (root.parent / "shared" / "reference" / "seed_article.md")
    if not article.exists():
        pytest.skip("shared/reference is not beside this checkout")
    text = article.read_text().replace("“", "'").replace("”", "'").replace("’", "'").lower()
    for c in CLAIMS:
        assert c.quote.lower().replace("→", "→") in text or c.quote.lower().replace("'", "") in text.replace("'", ""), c.id


def test_ledger_has_both_quantitative_and_qualitative():
    kinds = {c.kind for c in CLAIMS}
    assert kinds == {"quantitative", "qualitative"}


def test_every_verdict_function_returns_a_verdict(cat):
    for c in CLAIMS:
        v = claims.evaluate(c.id, cat)
        assert isinstance(v, Verdict) and isinstance(v.status, Status)
        assert v.status is not Status.PENDING, f"{c.id}: every claim of the ledger is computed"
        assert v.figure is not None and v.basis in {"model", "catalog data", "historical record"}
        assert v.sources, f"{c.id}: a computed verdict names its sources"
        assert (v.status is Status.EVIDENCE) == (v.basis == "historical record"), c.id


def test_every_verdict_has_label_unit_scenario_and_a_sentence(cat):
    """The ledger row says what the figure is, in what unit, under which scenario; prose gets a full sentence."""
    for c in CLAIMS:
        v = claims.evaluate(c.id, cat)
        assert v.label and v.scenario and v.figure_text, c.id
        assert v.sentence.endswith(".") and (v.sentence[0].isupper() or v.sentence[0] in "0123456789'"), c.id
        # no dangling condition ("holds only if, as a limit ...") and no e-notation in prose
        assert "only if," not in v.sentence and "only if." not in v.sentence, c.id
        assert not re.search(r"\de[+-]?\d", v.sentence + v.detail + v.figure_text), c.id


def test_c07_is_historical_evidence_listing_its_events(cat):
    v = claims.evaluate("C07", cat)
    assert v.status is Status.EVIDENCE and v.figure == len(C07_EVENTS)
    for e in C07_EVENTS:
        title = cat.events.set_index("id").loc[e, "title"]
        assert title in v.detail


def test_c07_negative_control_without_events(cat):
    """Without its events the verdict cannot stand: it says the catalog lacks them."""
    import dataclasses

    bare = dataclasses.replace(cat, events=cat.events[~cat.events["id"].isin(C07_EVENTS)])
    from waferscale.claims.registry import _c07_software_record

    assert _c07_software_record(bare).status is Status.PENDING


@pytest.mark.parametrize("value,unit,text", [
    (17.244, "x", "17.2x"), (1.0e17, "x", "1 × 10¹⁷x"), (0.8777, "", "87.8 %"), (9.4e-22, "", "9.4 × 10⁻²²"),
    (4.0, " of 5 reasons", "4 of 5 reasons"), (78.947, "%", "78.9 %"), (None, "x", ""), (2333.0, "x", "2,333x"),
])
def test_format_quantity_known_values(value, unit, text):
    from waferscale.claims.base import format_quantity

    assert format_quantity(value, unit) == text


@given(st.floats(min_value=-1e30, max_value=1e30, allow_nan=False), st.sampled_from(["x", "", "%", " wafers"]))
def test_format_quantity_never_prints_e_notation(value, unit):
    from waferscale.claims.base import format_quantity

    assert not re.search(r"\de[+-]?\d", format_quantity(value, unit))


def test_ledger_html_shows_figure_label_and_scenario_in_every_row(cat):
    df = claims.ledger(cat)
    page = claims.ledger_html(df)
    for r in df.itertuples():
        row = page.split(f'<tr data-claim="{r.id}"', 1)[1].split("</tr>", 1)[0]
        assert f'data-figure="{float(r.figure):.6g}"' in row, r.id
        for part in (r.figure_text, r.label, r.scenario):
            assert html.escape(part, quote=True) in row, r.id
    assert "1e+" not in page and "e-0" not in page


def test_ledger_table(cat):
    df = claims.ledger(cat)
    assert list(df["id"]) == [c.id for c in CLAIMS]
    assert set(df["verdict"]) <= {s.value for s in Status}
    assert (df["verdict"] != Status.PENDING.value).sum() >= 5


def test_unknown_claim_is_a_clear_error():
    with pytest.raises(ValueError, match="claim_id='C99'"):
        claims.claim("C99")


def test_verdict_functions_hold_no_result_literals():
    """The claimed numbers may only be read from the Claim, never written into a verdict's arithmetic."""
    for c in CLAIMS:
        if c.claimed is None:
            continue
        src = inspect.getsource(c.verdict)
        assert repr(c.claimed) not in src and f"{c.claimed:g}" not in src.replace("0.25", ""), c.id


# -- verdicts move with the data ----------------------------------------------------------------
def _edit(path, old, new):
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def _row_value(data, file, startswith):
    for line in (data / file).read_text().splitlines():
        if line.startswith(startswith):
            return line
    raise AssertionError(f"no row starting {startswith!r} in {file}")


def test_c01_is_a_prediction_its_baseline_row_moves_only_the_measured_ratio(data_copy, cat):
    """C01's H100 row is validation: editing it must not move the model's ratio (never fitted to it), only the
    measured ratio shown beside it. Negative control: editing a GPU calibration row does move the model."""
    from waferscale.claims import performance as pc

    base, h0 = claims.evaluate("C01", cat), pc.headline(cat)
    row = "h100_best_llama31_8b_2024"
    line = _row_value(data_copy, "measurements.csv", row + ",")
    cells = line.split(",")
    cells[6] = repr(float(cells[6]) / 2.0)
    _edit(data_copy / "measurements.csv", line, ",".join(cells))
    moved_cat = C.load(data_copy)
    moved, h1 = claims.evaluate("C01", moved_cat), pc.headline(moved_cat)
    assert moved.basis == "model" and moved.figure == base.figure
    assert h1["c01_measured"] == pytest.approx(2 * h0["c01_measured"])
    from waferscale.fit import servefit as sf
    assert sf._catalog_stamp(moved_cat) == sf._catalog_stamp(cat)
    import dataclasses
    m = cat.measurements.copy()
    m.loc[m["id"] == "trt017_h100_llama31_8b_1k1k", "value"] /= 2          # a fitted (calibration) row
    assert sf._catalog_stamp(dataclasses.replace(cat, measurements=m)) != sf._catalog_stamp(cat)


def test_c21_power_density_flips_with_wafer_power(data_copy, cat):
    base = claims.evaluate("C21", cat)
    line = _row_value(data_copy, "systems.csv", "cs3,system_power_w,")
    cells = line.split(",")
    # ten times the power per wafer: the wafer's flux now exceeds the GPU's
    for i in (2, 3, 4):
        if cells[i]:
            cells[i] = repr(float(cells[i]) * 10.0)
    _edit(data_copy / "systems.csv", line, ",".join(cells))
    moved = claims.evaluate("C21", C.load(data_copy))
    assert moved.figure == pytest.approx(base.figure * 10)
    assert base.status is Status.FAILS and moved.status is Status.HOLDS
