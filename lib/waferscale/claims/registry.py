"""The claims ledger: every testable claim of the article under test, with a computed verdict.

The article is ``shared/reference/seed_article.md`` (an investor's piece on Cerebras, 2026).
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
from .base import CHAPTERS, Claim, Status, Verdict

__all__ = ["Status", "Verdict", "Claim", "CHAPTERS", "CLAIMS", "ledger", "evaluate", "claim", "ledger_html", "summary"]

#: Every claim of the article, in ledger order (C01 ... C28), each from its chapter's module.
CLAIMS: tuple[Claim, ...] = tuple(sorted((*communication.CLAIMS, *yield_history.CLAIMS, *performance.CLAIMS,
                                          *suitability.CLAIMS, *outlook.CLAIMS, *lasting_idea.CLAIMS),
                                         key=lambda c: int(c.id[1:])))

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
