"""One number per claim: every page shows, for each claim it quotes, the ledger's own verdict.

Pages glue a claim's verdict with :func:`waferscale.book.glue.glue_claim`, under the standard keys
``claim_<ID>_<part>`` (:func:`waferscale.book.glue.claim_key`). This test reads the glued values stored in each
chapter notebook and compares every one with :func:`waferscale.claims.evaluate` on the catalog: a page whose
figure, text, label, unit, status or sentence for a claim differs from the ledger's fails. It also requires every
chapter that uses the keys to glue each claim it tests, and checks the ledger tables pages print
(``data-figure`` of each row).

Chapters that do not yet glue their claims under the standard keys are listed in :data:`PENDING_PAGES`
(explicitly, not as xfail): remove a page from the list when it adopts the keys, and the test then holds it to them.
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from waferscale import claims
from waferscale.book.glue import CLAIM_PARTS, claim_key
from waferscale.core.digits import round_floats

from conftest import ROOT

CHAPTERS = ROOT / "chapters"

#: Chapter notebooks that do not yet glue their claims with ``glue_claim`` (other issues own them). Each entry is
#: the docname; the lead removes it once that chapter's claims are glued under the standard keys.
PENDING_PAGES: dict[str, str] = {}

_KEY = re.compile(r"^claim_(C\d\d)_(" + "|".join(CLAIM_PARTS) + r")$")
_ROW = re.compile(r'<tr data-claim=\\?"(C\d\d)\\?" data-figure=\\?"([^"\\]*)\\?"')


def glued_values(nb_path: Path) -> list[tuple[str, object]]:
    """Every ``(name, value)`` a notebook's stored outputs glue, in order (duplicates kept)."""
    import ast

    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    out = []
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            sb = o.get("metadata", {}).get("scrapbook")
            if not sb:
                continue
            data, prefix = o.get("data", {}), sb.get("mime_prefix", "")
            md, text = data.get(prefix + "text/markdown"), data.get(prefix + "text/plain")
            if md is not None:   # a Markdown value (a sentence the prose quotes with {eval}): its text
                out.append((sb["name"], "".join(md) if isinstance(md, list) else md))
                continue
            if text is None:
                continue
            text = "".join(text) if isinstance(text, list) else text
            try:
                value = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                value = text
            out.append((sb["name"], value))
    return out


def ledger_rows(nb_path: Path) -> list[tuple[str, str]]:
    """``(claim id, data-figure)`` of every ledger row a notebook's stored HTML outputs print."""
    return _ROW.findall(nb_path.read_text(encoding="utf-8"))


def expected(v: claims.Verdict) -> dict[str, object]:
    """What ``glue_claim`` stores for verdict ``v`` (floats rounded as the book's glue rounds them)."""
    return round_floats({"figure": None if v.figure is None else float(v.figure), "text": v.figure_text,
                         "label": v.label, "unit": v.unit, "status": v.status.value, "sentence": v.sentence,
                         "scenario": v.scenario, "detail": v.detail})


def mismatches(nb_path: Path, verdicts: dict[str, claims.Verdict]) -> list[str]:
    """Every claim value the page shows that differs from the ledger's, as readable lines."""
    bad = []
    for name, value in glued_values(nb_path):
        m = _KEY.match(name)
        if not m:
            continue
        cid, part = m.groups()
        if cid not in verdicts:
            bad.append(f"{nb_path.stem}: {name} names no claim of the ledger")
            continue
        want = expected(verdicts[cid])[part]
        same = (isinstance(want, float) and isinstance(value, (int, float))
                and math.isclose(float(value), want, rel_tol=1e-9)) or value == want
        if not same:
            bad.append(f"{nb_path.stem}: {name} = {value!r}, the ledger's is {want!r}")
    for cid, fig in ledger_rows(nb_path):
        want = verdicts[cid].figure
        if (want is None) != (fig == "") or (want is not None and not math.isclose(float(fig), float(f"{want:.6g}"))):
            bad.append(f"{nb_path.stem}: ledger row {cid} prints figure {fig!r}, the ledger's is {want!r}")
    return bad


@pytest.fixture(scope="module")
def verdicts(cat) -> dict[str, claims.Verdict]:
    return {c.id: claims.evaluate(c.id, cat) for c in claims.CLAIMS}


PAGES = sorted(CHAPTERS.glob("*.ipynb"))
ADOPTED = [p for p in PAGES if p.stem not in PENDING_PAGES]


def test_pending_list_names_real_chapters_that_have_not_adopted_the_keys():
    names = {p.stem for p in PAGES}
    assert set(PENDING_PAGES) <= names, "a pending entry names no chapter notebook"
    for stem in PENDING_PAGES:
        keys = [n for n, _ in glued_values(CHAPTERS / f"{stem}.ipynb") if _KEY.match(n)]
        assert not keys, f"{stem} glues {keys[:3]}...: it adopted the standard keys, remove it from PENDING_PAGES"


@pytest.mark.parametrize("nb", ADOPTED, ids=lambda p: p.stem)
def test_every_claim_a_page_shows_is_the_ledgers(nb, verdicts):
    bad = mismatches(nb, verdicts)
    assert not bad, "a page shows a claim with values other than the ledger's:\n" + "\n".join(bad)


@pytest.mark.parametrize("nb", ADOPTED, ids=lambda p: p.stem)
def test_a_claim_is_glued_once_per_page(nb):
    names = [n for n, _ in glued_values(nb) if _KEY.match(n)]
    dup = sorted({n for n in names if names.count(n) > 1})
    assert not dup, f"{nb.stem} glues {dup} twice: two evaluations of one claim on one page"


@pytest.mark.parametrize("nb", [p for p in ADOPTED if p.stem in {c.chapter for c in claims.CLAIMS}], ids=lambda p: p.stem)
def test_a_chapter_glues_every_claim_it_tests(nb):
    names = {n for n, _ in glued_values(nb)}
    mine = [c.id for c in claims.CLAIMS if c.chapter == nb.stem]
    missing = [cid for cid in mine for part in CLAIM_PARTS if claim_key(cid, part) not in names]
    assert not missing, f"{nb.stem} does not glue {sorted(set(missing))} under the standard keys (glue_claim)"


def test_the_intro_glues_and_prints_every_claim(verdicts):
    intro = CHAPTERS / "intro.ipynb"
    names = {n for n, _ in glued_values(intro)}
    assert all(claim_key(cid, "figure") in names for cid in verdicts)
    assert [cid for cid, _ in ledger_rows(intro)] == list(verdicts)


def test_negative_control_an_altered_c12_figure_fails(tmp_path, verdicts):
    """A copy of the communication chapter whose glued C12 figure is changed is caught, and so is a changed
    ledger row; the untouched copy passes."""
    src = CHAPTERS / "communication.ipynb"
    nb = json.loads(src.read_text(encoding="utf-8"))
    good = tmp_path / "communication.ipynb"
    good.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert mismatches(good, verdicts) == []
    found = False
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            sb = o.get("metadata", {}).get("scrapbook")
            if sb and sb["name"] == claim_key("C12", "figure"):
                key = sb["mime_prefix"] + "text/plain"
                o["data"][key] = repr(float(o["data"][key]) * 1.25)
                found = True
    assert found, "the communication chapter glues no C12 figure"
    bad = tmp_path / "bad" / "communication.ipynb"
    bad.parent.mkdir()
    bad.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert any("claim_C12_figure" in line for line in mismatches(bad, verdicts))
    # a ledger row printing another figure is caught too
    text = good.read_text(encoding="utf-8")
    want = f"{verdicts['C12'].figure:.6g}"
    assert f'data-figure=\\"{want}\\"' in text
    row = tmp_path / "row" / "communication.ipynb"
    row.parent.mkdir()
    row.write_text(text.replace(f'data-figure=\\"{want}\\"', 'data-figure=\\"19\\"'), encoding="utf-8")
    assert any("ledger row C12" in line for line in mismatches(row, verdicts))
