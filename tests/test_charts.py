"""The chart theme and the offline, deterministic renderer."""
from __future__ import annotations

import re

import altair as alt
import pandas as pd
import pytest

from waferscale.book import charts


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
