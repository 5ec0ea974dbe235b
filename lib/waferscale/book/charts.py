"""One chart style for the whole book, and a renderer that works offline and deterministically.

Importing this module registers and enables

* the ``waferscale`` altair theme: the Okabe–Ito colour-blind-safe palette, readable fonts, axis
  titles that carry units (the charts supply them), and left-anchored titles that state a finding;
* the ``waferscale`` renderer: each chart becomes an HTML ``<div>`` with an id derived from a hash
  of its spec (so two runs give byte-identical notebook outputs) plus a short script that calls
  ``vegaEmbed``. The Vega, Vega-Lite and vega-embed JavaScript is *not* inlined and *not* loaded
  from a CDN: the book ships it once as ``_static/vega-bundle.js`` (see :func:`write_bundle`).
  In a notebook that embed is stored under the book's own MIME type :data:`BOOK_MIME` (the
  book's myst-nb plugin, ``waferscale.book._mystnb``, shows it), next to the same spec as
  ``application/vnd.vegalite.v5+json``, which JupyterLab's built-in Vega 5 renderer draws from
  its own, offline, JavaScript (see :func:`notebook_bundle`).

Use :func:`finish` on every chart: it sets the finding as the title and puts a source line,
naming catalog sources and their grades, under the chart.
"""

from __future__ import annotations

import hashlib
import math
import html
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Iterable, Sequence

import altair as alt

from .labels import compact_sources, wrap as _wrap
from ..core.digits import round_floats

__all__ = [
    "PALETTE",
    "GRADE_COLORS",
    "theme",
    "render",
    "notebook_bundle",
    "vegalite5_spec",
    "BOOK_MIME",
    "VEGALITE5_MIME",
    "finish",
    "text_alternative",
    "source_line",
    "write_bundle",
    "BUNDLE_NAME",
    "grade_chart",
]

#: Okabe & Ito (2008) colour-blind-safe palette, black last.
PALETTE: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")

#: One colour per catalog grade, used wherever grades are shown.
GRADE_COLORS: dict[str, str] = {
    "spec_sheet": "#0072B2",
    "peer_reviewed": "#009E73",
    "measured_here": "#000000",
    "vendor_claim": "#E69F00",
    "third_party": "#56B4E9",
    "derived": "#CC79A7",
    "uncertain": "#D55E00",
}

BUNDLE_NAME = "vega-bundle.js"
_WIDTH = 460  # plot area; with axis labels the whole chart fits the book column (~690 px at 1280 px)
_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


def theme() -> dict:
    """The book's altair theme as a Vega-Lite config dictionary."""
    return {
        "config": {
            "background": "white",
            "font": _FONT,
            "view": {"continuousWidth": _WIDTH, "continuousHeight": 300, "stroke": None},
            "range": {"category": list(PALETTE)},
            "title": {"anchor": "start", "fontSize": 15, "fontWeight": 600, "subtitleFontSize": 12,
                      "subtitleColor": "#444", "offset": 10},
            "axis": {"labelFontSize": 12, "titleFontSize": 13, "titleFontWeight": 500, "grid": True,
                     "gridColor": "#e6e6e6", "domainColor": "#888", "tickColor": "#888", "labelColor": "#333",
                     "titleColor": "#222"},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "top", "labelLimit": 260},
            "line": {"strokeWidth": 2.2},
            "point": {"size": 60, "filled": True},
            "text": {"fontSize": 12},
        }
    }


# -- rendering --------------------------------------------------------------------------------
_seen: Counter[str] = Counter()


def _spec_json(spec: dict) -> str:
    return json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _description(spec: dict) -> str:
    if spec.get("description"):
        return str(spec["description"])
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text", "")
    if isinstance(title, list):
        title = " ".join(title)
    return str(title or "chart")


def _finite_or_null(node: object) -> object:
    """NaN and infinities as None (JSON null: Vega's missing value; NaN is not JSON and breaks the kernel's
    message).

    >>> _finite_or_null({"a": [1.0, float("nan")], "b": "x"})
    {'a': [1.0, None], 'b': 'x'}
    """
    if isinstance(node, float):
        return node if math.isfinite(node) else None
    if isinstance(node, dict):
        return {k: _finite_or_null(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_finite_or_null(v) for v in node]
    return node


def _portable(spec: dict) -> dict:
    """``spec`` with every number cut to :data:`~waferscale.core.digits.SIG_DIGITS` significant digits and
    each inline dataset renamed after a hash of its rounded values, so that the stored chart is the
    same on every CPU (altair names datasets by a hash of the unrounded data)."""
    spec = _finite_or_null(round_floats(spec))
    datasets = spec.get("datasets")
    if not isinstance(datasets, dict) or not datasets:
        return spec
    rename = {old: "data-" + hashlib.sha256(_spec_json(values).encode()).hexdigest()[:32]
              for old, values in datasets.items()}

    def walk(node: object) -> object:  # names are 'data-' + 32 hex digits: no other string matches one
        if isinstance(node, dict):
            return {rename.get(k, k): walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return rename.get(node, node) if isinstance(node, str) else node

    return walk(spec)  # type: ignore[return-value]


#: The MIME type under which a notebook stores the book's HTML embed of a chart. JupyterLab picks
#: ``text/html`` (rank 50) before its Vega renderer (rank 57) and, for the embed, has no vega-bundle.js,
#: so the embed must not be ``text/html`` in a notebook; only the book's myst-nb plugin shows this type.
BOOK_MIME = "application/vnd.waferscale.chart+html"
#: What JupyterLab 4's built-in ``@jupyterlab/vega5-extension`` draws (Vega-Lite 5, bundled with JupyterLab).
VEGALITE5_MIME = "application/vnd.vegalite.v5+json"
_VEGALITE5_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


def vegalite5_spec(spec: dict) -> dict:
    """The spec for Vega-Lite 5: the same JSON with a Vega-Lite 5 ``$schema``.

    The book's charts use nothing that Vega-Lite 6 added: compiled by Vega-Lite 5.8 (vl-convert) 35 of the
    37 charts give the same SVG as Vega-Lite 6.4, the other two differ in clip-path ids and half-pixel label
    offsets; tests/test_jupyterlab.py draws every chapter's charts in JupyterLab (its Vega-Lite 5.6).
    Only ``$schema`` changes, so that vega-embed does not warn about a version mismatch.
    """
    out = dict(spec)
    out["$schema"] = _VEGALITE5_SCHEMA
    return out


def notebook_bundle(spec: dict, **options: object) -> tuple[dict[str, object], dict[str, object]]:
    """The altair renderer: what a notebook stores for a chart (the ``waferscale`` renderer).

    :func:`render`'s bundle with its ``text/html`` embed stored as :data:`BOOK_MIME`: the built book
    shows that embed (``waferscale.book._mystnb``), JupyterLab draws the Vega-Lite 5 JSON. The output's
    metadata asks JupyterLab for what the book does: SVG, and no action menu (whose "Open in Vega
    Editor" would leave the machine).
    """
    bundle = render(spec, **options)
    data = {BOOK_MIME if k == "text/html" else k: v for k, v in bundle.items()}
    return data, {VEGALITE5_MIME: {"embed_options": {"renderer": "svg", "actions": False}}}


def render(spec: dict, **_: object) -> dict[str, object]:
    """A chart's deterministic HTML embed for a web page, plus its Vega-Lite 5 JSON and a text line.

    ``text/html`` is what a page of the book shows; :func:`notebook_bundle`, the altair renderer,
    stores it under :data:`BOOK_MIME` instead, so that JupyterLab draws the Vega-Lite JSON.

    Numbers are rounded first (:func:`_portable`). The element id is ``ws-chart-`` followed by the first
    12 hex digits of the SHA-256 of the canonical spec JSON (and a counter if the same chart is shown twice in one kernel).
    """
    spec = _portable(spec)
    payload = _spec_json(spec)
    digest = hashlib.sha256(payload.encode()).hexdigest()[:12]
    _seen[digest] += 1
    cid = f"ws-chart-{digest}" + (f"-{_seen[digest]}" if _seen[digest] > 1 else "")
    desc = _description(spec)
    safe = payload.replace("</", "<\\/")
    body = (
        # tabindex: a chart wider than the column scrolls, and keyboard users must reach it too
        f'<div class="ws-chart" id="{cid}" role="figure" aria-label="{html.escape(desc, quote=True)}"'
        ' tabindex="0" style="max-width:100%;overflow-x:auto"></div>\n'
        "<script type=\"text/javascript\">(function () {\n"
        f"  var el = document.getElementById(\"{cid}\");\n"
        f"  var spec = {safe};\n"
        "  if (window.vegaEmbed) {\n"
        "    window.vegaEmbed(el, spec, {actions: false, renderer: \"svg\"}).then(function () {\n"
        # the chart fills the column: its SVG (which has a viewBox) scales to the column width, at most 1.4 x;
        "      var svg = el.querySelector(\"svg\"), w = svg && Number(svg.getAttribute(\"width\"));\n"
        "      if (w) { svg.style.width = \"100%\"; svg.style.maxWidth = Math.round(1.4 * w) + \"px\";"
        # on a phone it shrinks to 0.65 x at most, so that its text stays readable; the box scrolls sideways
        " svg.style.minWidth = Math.round(0.65 * w) + \"px\"; svg.style.height = \"auto\"; }\n"
        "    }).catch(function (e) { console.error(e); });\n"
        "  } else {\n"
        "    el.textContent = \"This chart needs vega-bundle.js, which the built book ships in _static/.\";\n"
        "  }\n"
        "})();</script>"
    )
    return {
        "text/html": body,
        VEGALITE5_MIME: vegalite5_spec(spec),
        "text/plain": f"<chart {cid}: {desc}>",
    }


def source_line(sources: Iterable[tuple[str, str]] | object, catalog: object | None = None) -> str:
    """'Sources: Author (year) [grade]; ...' for (source key, grade) pairs or a catalog DataFrame.

    A DataFrame must have ``source`` and ``grade`` columns; multi-key cells (``a;b``) are split.
    Each source appears once, with every grade it carries in the data shown.
    """
    from ..data import catalog as _catalog
    from ..data.catalog import GRADES

    cat = catalog if catalog is not None else _catalog.load()
    if hasattr(sources, "itertuples"):
        pairs = [(str(r.source), str(r.grade)) for r in sources.itertuples()]  # type: ignore[attr-defined]
    else:
        pairs = [(str(s), str(g)) for s, g in sources]  # type: ignore[union-attr]
    grades: dict[str, list[str]] = {}
    for keys, grade in pairs:
        for key in keys.split(";"):
            g = grades.setdefault(key.strip(), [])
            if grade not in g:
                g.append(grade)
    # Two sources that cite alike (one vendor's two datasheets of a year) are listed once, with both grades.
    by_cite: dict[str, list[str]] = {}
    for k, gs in grades.items():
        merged = by_cite.setdefault(cat.cite([k]), [])  # type: ignore[attr-defined]
        merged += [g for g in gs if g not in merged]
    parts = [f"{c} [{', '.join(GRADES.get(g, g) for g in gs)}]" for c, gs in by_cite.items()]
    return "Sources: " + "; ".join(parts) if parts else "Sources: none"


def text_alternative(title: str, subtitle: str | Sequence[str] | None = None, sources: str = "") -> str:
    """A chart's text alternative: its finding, its reading guide and its sources, as sentences.

    >>> text_alternative("Yield falls with area", ["log scale"], "Sources: Seeds (1967) [peer-reviewed]")
    'Yield falls with area. log scale. Sources: Seeds (1967) [peer-reviewed].'
    """
    sub = [subtitle] if isinstance(subtitle, str) else list(subtitle or [])
    parts = [" ".join(str(p).split()) for p in (title, *sub, sources) if p and str(p).strip()]
    return " ".join(p if p.endswith((".", "!", "?")) else p + "." for p in parts)


def finish(
    chart: alt.TopLevelMixin,
    *,
    title: str,
    sources: str,
    subtitle: str | Sequence[str] | None = None,
    description: str | None = None,
    width: int = _WIDTH,
) -> alt.VConcatChart:
    """Give ``chart`` the book's finishing: a finding as title, one source line underneath.

    The source line is :func:`compact_sources`: the full line if it fits the chart's width, else the
    number of sources and their grades, with the full list on hover and in the text alternative.

    Parameters
    ----------
    chart : altair chart
        The chart (single, layered or concatenated) with its axes already titled with units.
    title : str
        The finding the chart shows, as a sentence ("An H100-size die loses ...").
    sources : str
        The source line, usually from :func:`source_line`.
    subtitle : str or list of str, optional
        A short reading guide under the title.
    description : str, optional
        Text alternative for screen readers; defaults to title, subtitle and source line
        (:func:`text_alternative`). Vega-Lite's ``description`` becomes the ``aria-label`` of the
        rendered chart (vega-embed puts it on the chart's container, ``role="graphics-document"``).
    width : int
        Width in pixels, used to wrap the source line.
    """
    if not title.strip():
        raise ValueError("title='' is empty; a chart's title must state its finding")
    if not sources.strip():
        raise ValueError("sources='' is empty; every chart names its sources")
    line, items = compact_sources(sources, max(40, (width + 120) // 6))
    footer = (
        alt.Chart(alt.Data(values=[{"line": line, "full": "\n".join(items)}]))
        .mark_text(align="left", baseline="top", fontSize=11, color="#444", cursor="help")
        .encode(text="line:N", x=alt.value(0), y=alt.value(0), tooltip=alt.Tooltip("full:N", title="Sources"))
        .properties(width=width, height=14)
    )
    heading = _wrap(title, 72)
    sub = [subtitle] if isinstance(subtitle, str) else list(subtitle or [])
    desc = description or text_alternative(title, sub, sources)
    return alt.vconcat(chart, footer, spacing=6).properties(
        title=alt.TitleParams(text=heading, subtitle=sub or alt.Undefined), description=desc
    ).configure_concat(spacing=6)


def grade_chart(counts: "object", catalog: object) -> alt.VConcatChart:
    """Stacked bars: how many catalog rows each grade has, per table (from ``Catalog.grade_counts``)."""
    from ..data.catalog import GRADES

    df = counts.assign(label=[GRADES[g] for g in counts["grade"]])  # type: ignore[attr-defined]
    total = int(df["rows"].sum())
    strong = int(df.loc[df["grade"].isin(["spec_sheet", "peer_reviewed", "measured_here"]), "rows"].sum())
    order = [GRADES[g] for g in GRADES]
    bars = alt.Chart(df).mark_bar().encode(
        y=alt.Y("table:N", title=None, sort=["systems", "links", "measurements", "events", "defect_densities", "wafer_prices"],
                axis=alt.Axis(labelExpr="replace(datum.label, /_/g, ' ')")),  # "defect densities", not the file's name
        x=alt.X("sum(rows):Q", title="catalog rows (count)", stack="zero"),
        color=alt.Color("label:N", title="grade", sort=order, legend=alt.Legend(columns=4),
                        scale=alt.Scale(domain=order, range=[GRADE_COLORS[g] for g in GRADES])),
        order=alt.Order("grade_rank:Q"),
        tooltip=[alt.Tooltip("table:N"), alt.Tooltip("label:N", title="grade"), alt.Tooltip("rows:Q")],
    ).transform_calculate(
        grade_rank=" + ".join(f"(datum.grade == '{g}') * {i}" for i, g in enumerate(GRADES))
    ).properties(width=_WIDTH - 60, height=180)
    n_src = len(catalog.sources)  # type: ignore[attr-defined]
    return finish(
        bars,
        title=f"{strong} of the catalog's {total} facts are spec sheets or peer-reviewed; the rest carry weaker grades",
        sources=f"Sources: the waferscale catalog ({total} rows citing {n_src} sources in references.bib)",
        width=_WIDTH - 60,
    )


# -- the shared JavaScript bundle ----------------------------------------------------------------
def write_bundle(folder: str | Path) -> Path:
    """Write Vega, Vega-Lite and vega-embed as one script, ``folder/vega-bundle.js``.

    The bundle comes from the pinned ``vl-convert-python`` and sets ``window.vegaEmbed``; the
    book loads it once per page from ``_static/``. It is rewritten only when its content changes.
    """
    import vl_convert as vlc

    vl_minor = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    body = vlc.javascript_bundle(vl_version=vl_minor)
    header = (
        f"/* Vega {vlc.get_vega_version()}, Vega-Lite {vl_minor}, vega-embed {vlc.get_vega_embed_version()};"
        f" bundled by vl-convert-python for waferscale. Wrapped in a function so that its top-level"
        f" names stay out of the page's global scope; it exports window.vegaEmbed, vega, vegaLite. */\n"
    )
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / BUNDLE_NAME
    text = header + "(function () {\n" + body + "\n})();\n"
    if not out.exists() or out.read_text(encoding="utf-8") != text:
        out.write_text(text, encoding="utf-8")
    return out


def _setup() -> None:
    alt.theme.register("waferscale", enable=True)(theme)
    if "waferscale" not in alt.renderers.names():
        alt.renderers.register("waferscale", notebook_bundle)
    alt.renderers.enable("waferscale")


_setup()


if __name__ == "__main__":  # python -m waferscale.book.charts bundle _static
    if len(sys.argv) == 3 and sys.argv[1] == "bundle":
        print(write_bundle(sys.argv[2]))
    else:
        sys.exit("usage: python -m waferscale.book.charts bundle FOLDER")
