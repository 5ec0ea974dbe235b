"""The data appendix: every catalog table rendered in full, with grades, sources linked, deterministic HTML."""
from __future__ import annotations

import re

import pytest
import yaml

from waferscale.book import appendix as ap
from waferscale.data.catalog import GRADES, TABLES as CATALOG_TABLES

from conftest import ROOT


@pytest.mark.parametrize("table", list(ap.TABLES))
def test_every_row_is_rendered_with_grade_and_linked_source(cat, table):
    df = ap.table_frame(cat, table)
    html = ap.table_html(cat, table)
    source = getattr(cat, ap.TABLES[table][0])
    if table.endswith("_entities"):
        assert len(df) == int((source["table"] == table.split("_")[0] + "s").sum())
    else:
        assert len(df) == len(source)
    assert html.count("<tr") == len(df) + 1  # header row + one per catalog row
    if "grade" in df.columns:
        assert set(df["grade"]) <= set(GRADES)
        assert html.count("data-grade=") == len(df)
        for key in {k for ks in df["source"] for k in ks.split(";")}:
            assert f'href="../references.html#{ap.bib_anchor(key)}"' in html
        # the filter offers each grade present, with its count, and starts hidden until the script runs
        for g, n in df["grade"].value_counts().items():
            assert f'<option value="{g}">{GRADES[g]} ({n})</option>' in html
        assert '<p class="catalog-filter" hidden>' in html
    for col in ("value", "unit", "source", "date", "grade"):
        if table not in ("system_entities", "link_entities", "topology"):
            assert col in df.columns
    assert ap.table_html(cat, table) == html  # deterministic
    assert not re.search(r"[0-9a-f]{32}", html)


def test_values_are_the_catalogs(cat):
    df = ap.table_frame(cat, "systems")
    row = df[(df["system"] == "h100_sxm") & (df["field"] == "hbm_bytes_per_s")].iloc[0]
    fact = cat.fact("h100_sxm", "hbm_bytes_per_s")
    assert float(row["value"]) == pytest.approx(fact.value, rel=1e-3)
    assert (row["unit"], row["source"], row["grade"], row["as written"]) == (fact.unit, fact.source, fact.grade, fact.raw)


def test_every_catalog_table_has_a_page_and_every_page_its_directives():
    on_pages = {t for _, tables in ap.PAGES.values() for t, _ in tables}
    assert on_pages == set(ap.TABLES)
    assert {ap.TABLES[t][0] for t in on_pages} >= set(CATALOG_TABLES) | {"entities", "topology"}
    for page, (title, tables) in ap.PAGES.items():
        text = (ROOT / "chapters" / "appendix" / f"{page}.md").read_text(encoding="utf-8")
        assert text.startswith(f"# {title}\n")
        assert re.findall(r"```\{catalog-table\} (\w+)", text) == [t for t, _ in tables]
    assert "```{catalog-index}" in (ROOT / "chapters" / "appendix" / "index.md").read_text(encoding="utf-8")


def test_index_counts_rows_and_grades(cat):
    idx = ap.index_frame(cat).set_index("table")
    counts = cat.grade_counts()
    for r in counts.itertuples():
        assert idx.loc[r.table, r.grade] == r.rows
    assert idx.loc["systems", "rows"] == len(cat.systems)
    html = ap.index_html(cat)
    assert 'href="systems.html#catalog-systems"' in html and str(int(idx["rows"].sum())) in html


def test_bibliography_anchor_matches_the_config():
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert cfg["sphinx"]["config"]["bibtex_cite_id"] == ap.BIB_CITE_ID
    assert "waferscale.book.appendix" in cfg["sphinx"]["extra_extensions"]
    assert ap.bib_anchor("nvidia2022h100whitepaper") == "cite-nvidia2022h100whitepaper"


def test_appendix_pages_are_in_the_toc():
    from conftest import toc_files

    toc = toc_files()
    for page in ["index", *ap.PAGES, "add_a_chip"]:
        assert f"chapters/appendix/{page}" in toc
    assert "chapters/cli" in toc
    assert toc.index("chapters/appendix/index") > toc.index("chapters/lasting_idea")


def test_unknown_table_is_refused(cat):
    with pytest.raises(ValueError, match="table='gizmos'.*allowed: system_entities"):
        ap.table_html(cat, "gizmos")
