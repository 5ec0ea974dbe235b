"""The claims ledger: every testable claim of the article under test, with a computed verdict.

The article is an investor's piece on Cerebras (2026), ``investor2026cerebras`` in ``references.bib``.
Each :class:`Claim` names the chapter that tests it and a *verdict function*: a pure function of
the :class:`~waferscale.data.catalog.Catalog` that computes the model's (or the data's) figure and
returns a :class:`Verdict`. No verdict is typed: change a catalog row or a model parameter and
the verdict can change. Claims whose chapter has not yet built its model say so
(``not yet modelled``) and name what the chapter will compute.

The *claimed* numbers (20x, 2.4x) are the article's, stored on the claim so that the verdict can
compare against them; they never enter a computation of the figure.

Examples
--------
>>> table = ledger()
>>> table.loc[table.id == "C01", "verdict"].item() in {"holds", "holds only if", "does not hold"}
True
"""

from __future__ import annotations

import pandas as pd

from ..data import catalog as _catalog
from ..data.catalog import Catalog
from . import communication, lasting_idea, outlook, performance, suitability, yield_history
from .base import CHAPTERS, CLAIMED, Claim, Status, Verdict, _pending

__all__ = ["Status", "Verdict", "Claim", "CHAPTERS", "CLAIMS", "ledger", "evaluate", "claim", "ledger_html", "summary"]

#: Every claim of the article, in ledger order, each with its chapter's verdict function.
CLAIMS: tuple[Claim, ...] = (
    Claim("C01", "intro", "up to 20 times that of H100",
          "On small models, Cerebras infers up to ~20x faster than an H100.", "performance", "quantitative",
          performance.c01, *CLAIMED["C01"]),
    Claim("C02", "intro", "about 2.4 times that of B200",
          "For a ~400B-parameter model, one user gets ~2.4x the speed of a B200 system on a CS-3.", "performance",
          "quantitative", performance.c02, *CLAIMED["C02"]),
    Claim("C03", "intro", "from 'raw compute' to 'communication'",
          "AI hardware progress is now limited by communication and system architecture more than raw compute.",
          "communication", "qualitative", communication._c03_compute_outpaces_communication),
    Claim("C04", "1", "how to not need connections",
          "A wafer's on-chip network replaces cross-node communication for a whole model.", "communication",
          "qualitative", communication._c04_no_connections),
    Claim("C05", "2", "Yield cannot support it",
          "In the 1980s yield made wafer-scale chips impossible.", "yield_history", "quantitative",
          yield_history._c05_yield_1980s),
    Claim("C06", "2", "Lack of fault-tolerance mechanisms",
          "Early wafer-scale efforts failed for want of fault tolerance.", "yield_history", "qualitative",
          yield_history._c06_fault_tolerance),
    Claim("C07", "2", "Software cannot support it",
          "Software could not program wafer-scale machines then.", "yield_history", "qualitative",
          _pending("no physical model tests this; the chapter records the historical evidence")),
    Claim("C08", "2", "from 'perfect hardware' to 'fault-tolerant systems'",
          "The enabling change is tolerating defects instead of demanding perfect dies.", "yield_history",
          "quantitative", yield_history._c08_fault_tolerant_systems),
    Claim("C09", "2", "high parallelism, strong synchronization",
          "AI workloads suit wafers: highly parallel, tightly synchronised, communication-driven.", "suitability",
          "qualitative", suitability.verdict_c09),
    Claim("C10", "3.1", "lowest latency, lowest energy consumption",
          "Purely on-chip communication gives the lowest latency and energy.", "communication", "quantitative",
          communication._c10_on_chip_lowest),
    Claim("C11", "3.1", "still involves optical-electrical conversion",
          "Co-packaged optics still pays for optical-electrical conversion.", "communication", "quantitative",
          communication._c11_cpo_conversion),
    Claim("C12", "3.2", "once crossing chips → back to communication",
          "Once a model spans several wafers, Cerebras is back to communication limits.", "communication",
          "quantitative", communication._c12_crossing_chips),
    Claim("C13", "3.2", "bandwidth can be sustainably expanded",
          "CPO lets system bandwidth keep scaling.", "communication", "quantitative",
          communication._c13_cpo_expansion),
    Claim("C14", "3.3", "extremely high power consumption for a single machine",
          "A single Cerebras machine draws very high power, but communicates efficiently.", "performance",
          "quantitative", performance.c14),
    Claim("C15", "3.3", "overall system efficiency is more balanced",
          "GPU+CPO systems keep per-node power controllable and system efficiency balanced.", "performance",
          "qualitative", performance.c15),
    Claim("C16", "3", "Cerebras wins at 'single-machine limits'",
          "Cerebras wins at single-machine limits; CPO/GPU wins at system scale.", "performance", "quantitative",
          performance.c16),
    Claim("C17", "4", "Is communication a bottleneck?",
          "Three questions decide suitability: communication bottleneck, centralisable, regular.", "suitability",
          "qualitative", suitability.verdict_c17),
    Claim("C18", "4", "highly suitable for large model training",
          "Dense-model training, very long context and PDE/CFD HPC are highly suitable.", "suitability",
          "quantitative", suitability.verdict_c18),
    Claim("C19", "4", "partially suitable",
          "Low-concurrency inference and graph computing are partially suitable.", "suitability", "quantitative",
          suitability.verdict_c19),
    Claim("C20", "4", "Not suitable for CPU",
          "General CPU work, high-concurrency inference, edge chips and real-time systems are not suitable.",
          "suitability", "quantitative", suitability.verdict_c20),
    Claim("C21", "5", "power density",
          "Power density is a physical limit that fault tolerance cannot fix.", "outlook", "quantitative",
          outlook._c21_power_density),
    Claim("C22", "5", "signal delay",
          "Signal delay across a wafer is a physical limit.", "outlook", "quantitative",
          outlook._c22_signal_delay),
    Claim("C23", "5", "higher yield for small dies; chiplet flexibility",
          "Small dies and chiplets are cheaper per good mm².", "outlook", "quantitative",
          outlook._c23_small_dies),
    Claim("C24", "5", "favor modular, multi-client reuse",
          "Foundries favour modular packaging over ultra-large monoliths.", "outlook", "qualitative",
          outlook._c24_foundry_path),
    Claim("C25", "5", "inference accounts for a much higher proportion",
          "Inference now dominates demand; multi-task, high-concurrency use is becoming mainstream.", "outlook",
          "quantitative", outlook._c25_inference_share),
    Claim("C26", "5", "unlikely to become mainstream",
          "Wafer-scale is unlikely to become mainstream.", "outlook", "qualitative",
          outlook._c26_mainstream),
    Claim("C27", "6", "chiplet-level fault tolerance",
          "Fault-tolerant design (chiplet-level spares, package-level rerouting) will spread.", "lasting_idea",
          "quantitative", lasting_idea._c27_chiplet_spares),
    Claim("C28", "6", "a best practice for all chip companies",
          "Cerebras is a best practice to learn from, not NVIDIA's killer; GPUs already tolerate faults.",
          "lasting_idea", "qualitative", lasting_idea._c28_best_practice),
)

_BY_ID = {c.id: c for c in CLAIMS}


def claim(claim_id: str) -> Claim:
    """The claim with id ``claim_id`` (e.g. ``"C01"``)."""
    if claim_id not in _BY_ID:
        raise ValueError(f"claim_id={claim_id!r} is not in the ledger; allowed: {', '.join(_BY_ID)}")
    return _BY_ID[claim_id]


def evaluate(claim_id: str, cat: Catalog | None = None) -> Verdict:
    """Run one claim's verdict function on the catalog."""
    c = claim(claim_id)
    v = c.verdict(cat if cat is not None else _catalog.load())
    if not isinstance(v, Verdict):
        raise TypeError(f"verdict function of {claim_id} returned {type(v).__name__}, not Verdict")
    return v


def ledger(cat: Catalog | None = None) -> pd.DataFrame:
    """The whole ledger as a table: one row per claim, verdicts computed now.

    Columns: id, section, quote, claim, chapter, chapter_title, kind, claimed, verdict, figure,
    unit, basis, detail, sources.
    """
    cat = cat if cat is not None else _catalog.load()
    rows = []
    for c in CLAIMS:
        v = evaluate(c.id, cat)
        rows.append({
            "id": c.id, "section": c.section, "quote": c.quote, "claim": c.paraphrase, "chapter": c.chapter,
            "chapter_title": CHAPTERS[c.chapter], "kind": c.kind,
            "claimed": c.claimed, "verdict": v.status.value, "figure": v.figure, "unit": v.unit,
            "basis": v.basis, "detail": v.detail, "sources": ";".join(v.sources),
        })
    return pd.DataFrame(rows)


_BADGE = {
    # black text on every badge: white on these Okabe-Ito colours is below WCAG's 4.5:1 (3.4 and 3.9)
    Status.HOLDS.value: ("#009E73", "black"),
    Status.HOLDS_IF.value: ("#E69F00", "black"),
    Status.FAILS.value: ("#D55E00", "black"),
    Status.PENDING.value: ("#e6e6e6", "black"),
}


def summary(table: pd.DataFrame) -> dict[str, int]:
    """Counts of claims per verdict, plus the total, for gluing into prose."""
    counts = {s.value: int((table["verdict"] == s.value).sum()) for s in Status}
    return {"total": len(table), **counts}


def ledger_html(table: pd.DataFrame, built_chapters: set[str] | frozenset[str] = frozenset()) -> str:
    """The ledger as an HTML table: verdict badges, figures, and links to chapters that exist.

    ``built_chapters`` holds the docnames that are in the book; other chapters are named without
    a link (the book has no placeholder pages).
    """
    import html as _html

    def esc(x: object) -> str:
        return _html.escape(str(x), quote=True)

    head = ("<thead><tr><th>id</th><th style=\"width:38%\">the article says</th>"
            "<th>verdict, figure and reason</th><th style=\"width:16%\">tested in</th></tr></thead>")
    body = []
    for r in table.itertuples():
        bg, fg = _BADGE[r.verdict]
        chap = esc(r.chapter_title)
        if r.chapter in built_chapters:
            chap = f'<a href="{esc(r.chapter)}.html">{chap}</a>'
        fig = "" if r.figure is None or pd.isna(r.figure) else f" <b>{r.figure:,.3g}{esc(r.unit)}</b>"
        claimed = "" if r.claimed is None or pd.isna(r.claimed) else f" (claimed {r.claimed:g}{esc(r.unit or 'x')})"
        body.append(
            f"<tr><td>{esc(r.id)}</td><td>{esc(r.claim)}<br><small><i>&ldquo;{esc(r.quote)}&rdquo;</i></small></td>"
            f"<td><span class=\"ws-verdict\" style=\"background:{bg};color:{fg};"
            f"padding:1px 6px;border-radius:3px;white-space:nowrap\">{esc(r.verdict)}</span>{fig}{claimed}"
            f"<br><small>{esc(r.detail)}</small></td><td><small>{chap}</small></td></tr>"
        )
    return (f'<table class="ws-ledger table" style="width:100%;font-size:0.9em">'
            f"<caption>The claims ledger: {len(table)} claims of the article, verdicts computed when this page was built."
            f"</caption>{head}<tbody>{''.join(body)}</tbody></table>")
