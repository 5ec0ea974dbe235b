"""Energy per generated token from energy per bit and per FLOP, beside the system-power figure.

:func:`waferscale.models.performance.decode` gives energy per token as system power × time ÷ tokens. This
module builds it bottom-up from sourced per-operation energies (``parameters.csv``, kind
``energy``; link tiers from ``links.csv``) for the same configuration:

.. math::

   E_\\text{tok} = \\underbrace{\\frac{8\\,(B_w(g) + g\\,C\\,b_{kv})}{g}\\,e_\\text{mem}}_{\\text{weights + KV}}
   + \\underbrace{F_\\text{tok}\\,e_\\text{FLOP}}_{\\text{arithmetic}}
   + \\underbrace{8\\,h\\,b\\,\\big(4L(T-1)\\,e_\\text{up} + (S-1)\\,e_\\text{out}\\big)}_{\\text{GPU links}}

where g users share one read of the weights (the decode model's group), e_mem is HBM's energy per
bit on a GPU and local SRAM's on a wafer. On a wafer the link term is the activations crossing each
layer's region, f·√A hops at the fabric's energy per hop, plus the hand-offs between wafers over
the scale-out path. What the bottom-up sum leaves out of the system figure — static and idle power,
cooling, power delivery, host CPUs, and time spent waiting on latency — is the remainder.

Examples
--------
>>> from waferscale.data import catalog
>>> d = breakdown(catalog.load(), "dgx_h100", "llama3_1_70b", params=pf.Params())
>>> d["memory_j"] > d["arithmetic_j"] > 0 and d["system_j"] > d["modelled_j"]
True
"""

from __future__ import annotations

import math

from . import interconnect as ic
from . import performance as pf
from . import workloads as wl
from ..data.catalog import Catalog

__all__ = ["ENERGY_ROWS", "breakdown", "breakdown_table"]

#: The catalog rows the bottom-up sum uses: (parameter id, field) per role.
ENERGY_ROWS = {"hbm": ("hbm2_access", "energy_j_per_bit"), "sram": ("sram_32kb_access", "energy_j_per_bit"),
               "flop": ("fp16_fma", "energy_j_per_flop")}


def breakdown(cat: Catalog, system_id: str, model_id: str, *, precision: str = "bf16", users: int | str = 1,
              context_tokens: int = 2048, params: pf.Params) -> dict:
    """Joules per generated token by part (memory, arithmetic, links), their sum, and the system figure.

    Returns a dict: memory_j, arithmetic_j, links_j, modelled_j (their sum), system_j (power × time ÷
    tokens from :func:`waferscale.models.performance.decode`), other_j (system − modelled), users, chips,
    and sources (keys of the energy rows).
    """
    prm = params
    d = pf.decode(cat, system_id, model_id, precision=precision, users=users, context_tokens=context_tokens,
                  params=prm)
    s, m = pf.system(cat, system_id), wl.model(cat, model_id)
    b = wl.bytes_per_value(precision)
    u, C, L, h = d.users, float(context_tokens), m.layers, m.hidden_size
    _, up_id, out_id = pf.system_links(cat)[system_id]
    e_flop = cat.value(*ENERGY_ROWS["flop"])
    srcs = [cat.fact(*ENERGY_ROWS["flop"]).source]
    if s.kind == "wafer":
        g = math.ceil(u / min(u, L))
        e_mem = cat.value(*ENERGY_ROWS["sram"])
        srcs.append(cat.fact(*ENERGY_ROWS["sram"]).source)
        fab = ic.tier(cat, up_id)
        sram_pe = s.mem_bytes / s.pes
        region = min(max(float(m.active_params(1)) / L * b / sram_pe, 1.0), s.pes)
        hops = prm.wafer_hop_factor * math.sqrt(region)
        path = ic.scaleout_path(cat, max(d.chips, 2)).total_j_per_bit
        links = 8 * h * b * (L * hops * fab.require("energy") + (d.chips - 1) * path)
        srcs += list(fab.sources)
    else:
        tp = min(d.chips, s.domain_chips)
        pp = math.ceil(d.chips / tp)
        g = math.ceil(u / pp)
        e_mem = cat.value(*ENERGY_ROWS["hbm"])
        srcs.append(cat.fact(*ENERGY_ROWS["hbm"]).source)
        up = ic.tier(cat, up_id)
        path = ic.scaleout_path(cat, max(d.chips, 2)).total_j_per_bit
        links = 8 * h * b * (4 * L * (tp - 1) * (up.energy_j_per_bit or 0.0) + (pp - 1) * path)
        srcs += list(up.sources)
    mem_bytes = float(m.active_bytes(precision, g)) + g * C * m.kv_bytes_per_token(precision)
    memory = 8 * mem_bytes / g * e_mem
    arithmetic = float(m.flops_per_token(C)) * e_flop
    modelled = memory + arithmetic + links
    return {"system": system_id, "model": model_id, "users": u, "chips": d.chips, "memory_j": memory,
            "arithmetic_j": arithmetic, "links_j": links, "modelled_j": modelled, "system_j": d.energy_per_token_j,
            "other_j": d.energy_per_token_j - modelled,
            "sources": tuple(dict.fromkeys(k for x in srcs for k in str(x).split(";")))}


def breakdown_table(cat: Catalog, cases: dict[str, tuple], params: pf.Params, users=(1, "max"),
                    context_tokens: int = 2048):
    """:func:`breakdown` for each labelled (system, model, precision) case at each concurrency, as a DataFrame."""
    import pandas as pd

    rows = []
    for label, (sid, mid, prec) in cases.items():
        for u in users:
            r = breakdown(cat, sid, mid, precision=prec, users=u, context_tokens=context_tokens, params=params)
            r["case"] = label
            r["load"] = "1 user" if u == 1 else "full memory"
            rows.append(r)
    return pd.DataFrame(rows)
