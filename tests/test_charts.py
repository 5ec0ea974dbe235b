"""The chart theme and the offline, deterministic renderer."""
from __future__ import annotations

import re

import altair as alt
import pandas as pd
import pytest

from waferscale.book import charts, labels


def _chart(title="Finding"):
    df = pd.DataFrame({"x": [1, 2, 3], "y": [3, 1, 2]})
    base = alt.Chart(df).mark_line().encode(x=alt.X("x:Q", title="size (bytes)"), y=alt.Y("y:Q", title="time (s)"))
    return charts.finish(base, title=title, sources="Sources: test [derived]")


def test_renderer_is_deterministic_and_offline():
    a = charts.render(_chart().to_dict())
    b = charts.render(_chart().to_dict())
    # same spec -> same id stem; the second display of the same spec in a kernel gets a suffix
    ida = re.search(r'id="(ws-chart-[0-9a-f]{12})"', a["text/html"]).group(1)
    idb = re.search(r'id="(ws-chart-[0-9a-f]{12}(?:-\d+)?)"', b["text/html"]).group(1)
    assert idb.startswith(ida)
    html = a["text/html"]
    assert "cdn" not in html.lower() and "http://" not in html and "<script src" not in html
    assert not re.search(r"altair-viz-[0-9a-f]{32}", html)
    assert any(k.startswith("application/vnd.vegalite.v") for k in a)


def test_different_charts_get_different_ids():
    a = charts.render(_chart("One finding").to_dict())["text/html"]
    b = charts.render(_chart("Another finding").to_dict())["text/html"]
    assert re.search(r'id="(ws-chart-\w+)', a).group(1) != re.search(r'id="(ws-chart-\w+)', b).group(1)


def test_script_cannot_close_early():
    df = pd.DataFrame({"label": ["</script><b>"], "v": [1]})
    spec = alt.Chart(df).mark_bar().encode(x="v:Q", y="label:N").to_dict()
    html = charts.render(spec)["text/html"]
    assert html.count("</script>") == 1


def test_finish_requires_a_finding_and_sources():
    base = alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q")
    with pytest.raises(ValueError, match="title"):
        charts.finish(base, title=" ", sources="Sources: x")
    with pytest.raises(ValueError, match="sources"):
        charts.finish(base, title="A finding", sources="")


def test_theme_is_colour_blind_safe_and_enabled():
    assert alt.theme.active == "waferscale"
    assert alt.renderers.active == "waferscale"
    assert charts.theme()["config"]["range"]["category"][:3] == ["#0072B2", "#E69F00", "#009E73"]


def test_source_line_names_sources_and_grades(cat):
    row = cat.systems[cat.systems["system"] == "h100_sxm"].head(2)
    line = charts.source_line(row[["source", "grade"]], cat)
    assert line.startswith("Sources: ") and "[" in line


def test_bundle_is_written_once_and_sets_vegaembed(tmp_path):
    out = charts.write_bundle(tmp_path)
    text = out.read_text()
    assert "window.vegaEmbed" in text and len(text) > 100_000
    mtime = out.stat().st_mtime_ns
    charts.write_bundle(tmp_path)
    assert out.stat().st_mtime_ns == mtime


def test_every_finished_chart_carries_a_text_alternative_with_its_sources():
    spec = _chart("Yield falls with area").to_dict()
    assert spec["description"] == "Yield falls with area. Sources: test [derived]."
    html = charts.render(spec)["text/html"]
    label = re.search(r'aria-label="([^"]*)"', html).group(1)
    assert label == "Yield falls with area. Sources: test [derived]."
    assert 'tabindex="0"' in html  # a chart wider than the column can be reached and scrolled by keyboard


def test_text_alternative_keeps_subtitle_and_an_explicit_description_wins():
    base = alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q")
    c = charts.finish(base, title="A finding", subtitle=["how to read it", "log axis"], sources="Sources: x [derived]")
    assert c.to_dict()["description"] == "A finding. how to read it. log axis. Sources: x [derived]."
    c = charts.finish(base, title="A finding", sources="Sources: x", description="Custom text.")
    assert c.to_dict()["description"] == "Custom text."


# -- readable axes, labels and source lines --------------------------------------------------------
def _svg_text(chart) -> list[str]:
    """The text of every label the chart draws, compiled and drawn by the pinned Vega (vl-convert)."""
    import html as _html

    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(chart.to_dict())
    return [_html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def _log_chart(lo, hi, axis):
    import numpy as np

    df = pd.DataFrame({"x": np.geomspace(lo, hi, 20), "y": np.linspace(0, 1, 20)})
    return alt.Chart(df).mark_line().encode(x=alt.X("x:Q", scale=alt.Scale(type="log"), axis=axis), y="y:Q")


def test_power_labels_write_powers_of_ten_as_a_reader_does():
    text = _svg_text(_log_chart(1e-28, 1.0, alt.Axis(labelExpr=labels.power_labels())))
    assert "10⁻²⁸" in text and "1" in text and "10⁻⁴" in text
    assert not any("e-" in t or "e+" in t for t in text), text
    # negative control: the default format writes 1e-28
    plain = _svg_text(_log_chart(1e-28, 1.0, alt.Axis(format="~e")))
    assert any("e-28" in t for t in plain), plain


def test_si_labels_give_a_prefix_and_a_unit():
    text = _svg_text(_log_chart(1e-9, 1.0, alt.Axis(labelExpr=labels.si_labels("s"), values=[1e-9, 1e-8, 1e-6, 1e-3, 1])))
    assert {"1 ns", "10 ns", "1 µs", "1 ms", "1 s"} <= set(text), text
    size = _svg_text(_log_chart(1, 1e10, alt.Axis(labelExpr=labels.si_labels("B"), values=[1, 1e3, 1e6, 1e9])))
    assert {"1 B", "1 kB", "1 MB", "1 GB"} <= set(size), size
    # decades=True leaves the ticks between powers of ten unlabelled
    dec = _svg_text(_log_chart(1e-6, 1e-3, alt.Axis(labelExpr=labels.si_labels("s", decades=True))))
    assert "1 µs" in dec and not any(t.startswith(("2 ", "5 ")) for t in dec), dec


def test_pow10_text_and_short_label():
    assert labels.pow10_text(1e-30) == "10⁻³⁰" and labels.pow10_text(1) == "1" and labels.pow10_text(10) == "10"
    assert labels.pow10_text(3e-3) == "0.003"  # not a power of ten: digits
    long = "Dense LLM training (70B, 1M tokens/step)"
    assert labels.short_label(long, 100) == long
    cut = labels.short_label(long, 24)
    assert len(cut) <= 24 and cut.endswith("…") and long.startswith(cut[:-1])


def test_a_long_source_list_becomes_one_line_with_the_list_on_hover():
    many = "Sources: " + "; ".join(f"Author{i} (20{i:02d}) [spec sheet]" for i in range(8))
    line, items = labels.compact_sources(many, 80)
    assert line == "Sources: 8 (spec sheet); hover for the list" and len(items) == 8
    short = "Sources: Seeds (1967) [peer-reviewed]"
    assert labels.compact_sources(short, 80) == (short, ["Seeds (1967) [peer-reviewed]"])
    spec = charts.finish(_log_chart(1, 10, alt.Axis()), title="A finding", sources=many).to_dict()
    footer = spec["vconcat"][1]
    assert footer["height"] == 14 and footer["data"]["values"][0]["line"] == line
    assert footer["data"]["values"][0]["full"].count("\n") == 7  # the tooltip: one source a line
    assert "Author7 (2007)" in spec["description"]  # the text alternative keeps the whole list


def test_the_renderer_scales_a_chart_to_the_column():
    html = charts.render(_chart().to_dict())["text/html"]
    assert 'svg.style.width = "100%"' in html and "maxWidth" in html and "minWidth" in html


# -- tables a reader can read (waferscale.book.tables) ---------------------------------------------
def test_table_cells_are_formatted_for_their_quantity():
    from waferscale.book.tables import cell

    assert [cell(v) for v in (8000000.0, 1e4, 0.015312, -31.0, 1e-28, 4.4e9, 2.0)] == [
        "8,000,000", "10,000", "0.0153", "−31", "1 × 10⁻²⁸", "4.4 × 10⁹", "2"]
    assert [cell(v) for v in (float("nan"), None, "", "–", "nan")] == ["—"] * 5
    assert cell("1.3–1.3") == "1.3" and cell("0.011–0.1") == "0.011–0.1"  # a degenerate band is one number
    assert cell("third_party") == "third party" and cell("derived / uncertain") == "derived / uncertain"
    assert cell(True) == "yes"


def test_show_gives_human_headers_names_and_a_scroll_box(cat):
    from waferscale.book import tables

    df = pd.DataFrame({"system": ["cs1"], "tokens_per_s": [511.0], "price_usd": [6240000.0], "grade": ["vendor_claim"],
                       "note": [float("nan")], "id": ["row_1"]})
    html = tables.show(df, names=["system"], ids=["id"], catalog=cat, label="test")
    for want in ("tokens/s", "price (USD)", "6,240,000", "511", "vendor claim", "—", "<code>row_1</code>",
                 cat.name("cs1"), 'class="ws-table-scroll" tabindex="0" role="region" aria-label="rows of test"'):
        assert want in html, want
    for bad in ("NaN", "6240000.0", "vendor_claim", "tokens_per_s", "e+0"):
        assert bad not in html, bad
    # negative control: pandas' own HTML shows what the check rules out
    raw = df.to_html(index=False)
    assert "NaN" in raw and "6240000.0" in raw and "tokens_per_s" in raw
    with pytest.raises(ValueError, match="names/ids"):
        tables.show(df, names=["no_such_column"])
