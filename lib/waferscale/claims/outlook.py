"""Verdicts of the outlook chapter (C21-C26): physical limits, small dies, foundries, inference demand.

Each verdict is a pure function of the catalog; :mod:`waferscale.claims.registry` lists the claims
and names each one's verdict function."""

from __future__ import annotations

from ..data.catalog import Catalog
from ..models.redundancy import segment_cores
from .base import Status, Verdict, _missing, _srcs, format_quantity
from .yield_history import ERA_REFERENCE_DIE_MM2

__all__: list[str] = []


def _c21_power_density(cat: Catalog) -> Verdict:
    """Model (physics): heat flux of the wafer vs an H100 die, and against the conventional cooling limit."""
    from ..models import physics

    needs = [("cs3", "system_power_w"), ("wse3", "die_area_mm2"), ("h100_sxm", "tdp_w"), ("h100_sxm", "die_area_mm2"),
             ("cooling_conventional", "heat_flux_w_per_cm2")]
    if (gap := _missing(cat, needs)) is not None:
        return gap
    hs = physics.heat_sources(cat).set_index("device")
    wafer = float(hs.loc["WSE-3 (CS-3 power)", "w_per_cm2"])
    gpu = float(hs.loc["H100 SXM", "w_per_cm2"])
    limit = cat.value("cooling_conventional", "heat_flux_w_per_cm2")
    ratio = wafer / gpu
    status = Status.FAILS if ratio < 1 else Status.HOLDS
    return Verdict(
        status, ratio, "x",
        f"even charging all system power to the wafer, its flux is {wafer:.0f} W/cm² vs {gpu:.0f} W/cm² for an "
        f"H100 (TDP incl. HBM) and a conventional limit of {limit:.0f} W/cm²: density is not the wall; total power "
        f"per part ({cat.value('cs3', 'system_power_w') / 1e3:.0f} kW) and its delivery are",
        basis="model", sources=_srcs(cat, needs),
        sentence=(f"Power density is not the wall: even charged with all of a CS-3's power, the wafer's heat flux is "
                  f"{format_quantity(ratio, 'x')} an H100's; total power per part and its delivery are the limit."),
    )


def _c22_signal_delay(cat: Catalog) -> Verdict:
    """Model (physics): crossing 21.5 cm by time of flight, RC wire and mesh, in clock cycles."""
    from ..models import physics

    needs = [("wse3", "die_area_mm2"), ("wse3", "clock_hz"), ("sio2", "relative_permittivity"),
             ("wire_45nm_m8", "resistivity_ohm_m"), ("wse3", "mesh_width_pe"), ("wse3", "hop_latency_cycles")]
    if (gap := _missing(cat, needs)) is not None:
        return gap
    c = physics.wafer_crossing(physics.wafer_die(cat), physics.wire_from_catalog(cat))
    tof = c.cycles("tof_sio2_s")
    status = Status.HOLDS_IF if tof > 1 else Status.FAILS
    return Verdict(
        status, tof, " cycles",
        f"light in SiO₂ needs {tof:.2f} clock cycles to cross {c.length_m * 100:.1f} cm, a repeated wire "
        f"{c.cycles('rc_repeated_s'):.1f}, a bare RC wire {c.cycles('rc_unrepeated_s'):.0f}: one global synchronous "
        f"cycle is impossible, so this holds as a limit on global synchrony; the mesh sidesteps it by pipelining "
        f"({c.mesh_hops:.0f} hops, {c.mesh_s * 1e6:.2f} µs corner to corner), and fault tolerance is not what fixes it",
        basis="model", sources=_srcs(cat, needs),
        sentence=(f"Signal delay is a physical limit on global synchrony, not on the wafer as built: light in SiO₂ "
                  f"needs {format_quantity(tof, ' cycles')} to cross it, so one global clock cycle is impossible, and "
                  "the mesh designs around that by pipelining."),
    )


def _c23_small_dies(cat: Catalog) -> Verdict:
    """Model (economics): cost per good mm² of a reticle-size perfect die, 100 mm² dies, chiplets, the wafer."""
    from ..models import economics as ec

    needs = [("reticle_field", "die_area_mm2"), ("wse3", "die_area_mm2"), ("wse3", "core_area_mm2"),
             ("wse3", "cores_physical"), ("amd_hc2017_epyc", "extra_silicon_fraction")]
    if (gap := _missing(cat, needs)) is not None:
        return gap
    node = cat.value("wse3", "process_nm")
    price, prow = ec.node_price_usd(cat, node)
    d, drow = ec.node_density(cat, node)
    reticle = cat.value("reticle_field", "die_area_mm2")
    small = float(ec.cost_per_good_mm2_monolithic(ERA_REFERENCE_DIE_MM2, d, price))
    big = float(ec.cost_per_good_mm2_monolithic(reticle, d, price))
    wafer = float(ec.cost_per_good_mm2_redundant(cat.value("wse3", "die_area_mm2"), cat.value("wse3", "core_area_mm2"),
                                                 d, price, segment_cores(cat, "wse3")))
    status = Status.HOLDS_IF if wafer < big else Status.HOLDS
    return Verdict(
        status, big / small, "x",
        f"at {d:g} defects/cm² and ${price:,.0f} per wafer a perfect reticle-size die costs {big / small:.1f}x as much "
        f"per good mm² as {ERA_REFERENCE_DIE_MM2:.0f} mm² dies (${big:.2f} vs ${small:.2f}); holds against dies that "
        f"must be perfect, but the redundant wafer's silicon costs ${wafer:.2f} per good mm², "
        f"{wafer / small:.1f}x the small dies: spares, not small size, are what make big silicon affordable",
        sentence=(f"Small dies are cheaper per good mm² only against dies that must be perfect: a perfect reticle-size "
                  f"die costs {format_quantity(big / small, 'x')} as much per good mm² as {ERA_REFERENCE_DIE_MM2:.0f} mm² "
                  f"dies, but the redundant wafer only {format_quantity(wafer / small, 'x')}, so spares, not small size, decide the cost."),
        basis="model", sources=(prow["source"], drow["source"], *_srcs(cat, needs)),
    )


def _c24_foundry_path(cat: Catalog) -> Verdict:
    """Model (market.roadmap): how much silicon TSMC's packaging integrates per module, by year."""
    from ..models import market as mk

    road = mk.roadmap(cat)
    if road.empty:
        return Verdict(Status.PENDING, None, "", "catalog lacks the packaging roadmap", basis="none")
    cowos = road[road["id"].str.startswith("cowos")].sort_values("year", kind="stable")
    growth = float(cowos["reticles"].iloc[-1] / cowos["reticles"].iloc[0])
    sow = road[road["id"].str.startswith("sow")]
    frac = float(sow["wafer_fraction"].max()) if not sow.empty else float("nan")
    return Verdict(
        Status.HOLDS_IF, growth, "x",
        f"TSMC does favour modules built from reticle-size dies, but its modules grow {growth:.1f}x in integrated "
        f"silicon from {int(cowos['year'].iloc[0])} to {int(cowos['year'].iloc[-1])} and its system-on-wafer targets "
        f"{frac:.0%} of a WSE's area: holds only if 'modular' means chiplets, since the foundry path leads to wafer-size "
        "modules (a counterpoint to the claim)",
        basis="model", sources=tuple(dict.fromkeys(road["source"])),
        sentence=(f"The foundry favours modular packaging only if 'modular' means chiplets: TSMC's modules grow "
                  f"{format_quantity(growth, 'x')} in integrated silicon across its roadmap, towards wafer size."),
    )


def _c25_inference_share(cat: Catalog) -> Verdict:
    """Model (market.inference_share): inference / training compute ratio from sourced estimates."""
    from ..models import market as mk

    s = mk.inference_share(cat)
    if s.empty:
        return Verdict(Status.PENDING, None, "", "catalog lacks inference-share estimates", basis="none")
    firm = s[s["grade"] != "uncertain"]
    latest, forecast = firm.iloc[-1], s.iloc[-1]
    ahead = s[s["ratio"] > 1.5]
    status = Status.HOLDS if float(latest["ratio"]) > 1.5 else Status.HOLDS_IF
    when = f"{int(ahead['year'].iloc[0])} ({ahead['grade'].iloc[0].replace('_', ' ')})" if not ahead.empty else "no year"
    return Verdict(
        status, float(latest["ratio"]), "x",
        f"inference/training compute was {float(latest['ratio']):.1f}x in {int(latest['year'])} (the last estimate not "
        f"graded uncertain); 'much higher' (over 1.5x) first appears in {when}; the furthest forecast "
        f"({int(forecast['year'])}) says at least {float(forecast['inference_share']):.0%}",
        basis="model", sources=tuple(dict.fromkeys(s["source"])),
        sentence=(f"Inference's dominance rests on forecasts: the last estimate not graded uncertain puts inference at "
                  f"{format_quantity(float(latest['ratio']), 'x')} training's compute in {int(latest['year'])}, and "
                  f"'much higher' first appears in {when}."),
    )


def _c26_mainstream(cat: Catalog) -> Verdict:
    """The four reasons' verdicts combined, with what would flip the conclusion."""
    parts = {cid: fn(cat) for cid, fn in (("C21", _c21_power_density), ("C22", _c22_signal_delay),
                                           ("C23", _c23_small_dies), ("C24", _c24_foundry_path),
                                           ("C25", _c25_inference_share))}
    if any(v.status is Status.PENDING for v in parts.values()):
        return Verdict(Status.PENDING, None, "", "a reason is not yet modelled", basis="none")
    standing = sum(v.status is not Status.FAILS for v in parts.values())
    fails = [k for k, v in parts.items() if v.status is Status.FAILS]
    from ..models import market as mk

    comp = mk.company_table(cat)
    conc = comp.dropna(subset=["customer_share"]).sort_values("year", kind="stable")
    share = float(conc["customer_share"].iloc[-1]) if not conc.empty else float("nan")
    return Verdict(
        Status.HOLDS_IF, float(standing), f" of {len(parts)} reasons",
        f"{standing} of the {len(parts)} quantified reasons stand at least conditionally ({', '.join(fails) or 'none'} "
        f"fails); the company still draws {share:.0%} of revenue from its largest customers. It would flip if wafer "
        "systems matched GPU racks on cost per token at high concurrency, if the foundry's system-on-wafer made "
        "wafer-size modules a standard product, or if revenue stopped depending on a few buyers",
        basis="model", sources=tuple(dict.fromkeys(s for v in parts.values() for s in v.sources)) + tuple(conc["source"]),
        sentence=(f"'Unlikely to become mainstream' holds only under a condition: {standing} of the {len(parts)} "
                  f"quantified reasons stand at least conditionally ({', '.join(fails) or 'none'} fails), and the case "
                  "rests on cost per token at high concurrency, customer concentration and the foundry path, not on physics."),
    )

