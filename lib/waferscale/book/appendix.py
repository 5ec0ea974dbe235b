"""The book's data appendix: every catalog table rendered as HTML at build time, with a grade filter.

The appendix pages (``chapters/appendix/*.md``) hold no numbers: each names a table in a directive,
``{catalog-table} systems``, and this module renders the table from :func:`waferscale.data.catalog.load` when
the book builds (``{catalog-index}`` renders the overview of all tables). Every row shows its value and
unit, its source (linked to its entry on the Sources page), date and grade. A ``<select>`` above each table
hides the rows of other grades: a small script shipped with the book (:data:`FILTER_JS`), so it works
offline; without JavaScript every row shows. The HTML is deterministic: ids derive from table names.

Bibliography anchors: ``_config.yml`` sets sphinxcontrib-bibtex's ``bibtex_cite_id`` to ``cite-{key}``, so
the entry for ``key`` on the Sources page carries the id :func:`bib_anchor` returns.

Examples
--------
>>> bib_anchor("khan2020aichips")
'cite-khan2020aichips'
>>> bib_anchor("Some_Key:2024")
'cite-some-key-2024'
>>> [t for t, _ in PAGES["yield_inputs"][1]]
['defect_densities', 'wafer_prices']
"""

from __future__ import annotations

import html
import math
from typing import Any, Mapping, Sequence

import pandas as pd

from ..data.catalog import GRADES, Catalog, load

__all__ = [
    "BIB_CITE_ID",
    "PAGES",
    "TABLES",
    "FILTER_JS",
    "FILTER_CSS",
    "bib_anchor",
    "table_frame",
    "table_html",
    "index_frame",
    "index_html",
    "setup",
]

#: The ``bibtex_cite_id`` template _config.yml sets; :func:`bib_anchor` applies it.
BIB_CITE_ID = "cite-{key}"

#: Appendix pages: page name -> (title, [(table, caption)]). Small tables share a page.
PAGES: Mapping[str, tuple[str, Sequence[tuple[str, str]]]] = {
    "systems": ("Chips and systems", [
        ("system_entities", "The systems index (entities.csv): names, kinds, vendors and the chip a system is built from"),
        ("topology", "How each modelled system's chips are joined (topology.csv: structure, no numbers)"),
        ("systems", "Facts per chip and system (systems.csv)"),
    ]),
    "links": ("Links and interconnect tiers", [
        ("link_entities", "The links index (entities.csv)"),
        ("links", "Facts per link tier (links.csv)"),
    ]),
    "workloads": ("Workloads and suitability profiles", [
        ("workloads", "Transformer shapes (workloads.csv)"),
        ("suitability", "Workload descriptors of the suitability chapter (suitability.csv)"),
    ]),
    "examples": ("Worked examples", [("examples", "Textbook and published worked examples (examples.csv)")]),
    "parameters": ("Parameters", [("parameters", "Sourced parameters that are not chips or links (parameters.csv)")]),
    "yield_inputs": ("Defect densities and wafer prices", [
        ("defect_densities", "Fatal defect densities by node and year (defect_densities.csv)"),
        ("wafer_prices", "Prices of one 300 mm wafer by node (wafer_prices.csv)"),
    ]),
    "measurements": ("Measurements", [("measurements", "Measured results used to calibrate and to validate the models (measurements.csv)")]),
    "events": ("Events", [("events", "The timeline (events.csv)")]),
}

#: Every table the directive renders: table -> (catalog attribute, file).
TABLES: Mapping[str, tuple[str, str]] = {
    "system_entities": ("entities", "entities.csv"),
    "link_entities": ("entities", "entities.csv"),
    "topology": ("topology", "topology.csv"),
    "systems": ("systems", "systems.csv"),
    "links": ("links", "links.csv"),
    "workloads": ("workloads", "workloads.csv"),
    "suitability": ("suitability", "suitability.csv"),
    "examples": ("examples", "examples.csv"),
    "parameters": ("parameters", "parameters.csv"),
    "defect_densities": ("defect_densities", "defect_densities.csv"),
    "wafer_prices": ("wafer_prices", "wafer_prices.csv"),
    "measurements": ("measurements", "measurements.csv"),
    "events": ("events", "events.csv"),
}

_LONG = {"systems": "system", "links": "link", "workloads": "workload", "examples": "example",
         "parameters": "parameter", "suitability": "profile"}
_GRADED = ("systems", "links", "workloads", "examples", "parameters", "suitability", "defect_densities",
           "wafer_prices", "measurements", "events")


def bib_anchor(key: str) -> str:
    """The HTML id of ``key``'s entry on the Sources page (docutils' ``make_id`` of ``cite-<key>``)."""
    from docutils.nodes import make_id

    return make_id(BIB_CITE_ID.format(key=key))


def _check_table(table: str) -> None:
    if table not in TABLES:
        raise ValueError(f"table={table!r} is not an appendix table; allowed: {', '.join(TABLES)}")


def _num(x: Any) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return f"{float(x):.4g}"


def _range(lo: Any, hi: Any) -> str:
    a, b = _num(lo), _num(hi)
    return f"{a} – {b}" if a and b else ""


#: Columns of ids and field names (keys into the data files): set as code on the page.
_KEYS = {"id", "field", "system", "link", "workload", "example", "parameter", "profile", "entity", "chip", "quantity"}


def _shown(text: Any) -> str:
    """A value or range cell as the page shows it: 4.4e+09 -> '4.4 × 10⁹', '1.3 – 1.3' -> '1.3', '' -> '—'.

    >>> _shown("4.4e+09"), _shown("1.3 – 1.3"), _shown("0.011 – 0.1"), _shown("")
    ('4.4 × 10⁹', '1.3', '0.011 – 0.1', '—')
    """
    from .tables import number

    s = "" if text is None else str(text).strip()
    if not s:
        return "—"
    parts = [p.strip() for p in s.split(" – ")]
    try:
        shown = [number(float(p), 4) for p in parts]
    except ValueError:
        return s
    return shown[0] if len(set(shown)) == 1 else " – ".join(shown)


def table_frame(cat: Catalog, table: str) -> pd.DataFrame:
    """The rows of one appendix table, as display strings, in catalog order.

    Fact tables get ``value`` and ``range`` in the field's canonical ``unit``, the number ``as written``
    in the data file, and ``source``, ``date``, ``grade`` (the grade's key), ``note``. Index tables
    (``system_entities``, ``link_entities``, ``topology``) carry no grade.

    Raises
    ------
    ValueError
        If ``table`` is not one of :data:`TABLES`.
    """
    _check_table(table)
    df = getattr(cat, TABLES[table][0])
    if table in ("system_entities", "link_entities"):
        which = "systems" if table == "system_entities" else "links"
        e = df[df["table"] == which]
        out = pd.DataFrame({"id": e["id"], "name": e["name"], "kind": e["kind"], "vendor": e["vendor"], "chip": e["chip"]})
        return (out if which == "systems" else out.drop(columns="chip")).reset_index(drop=True)
    if table == "topology":
        return df[["system", "scale_up", "scale_out", "note"]].reset_index(drop=True)
    if table == "events":
        return pd.DataFrame({"date": df["date"], "id": df["id"], "title": df["title"], "entity": df["entity"],
                             "category": df["category"], "value": [_num(v) for v in df["value"]], "unit": df["unit"],
                             "source": df["source"], "grade": df["grade"], "note": df["note"]}).reset_index(drop=True)
    common = {"value": [_num(v) for v in df["value"]], "range": [_range(a, b) for a, b in zip(df["low"], df["high"])],
              "unit": df["unit"].values, "as written": df["raw"].values, "source": df["source"].values,
              "date": df["date"].values, "grade": df["grade"].values, "note": df["note"].values}
    if table in _LONG:
        col = _LONG[table]
        head = {col: df[col].values, "field": df["field"].values}
    elif table in ("defect_densities", "wafer_prices"):
        head = {"id": df["id"].values, "node": df["node"].values, "year": [str(int(y)) for y in df["year"]]}
    else:  # measurements
        head = {"id": df["id"].values, "quantity": df["quantity"].values, "system": df["system"].values,
                "workload": df["workload"].values, "role": df["role"].values,
                "conditions": ["; ".join(f"{k}={v}" for k, v in c.items()) for c in df["conditions"]]}
    return pd.DataFrame({**head, **common})


def _source_cell(cat: Catalog, keys: str, refs_uri: str) -> str:
    out = []
    for key in [k.strip() for k in str(keys).split(";") if k.strip()]:
        label = html.escape(cat.cite([key]))
        out.append(f'<a class="reference internal" href="{html.escape(refs_uri)}#{bib_anchor(key)}" '
                   f'title="{html.escape(key)}">{label}</a>')
    return "; ".join(out)


def _slug(table: str) -> str:
    return "catalog-" + table.replace("_", "-")


def table_html(cat: Catalog, table: str, refs_uri: str = "../references.html") -> str:
    """One table as HTML: a grade filter (for graded tables) and the rows, each ``<tr data-grade=...>``.

    ``refs_uri`` is the Sources page relative to the page the table appears on. Ids derive from
    ``table``, so the output is the same on every build.

    Raises
    ------
    ValueError
        If ``table`` is not one of :data:`TABLES`.
    """
    df = table_frame(cat, table)
    slug = _slug(table)
    graded = "grade" in df.columns
    parts = [f'<div class="catalog-table" id="{slug}">']
    if graded:
        counts = df["grade"].value_counts()
        opts = [f'<option value="">all grades ({len(df)})</option>']
        opts += [f'<option value="{g}">{html.escape(label)} ({int(counts[g])})</option>'
                 for g, label in GRADES.items() if counts.get(g, 0)]
        parts.append(
            f'<p class="catalog-filter" hidden><label for="{slug}-grade">Show grade </label>'
            f'<select id="{slug}-grade" data-table="{slug}-rows">{"".join(opts)}</select> '
            f'<span class="catalog-count" aria-live="polite" id="{slug}-count">{len(df)} of {len(df)} rows</span></p>')
    # a wide table scrolls sideways: the scroll box takes keyboard focus and has a name (axe scrollable-region-focusable)
    name = html.escape(table.replace("_", " "))
    parts.append(f'<div class="catalog-scroll" tabindex="0" role="region" aria-label="rows of {name}">'
                 f'<table class="table catalog" id="{slug}-rows">')
    parts.append("<thead><tr>" + "".join(f'<th scope="col">{html.escape(c)}</th>' for c in df.columns) + "</tr></thead>")
    parts.append("<tbody>")
    for row in df.itertuples(index=False):
        cells = []
        for col, v in zip(df.columns, row):
            cls = f' class="col-{col.replace(" ", "-")}"'
            if col == "source":
                cells.append(f"<td{cls}>{_source_cell(cat, v, refs_uri)}</td>")
            elif col == "grade":
                cells.append(f'<td{cls}><span class="catalog-grade grade-{v}">{html.escape(GRADES[v])}</span></td>')
            elif col in ("value", "range"):
                cells.append(f"<td{cls}>{html.escape(_shown(v))}</td>")
            elif col in _KEYS:
                cells.append(f"<td{cls}><code>{html.escape(str(v))}</code></td>" if str(v or "").strip()
                             else f"<td{cls}>—</td>")
            else:
                cells.append(f"<td{cls}>{html.escape('—' if v is None or not str(v).strip() else str(v))}</td>")
        attr = f' data-grade="{row[list(df.columns).index("grade")]}"' if graded else ""
        parts.append(f"<tr{attr}>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table></div></div>")
    return "\n".join(parts)


def index_frame(cat: Catalog) -> pd.DataFrame:
    """One row per appendix table: page, table, file, rows, then one column of row counts per grade."""
    rows = []
    for page, (_, tables) in PAGES.items():
        for table, _caption in tables:
            df = table_frame(cat, table)
            r: dict[str, Any] = {"page": page, "table": table, "file": TABLES[table][1], "rows": len(df)}
            for g in GRADES:
                r[g] = int((df["grade"] == g).sum()) if "grade" in df.columns else 0
            rows.append(r)
    return pd.DataFrame(rows)


def index_html(cat: Catalog, page_uri: Mapping[str, str] | None = None) -> str:
    """The overview table of the appendix index: each table with its page, rows and rows per grade."""
    df = index_frame(cat)
    grades = [g for g in GRADES if df[g].sum()]
    head = ["table", "rows", *[GRADES[g] for g in grades]]
    out = ['<div class="catalog-scroll" tabindex="0" role="region" aria-label="catalog tables">'
           '<table class="table catalog catalog-index" id="catalog-index">',
           "<thead><tr>" + "".join(f'<th scope="col">{html.escape(h)}</th>' for h in head) + "</tr></thead><tbody>"]
    for r in df.itertuples(index=False):
        uri = (page_uri or {}).get(r.page, f"{r.page}.html")
        name = (f'<a class="reference internal" href="{html.escape(uri)}#{_slug(r.table)}" '
                f'title="{html.escape(r.file)}">{html.escape(r.table)}</a>')
        cells = [name, str(r.rows), *[str(getattr(r, g)) if getattr(r, g) else "" for g in grades]]
        out.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    total = ["all tables", str(int(df["rows"].sum())), *[str(int(df[g].sum())) for g in grades]]
    out.append("<tr class=\"catalog-total\">" + "".join(f"<td>{c}</td>" for c in total) + "</tr>")
    out.append("</tbody></table></div>")
    return "\n".join(out)


#: The grade filter: un-hides each filter and hides the rows whose data-grade differs from the choice.
FILTER_JS = """\
// Grade filter of the data appendix (waferscale.book.appendix). No dependencies, works offline.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".catalog-filter select[data-table]").forEach(function (select) {
    var table = document.getElementById(select.getAttribute("data-table"));
    var count = document.getElementById(select.id.replace(/-grade$/, "-count"));
    if (!table) { return; }
    var rows = table.querySelectorAll("tbody tr[data-grade]");
    function apply() {
      var want = select.value, shown = 0;
      rows.forEach(function (tr) {
        var keep = !want || tr.getAttribute("data-grade") === want;
        tr.hidden = !keep;
        if (keep) { shown += 1; }
      });
      if (count) { count.textContent = shown + " of " + rows.length + " rows"; }
    }
    select.addEventListener("change", apply);
    select.parentElement.hidden = false;
    apply();
  });
});
"""

FILTER_CSS = """\
/* Data appendix tables (waferscale.book.appendix) */
.catalog-scroll { overflow-x: auto; max-width: 100%; }
table.catalog { font-size: 0.85em; width: max-content; max-width: none; }
table.catalog td, table.catalog th { padding: 0.2em 0.5em; vertical-align: top; white-space: nowrap; }
table.catalog td.col-note, table.catalog td.col-conditions, table.catalog td.col-title,
table.catalog td.col-source { white-space: normal; min-width: 12em; max-width: 30em; }
table.catalog td.col-name { white-space: normal; max-width: 24em; }
table.catalog-index { width: auto; }
table.catalog tr[hidden] { display: none; }
.catalog-filter { margin: 0.5em 0; }
.catalog-filter select { margin: 0 0.5em; }
.catalog-grade { white-space: nowrap; }
tr.catalog-total td { font-weight: bold; }
"""


# -- Sphinx glue ---------------------------------------------------------------------------------
def _directives():
    from docutils import nodes
    from docutils.parsers.rst import Directive

    def refs_uri(env: Any) -> str:
        return env.app.builder.get_relative_uri(env.docname, "chapters/references")

    class CatalogTable(Directive):
        """``{catalog-table} <table>``: one catalog table with its grade filter, rendered from the catalog."""

        required_arguments = 1
        has_content = False

        def run(self):  # noqa: D102
            env = self.state.document.settings.env
            try:
                text = table_html(load(), self.arguments[0], refs_uri(env))
            except ValueError as exc:
                raise self.error(str(exc)) from None
            env.note_dependency(str(load().root / TABLES[self.arguments[0]][1]))
            return [nodes.raw("", text, format="html")]

    class CatalogIndex(Directive):
        """``{catalog-index}``: the overview of all appendix tables with row and grade counts."""

        has_content = False

        def run(self):  # noqa: D102
            env = self.state.document.settings.env
            pages = {p: env.app.builder.get_relative_uri(env.docname, f"chapters/appendix/{p}") for p in PAGES}
            return [nodes.raw("", index_html(load(), pages), format="html")]

    return CatalogTable, CatalogIndex


def _write_static(app: Any) -> None:
    from pathlib import Path

    folder = Path(app.doctreedir).parent / "waferscale_static"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("catalog-filter.js", FILTER_JS), ("catalog-filter.css", FILTER_CSS)):
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    app.config.html_static_path = [*app.config.html_static_path, str(folder)]


def setup(app: Any) -> dict:
    """Sphinx extension: the ``catalog-table`` and ``catalog-index`` directives and the filter's JS/CSS."""
    table, index = _directives()
    app.add_directive("catalog-table", table)
    app.add_directive("catalog-index", index)
    app.connect("builder-inited", _write_static)
    app.add_js_file("catalog-filter.js")
    app.add_css_file("catalog-filter.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
