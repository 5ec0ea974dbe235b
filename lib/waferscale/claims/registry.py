"""The claims ledger: every testable claim of the article under test, with a computed verdict.

The article is an investor's piece on Cerebras (2026), ``investor2026cerebras`` in ``references.bib``.
Each :class:`Claim` names the chapter that tests it and a *verdict function*: a pure function of
the :class:`~waferscale.data.catalog.Catalog` that computes the model's (or the data's) figure and
returns a :class:`Verdict`. No verdict is typed: change a catalog row or a model parameter and
the verdict can change. Each claim's row states the figure's label and the one scenario it is computed
under; :func:`evaluate` is the one evaluation every page shows (``waferscale.book.glue.glue_claim``).

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
from .base import CHAPTERS, CLAIMED, PHRASE, Claim, Status, Verdict, format_quantity, pretty_exponents

__all__ = ["Status", "Verdict", "Claim", "CHAPTERS", "CLAIMS", "C07_EVENTS", "ledger", "evaluate", "claim", "ledger_html",
           "summary", "default_sentence"]

#: The dated events of the catalog that C07 (software) is judged on: the early wafer-scale efforts and how each ended.
C07_EVENTS = ("ti_itt_wsi_1980", "trilogy_chip_1983", "trilogy_elxsi_1985", "anamartic_wafer_stack_1989",
              "anamartic_folds_1992")


def _c07_software_record(cat: Catalog) -> Verdict:
    """Historical evidence: what the catalog's record of early wafer-scale efforts says ended them.

    No physical model tests whether software could program those machines; the verdict lists the events
    it rests on (their titles, dates and sources) and counts them as its figure.
    """
    ev = cat.events.set_index("id")
    have = [e for e in C07_EVENTS if e in ev.index]
    if not have:
        return Verdict(Status.PENDING, None, "", "the catalog holds none of the events C07 rests on", basis="none")
    rows = ev.loc[have]
    listing = "; ".join(f"{str(r.date)[:4]}: {r.title}" for r in rows.itertuples())
    return Verdict(
        Status.EVIDENCE, float(len(have)), " events",
        f"no physical quantity tests it; the record ({listing}) shows the early efforts ending on yield, cost, "
        "capital and wafer supply, and none names software as the obstacle, so the record does not support "
        "software as a reason of that era",
        basis="historical record", sources=tuple(dict.fromkeys(rows["source"])),
        sentence=(f"The software reason (C07) is judged on the historical record: {len(have)} dated events of the "
                  "catalog show the early wafer-scale efforts ending on yield, cost and wafer supply, and none names "
                  "software as the obstacle."),
    )


#: Every claim of the article, in ledger order, each with its chapter's verdict function.
CLAIMS: tuple[Claim, ...] = (
    Claim("C01", "intro", "up to 20 times that of H100",
          "On small models, Cerebras infers up to ~20x faster than an H100.", "performance", "quantitative",
          performance.c01, *CLAIMED["C01"],
          label='speed ratio CS-3 / fastest H100, tokens/s per user',
          scenario='Llama 3.1 8B, one user: CS-3 at 16-bit vs one H100 SXM at FP8 (its fastest set-up); decode model calibrated on published speeds'),
    Claim("C02", "intro", "about 2.4 times that of B200",
          "For a ~400B-parameter model, one user gets ~2.4x the speed of a B200 system on a CS-3.", "performance",
          "quantitative", performance.c02, *CLAIMED["C02"],
          label='speed ratio CS-3 / DGX B200, tokens/s per user',
          scenario='Llama 4 Maverick (400B total, 17B active), one user: CS-3 at 16-bit vs a DGX B200 (8 GPUs) at FP8, EAGLE-3 speculative decoding on both'),
    Claim("C03", "intro", "from 'raw compute' to 'communication'",
          "AI hardware progress is now limited by communication and system architecture more than raw compute.",
          "communication", "qualitative", communication._c03_compute_outpaces_communication,
          label='growth of GPU compute / growth of its faster memory or link bandwidth',
          scenario='A100 SXM to B200: dense 16-bit FLOP/s against HBM and NVLink bandwidth per GPU (spec sheets)'),
    Claim("C04", "1", "how to not need connections",
          "A wafer's on-chip network replaces cross-node communication for a whole model.", "communication",
          "qualitative", communication._c04_no_connections,
          label='CS-3 wafers needed to hold the model',
          scenario='Llama 3.1 70B, 16-bit weights in on-wafer SRAM, decoding for one user'),
    Claim("C05", "2", "Yield cannot support it",
          "In the 1980s yield made wafer-scale chips impossible.", "yield_history", "quantitative",
          yield_history._c05_yield_1980s,
          label='cost ratio of good silicon, Trilogy-size chip / 1 cm² dies',
          scenario="a 40 cm² chip at the era's textbook density of 1 defect/cm², the most forgiving of four yield models"),
    Claim("C06", "2", "Lack of fault-tolerance mechanisms",
          "Early wafer-scale efforts failed for want of fault tolerance.", "yield_history", "qualitative",
          yield_history._c06_fault_tolerance,
          label='probability that a Trilogy-size chip works with WSE-size spare units',
          scenario='a 40 cm² chip at 1 defect/cm², one spare per segment as on WSE-3: WSE-core-sized vs GPU-SM-sized units'),
    Claim("C07", "2", "Software cannot support it",
          "Software could not program wafer-scale machines then.", "yield_history", "qualitative",
          _c07_software_record,
          label='events on record behind the verdict',
          scenario="the catalog's dated record of wafer-scale efforts, 1969 to 1992"),
    Claim("C08", "2", "from 'perfect hardware' to 'fault-tolerant systems'",
          "The enabling change is tolerating defects instead of demanding perfect dies.", "yield_history",
          "quantitative", yield_history._c08_fault_tolerant_systems,
          label='probability that a WSE-3 delivers its full core array',
          scenario="WSE-3 at the catalog's latest defect density, one spare per segment, vs a wafer that must be perfect"),
    Claim("C09", "2", "high parallelism, strong synchronization",
          "AI workloads suit wafers: highly parallel, tightly synchronised, communication-driven.", "suitability",
          "qualitative", suitability.verdict_c09,
          label='share of AI workloads both communication-bound and regular',
          scenario='five AI workload profiles (training, long context, decode at 1 and 256 users, MoE inference): H100 clusters vs CS-3'),
    Claim("C10", "3.1", "lowest latency, lowest energy consumption",
          "Purely on-chip communication gives the lowest latency and energy.", "communication", "quantitative",
          communication._c10_on_chip_lowest,
          label='latency ratio NVLink 4 / wafer mesh, one activation to the next layer',
          scenario='Llama 3.1 70B decode: one 16-bit activation between neighbouring layers on a WSE-3 vs between two H100s over NVLink 4'),
    Claim("C11", "3.1", "still involves optical-electrical conversion",
          "Co-packaged optics still pays for optical-electrical conversion.", "communication", "quantitative",
          communication._c11_cpo_conversion,
          label="share of a CPO-switched bit's energy spent in optical-electrical conversion",
          scenario='GPU to GPU through one co-packaged-optics switch, host links and NICs as in the catalog'),
    Claim("C12", "3.2", "once crossing chips → back to communication",
          "Once a model spans several wafers, Cerebras is back to communication limits.", "communication",
          "quantitative", communication._c12_crossing_chips,
          label='all-reduce bandwidth per FLOP, 16 H100 / 16 CS-3',
          scenario='all-reduce of 1 GB per chip, 16 chips on each side: two DGX H100 on InfiniBand NDR (hierarchical) vs 16 CS-3 on their Ethernet I/O (ring), per dense 16-bit FLOP/s'),
    Claim("C13", "3.2", "bandwidth can be sustainably expanded",
          "CPO lets system bandwidth keep scaling.", "communication", "quantitative",
          communication._c13_cpo_expansion,
          label='share of all-reduce bandwidth per GPU kept from 144 to 16,384 GB200',
          scenario='GB200 NVL72 racks on a non-blocking co-packaged-optics fat tree, 1 GB all-reduce'),
    Claim("C14", "3.3", "extremely high power consumption for a single machine",
          "A single Cerebras machine draws very high power, but communicates efficiently.", "performance",
          "quantitative", performance.c14,
          label='power ratio, one CS-3 / one DGX H100',
          scenario='system power at full load; energy per token at one user on Llama 3.1 70B, 16-bit, 2,048-token context (4 CS-3 vs one DGX H100)'),
    Claim("C15", "3.3", "overall system efficiency is more balanced",
          "GPU+CPO systems keep per-node power controllable and system efficiency balanced.", "performance",
          "qualitative", performance.c15,
          label='energy-per-token ratio CS-3 / DGX B200 at full concurrency',
          scenario='Llama 3.1 70B, 16-bit weights, 2,048-token context, each system at the most users its memory holds (4 CS-3 vs one DGX B200)'),
    Claim("C16", "3", "Cerebras wins at 'single-machine limits'",
          "Cerebras wins at single-machine limits; CPO/GPU wins at system scale.", "performance", "quantitative",
          performance.c16,
          label='throughput-per-kW ratio DGX B200 / CS-3 at full concurrency',
          scenario='Llama 3.1 70B, 16-bit, 2,048-token context at the most users memory holds (4 CS-3 vs one DGX B200); training Llama 3.1 405B on 16,384 GB200 vs CS-3 of equal peak'),
    Claim("C17", "4", "Is communication a bottleneck?",
          "Three questions decide suitability: communication bottleneck, centralisable, regular.", "suitability",
          "qualitative", suitability.verdict_c17,
          label='share of named workloads whose class the three questions reproduce',
          scenario="the ten workload profiles the article classifies, on H100 clusters vs CS-3, the suitability model's default thresholds"),
    Claim("C18", "4", "highly suitable for large model training",
          "Dense-model training, very long context and PDE/CFD HPC are highly suitable.", "suitability",
          "quantitative", suitability.verdict_c18,
          label="share of the article's highly suitable workloads that derive so",
          scenario='dense training, long context, stencil PDE/CFD and molecular dynamics profiles, H100 clusters vs CS-3'),
    Claim("C19", "4", "partially suitable",
          "Low-concurrency inference and graph computing are partially suitable.", "suitability", "quantitative",
          suitability.verdict_c19,
          label="share of the article's partially suitable workloads that derive so",
          scenario='LLM inference at one user and graph analytics profiles, H100 clusters vs CS-3'),
    Claim("C20", "4", "Not suitable for CPU",
          "General CPU work, high-concurrency inference, edge chips and real-time systems are not suitable.",
          "suitability", "quantitative", suitability.verdict_c20,
          label="share of the article's unsuitable workloads that derive so",
          scenario='general CPU work, LLM inference at 256 users, edge and real-time profiles, H100 vs CS-3'),
    Claim("C21", "5", "power density",
          "Power density is a physical limit that fault tolerance cannot fix.", "outlook", "quantitative",
          outlook._c21_power_density,
          label='heat-flux ratio WSE-3 / H100 die',
          scenario="all CS-3 system power charged to the wafer's area vs an H100 SXM's TDP (HBM included) over its die"),
    Claim("C22", "5", "signal delay",
          "Signal delay across a wafer is a physical limit.", "outlook", "quantitative",
          outlook._c22_signal_delay,
          label='clock cycles for light in SiO₂ to cross the wafer',
          scenario="the WSE-3's side at its clock; time of flight, repeated and bare RC wires, the mesh"),
    Claim("C23", "5", "higher yield for small dies; chiplet flexibility",
          "Small dies and chiplets are cheaper per good mm².", "outlook", "quantitative",
          outlook._c23_small_dies,
          label='cost ratio per good mm², perfect reticle-size die / 100 mm² dies',
          scenario="the WSE-3's process node: the catalog's wafer price and defect density, Poisson yield, dies that must be perfect"),
    Claim("C24", "5", "favor modular, multi-client reuse",
          "Foundries favour modular packaging over ultra-large monoliths.", "outlook", "qualitative",
          outlook._c24_foundry_path,
          label='growth of silicon per TSMC module, first to last roadmap year',
          scenario="TSMC's CoWoS roadmap (reticles per module) and its system-on-wafer"),
    Claim("C25", "5", "inference accounts for a much higher proportion",
          "Inference now dominates demand; multi-task, high-concurrency use is becoming mainstream.", "outlook",
          "quantitative", outlook._c25_inference_share,
          label='inference / training compute, latest estimate not graded uncertain',
          scenario='sourced estimates of the AI compute spent on inference vs training'),
    Claim("C26", "5", "unlikely to become mainstream",
          "Wafer-scale is unlikely to become mainstream.", "outlook", "qualitative",
          outlook._c26_mainstream,
          label='reasons of the article (C21 to C25) that stand at least conditionally',
          scenario="the five quantified reasons as computed in this ledger, and the company's customer concentration"),
    Claim("C27", "6", "chiplet-level fault tolerance",
          "Fault-tolerant design (chiplet-level spares, package-level rerouting) will spread.", "lasting_idea",
          "quantitative", lasting_idea._c27_chiplet_spares,
          label='saving in cost per good package from the best number of spare chiplets',
          scenario="4 chiplets of 213 mm² (AMD's first EPYC) at the 5 nm defect density, no known-good-die test"),
    Claim("C28", "6", "a best practice for all chip companies",
          "Cerebras is a best practice to learn from, not NVIDIA's killer; GPUs already tolerate faults.",
          "lasting_idea", "qualitative", lasting_idea._c28_best_practice,
          label='ratio of sellable H100 dies, with spare SMs / all SMs required',
          scenario="H100 SXM (144 SMs, 132 enabled) at the catalog's latest defect density, Poisson segment yield"),
)

_BY_ID = {c.id: c for c in CLAIMS}


def claim(claim_id: str) -> Claim:
    """The claim with id ``claim_id`` (e.g. ``"C01"``)."""
    if claim_id not in _BY_ID:
        raise ValueError(f"claim_id={claim_id!r} is not in the ledger; allowed: {', '.join(_BY_ID)}")
    return _BY_ID[claim_id]


def default_sentence(c: Claim, v: Verdict) -> str:
    """One grammatical sentence for a verdict whose function gives none: claim, status, and the labelled figure."""
    figure = f": {v.label or 'figure'}, {v.figure_text}" if v.figure_text else ""
    return f"Claim {c.id} ({c.quote}) {PHRASE[v.status]}{figure}."


def evaluate(claim_id: str, cat: Catalog | None = None) -> Verdict:
    """Run one claim's verdict function on the catalog: the one :class:`Verdict` every page shows.

    The verdict's ``label`` and ``scenario`` come from the function where it sets them, else from the claim's
    ledger row (:class:`Claim`); ``sentence`` from the function, else :func:`default_sentence`.
    """
    import dataclasses

    c = claim(claim_id)
    v = c.verdict(cat if cat is not None else _catalog.load())
    if not isinstance(v, Verdict):
        raise TypeError(f"verdict function of {claim_id} returned {type(v).__name__}, not Verdict")
    v = dataclasses.replace(v, label=v.label or c.label, scenario=v.scenario or c.scenario,
                            detail=pretty_exponents(v.detail))
    return dataclasses.replace(v, sentence=pretty_exponents(v.sentence or default_sentence(c, v)))


def ledger(cat: Catalog | None = None) -> pd.DataFrame:
    """The whole ledger as a table: one row per claim, verdicts computed now.

    Columns: id, section, quote, claim, chapter, chapter_title, kind, claimed, verdict, figure,
    unit, label, figure_text, scenario, sentence, basis, detail, sources.
    """
    cat = cat if cat is not None else _catalog.load()
    rows = []
    for c in CLAIMS:
        v = evaluate(c.id, cat)
        rows.append({
            "id": c.id, "section": c.section, "quote": c.quote, "claim": c.paraphrase, "chapter": c.chapter,
            "chapter_title": CHAPTERS[c.chapter], "kind": c.kind,
            "claimed": c.claimed, "verdict": v.status.value, "figure": v.figure, "unit": v.unit,
            "label": v.label, "figure_text": v.figure_text, "scenario": v.scenario, "sentence": v.sentence,
            "basis": v.basis, "detail": v.detail, "sources": ";".join(v.sources),
        })
    return pd.DataFrame(rows)


_BADGE = {
    # black text on every badge: white on these Okabe-Ito colours is below WCAG's 4.5:1 (3.4 and 3.9)
    Status.HOLDS.value: ("#009E73", "black"),
    Status.HOLDS_IF.value: ("#E69F00", "black"),
    Status.FAILS.value: ("#D55E00", "black"),
    Status.EVIDENCE.value: ("#56B4E9", "black"),
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

    head = ("<thead><tr><th>id</th><th style=\"width:32%\">the article says</th>"
            "<th>verdict, figure, scenario and reason</th><th style=\"width:14%\">tested in</th></tr></thead>")
    body = []
    for r in table.itertuples():
        bg, fg = _BADGE[r.verdict]
        chap = esc(r.chapter_title)
        if r.chapter in built_chapters:
            chap = f'<a href="{esc(r.chapter)}.html">{chap}</a>'
        fig = (f" <b class=\"ws-figure\">{esc(r.figure_text)}</b><br><span class=\"ws-label\">{esc(r.label)}</span>"
               if r.figure_text else "")
        claimed = ("" if r.claimed is None or pd.isna(r.claimed)
                   else f" (the article: {esc(format_quantity(r.claimed, r.unit or 'x'))})")
        scen = f"<br><small><i>scenario:</i> {esc(r.scenario)}</small>" if r.scenario else ""
        figure_attr = "" if r.figure is None or pd.isna(r.figure) else f"{float(r.figure):.6g}"
        body.append(
            f"<tr data-claim=\"{esc(r.id)}\" data-figure=\"{figure_attr}\"><td>{esc(r.id)}</td>"
            f"<td>{esc(r.claim)}<br><small><i>&ldquo;{esc(r.quote)}&rdquo;</i></small></td>"
            f"<td><span class=\"ws-verdict\" style=\"background:{bg};color:{fg};"
            f"padding:1px 6px;border-radius:3px;white-space:nowrap\">{esc(r.verdict)}</span>{fig}{claimed}{scen}"
            f"<details><summary><small>reason</small></summary><small>{esc(r.detail)}</small></details></td>"
            f"<td><small>{chap}</small></td></tr>"
        )
    return (f'<table class="ws-ledger table" style="width:100%;font-size:0.9em">'
            f"<caption>The claims ledger: {len(table)} claims of the article, verdicts computed when this page was built."
            f"</caption>{head}<tbody>{''.join(body)}</tbody></table>")
