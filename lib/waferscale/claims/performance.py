"""Model-based verdicts for the performance chapter's claims (C01, C02, C14, C15, C16).

Named by :mod:`waferscale.claims.registry`; every figure comes from :mod:`waferscale.models.performance` with the
calibrated parameters of :mod:`waferscale.fit.perffit`. The article's claimed ratios are read from the
:class:`~waferscale.claims.Claim` only to compare with.
"""

from __future__ import annotations

from ..models import performance as pf
from ..fit import perffit as ff
from ..data.catalog import Catalog
from .base import CLAIMED, Status, Verdict

__all__ = ["SCENARIOS", "c01", "c02", "c14", "c15", "c16", "users_to_slow", "headline", "TRAINING", "training_setup",
           "training_scale"]

#: The conditions under which each headline is computed: (system, model, precision, chips, spec row).
SCENARIOS = {
    "c01_wafer": ("cs3", "llama3_1_8b", "bf16", None, "none"),
    "c01_gpu_best": ("h100_sxm", "llama3_1_8b", "fp8", 1, "none"),
    "c01_gpu_bf16": ("h100_sxm", "llama3_1_8b", "bf16", 1, "none"),
    "c02_wafer": ("cs3", "llama4_maverick", "bf16", None, "eagle3_maverick_k3_2025"),
    "c02_wafer_nospec": ("cs3", "llama4_maverick", "bf16", None, "none"),
    "c02_gpu": ("dgx_b200", "llama4_maverick", "fp8", 8, "eagle3_maverick_k3_2025"),
}


def _speed(cat: Catalog, key: str) -> float:
    return ff.predict_scenario(cat, SCENARIOS[key], ff.fitted(cat))


def headline(cat: Catalog) -> dict[str, float]:
    """Model speeds (tokens/s per user) of every scenario and the two headline ratios."""
    out = {k: _speed(cat, k) for k in SCENARIOS}
    out["c01_ratio_best"] = out["c01_wafer"] / out["c01_gpu_best"]
    out["c01_ratio_bf16"] = out["c01_wafer"] / out["c01_gpu_bf16"]
    out["c02_ratio"] = out["c02_wafer"] / out["c02_gpu"]
    out["c02_ratio_nospec"] = out["c02_wafer_nospec"] / out["c02_gpu"]
    return out


def users_to_slow(cat: Catalog, system_id: str, model_id: str, precision: str, target_tokens_per_s: float,
                  context_tokens: int = 1000) -> int | None:
    """Fewest concurrent users at which the system's per-user speed falls to ``target`` (None if it never does)."""
    prm = ff.fitted(cat)
    try:
        umax = pf.max_users(cat, system_id, model_id, precision=precision, context_tokens=context_tokens)
    except ValueError:
        return None
    lo, hi = 1, umax
    speed = lambda u: pf.decode(cat, system_id, model_id, precision=precision, users=u,  # noqa: E731
                                context_tokens=context_tokens, params=prm).tokens_per_s_per_user
    if speed(hi) > target_tokens_per_s:
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if speed(mid) <= target_tokens_per_s:
            hi = mid
        else:
            lo = mid + 1
    return lo


def _claimed(claim_id: str) -> float:
    """The article's number for one of this chapter's claims (:data:`waferscale.claims.base.CLAIMED`, never typed here)."""
    return CLAIMED.get(claim_id, (0.0, ""))[0]


def _srcs(cat: Catalog, *systems: str) -> tuple[str, ...]:
    out: list[str] = []
    for s in systems:
        out += list(pf.system(cat, s).sources)
    return tuple(dict.fromkeys(out))


def c01(cat: Catalog):
    """CS-3 vs H100 on Llama 3.1 8B at batch 1: model ratio, and the H100 load at which the claim holds."""
    h = headline(cat)
    claimed = _claimed("C01")
    users = users_to_slow(cat, "h100_sxm", "llama3_1_8b", "bf16", h["c01_wafer"] / claimed) if claimed else None
    load = (f"an H100 serving at least {users} concurrent users (16-bit), i.e. a loaded shared endpoint"
            if users else "no H100 load in memory reaches it")
    return Verdict(
        Status.HOLDS_IF, h["c01_ratio_best"], "x",
        f"model, batch 1: CS-3 {h['c01_wafer']:.0f} tok/s vs {h['c01_gpu_best']:.0f} on the fastest H100 set-up "
        f"(FP8, one GPU) = {h['c01_ratio_best']:.1f}x, {h['c01_ratio_bf16']:.1f}x vs 16-bit; the claimed "
        f"{claimed:g}x needs {load}",
        basis="model", sources=_srcs(cat, "cs3", "h100_sxm"),
    )


def c02(cat: Catalog):
    """CS-3 vs DGX B200 on Llama 4 Maverick at batch 1 (FP8 and EAGLE-3 on the GPU side)."""
    h = headline(cat)
    claimed = _claimed("C02")
    near = claimed and abs(h["c02_ratio"] / claimed - 1) <= 0.25
    return Verdict(
        Status.HOLDS_IF if near else Status.FAILS, h["c02_ratio"], "x",
        f"model, batch 1: {h['c02_ratio']:.2f}x with speculative decoding on both sides (B200: FP8 + EAGLE-3; "
        f"CS-3: 16-bit, same acceptance assumed), {h['c02_ratio_nospec']:.2f}x if the wafer decodes without it; "
        "a batch-1, best-tuned comparison on a 400B-total / 17B-active MoE",
        basis="model", sources=_srcs(cat, "cs3", "dgx_b200"),
    )


def _at(cat: Catalog, sid: str, mid: str, precision: str, users, ctx: int = 2048):
    return pf.decode(cat, sid, mid, precision=precision, users=users, context_tokens=ctx, params=ff.fitted(cat))


def c14(cat: Catalog):
    """Power of one CS-3 vs one DGX, and energy per token at batch 1 on Llama 3.1 70B."""
    w, g = _at(cat, "cs3", "llama3_1_70b", "bf16", 1), _at(cat, "dgx_h100", "llama3_1_70b", "bf16", 1)
    per_machine = pf.system(cat, "cs3").power_w / (pf.system(cat, "dgx_h100").power_w * pf.system(cat, "dgx_h100").chips)
    return Verdict(
        Status.HOLDS, per_machine, "x",
        f"one CS-3 draws {per_machine:.1f}x a DGX H100; at batch 1 on Llama 3.1 70B the {w.chips} CS-3 spend "
        f"{w.energy_per_token_j:.0f} J per token vs {g.energy_per_token_j:.0f} J on the DGX: high power, but "
        f"{g.time_per_token_s / w.time_per_token_s:.1f}x less time",
        basis="model", sources=_srcs(cat, "cs3", "dgx_h100"),
    )


def c15(cat: Catalog):
    """Energy per token at each system's maximum concurrency (Llama 3.1 70B, 16-bit, 2,048-token context)."""
    w, g = _at(cat, "cs3", "llama3_1_70b", "bf16", "max"), _at(cat, "dgx_b200", "llama3_1_70b", "bf16", "max")
    ratio = w.energy_per_token_j / g.energy_per_token_j
    return Verdict(
        Status.HOLDS if ratio > 1 else Status.FAILS, ratio, "x",
        f"at full memory the DGX B200 serves {g.users} users at {g.energy_per_token_j:.2f} J/token; the "
        f"{w.chips} CS-3 fit {w.users} users at {w.energy_per_token_j:.2f} J/token ({ratio:.0f}x more)",
        basis="model", sources=_srcs(cat, "cs3", "dgx_b200"),
    )


#: Training at system scale: the model and the batch of the largest published run in the catalog (its
#: validation row gives GPUs, sequence length and tokens per step).
TRAINING = {"model": "llama3_1_405b", "row": "llama3_train_16k_gpus_2024"}


def training_setup(cat: Catalog) -> dict:
    """Model, batch, sequence length, GPU count and the assumed utilisation for the training comparison."""
    from ..models import workloads as wl

    c = cat.measurement(TRAINING["row"])["conditions"]
    return {"model": wl.model(cat, TRAINING["model"]), "tokens_per_step": float(c["tokens_per_step"]),
            "seq_tokens": int(c["seq_tokens"]), "gpus": int(c["gpus"]),
            "utilisation": pf.Params().flop_efficiency}


def training_scale(cat: Catalog, utilisation: float | None = None) -> dict:
    """Step time and link energy at the largest scale, GPU clusters vs CS-3 wafers of equal dense peak.

    GPUs: the row's GPU count; wafers: as many CS-3 as give the same dense 16-bit peak as that many
    GB200-class GPUs. Returns the steps (``training.Step``) and the ratios the verdict quotes.
    ``utilisation`` overrides the assumed share of peak (the same on both sides).
    """
    from ..models import scaling as sc
    from ..models import training as tr

    t = training_setup(cat)
    if utilisation is not None:
        t["utilisation"] = utilisation
    kw = dict(tokens_per_step=t["tokens_per_step"], seq_tokens=t["seq_tokens"], utilisation=t["utilisation"])
    n = t["gpus"]
    wafers = round(n * sc._flops(cat, "b200") / sc._flops(cat, "wse3"))
    m = t["model"]
    out = {"gpus": n, "wafers": wafers, "model_name": m.name,
           "h100": tr.train_step(cat, sc.h100_ib(), m, n, **kw),
           "gb200": tr.train_step(cat, sc.gb200_xdr(), m, n, **kw),
           "gb200_cpo": tr.train_step(cat, sc.gb200_cpo(), m, n, **kw),
           "cs3": tr.train_step(cat, sc.cs3_ethernet(), m, wafers, **kw)}
    g, c, w = out["gb200"], out["gb200_cpo"], out["cs3"]
    power = pf.system(cat, "gb200_nvl72").power_w * n
    out.update(step_ratio=w.step_s / g.step_s, cpo_time_ratio=c.step_s / g.step_s,
               cpo_link_saving=1 - c.comm_energy_j / g.comm_energy_j,
               cpo_step_energy_saving=(g.comm_energy_j - c.comm_energy_j) / (power * g.step_s))
    return out


def c16(cat: Catalog):
    """Wafer wins per-user speed at batch 1; GPU wins throughput per kW at full concurrency (Llama 3.1 70B);
    at system scale (training), who has the shorter step and what co-packaged optics change."""
    w1, g1 = _at(cat, "cs3", "llama3_1_70b", "bf16", 1), _at(cat, "dgx_b200", "llama3_1_70b", "bf16", 1)
    wm, gm = _at(cat, "cs3", "llama3_1_70b", "bf16", "max"), _at(cat, "dgx_b200", "llama3_1_70b", "bf16", "max")
    speed = w1.tokens_per_s_per_user / g1.tokens_per_s_per_user
    per_kw = gm.tokens_per_s_per_kw / wm.tokens_per_s_per_kw
    ts = training_scale(cat)
    gpu_wins_scale = ts["step_ratio"] > 1
    cpo_faster = ts["cpo_time_ratio"] < 1
    ok = speed > 1 and per_kw > 1 and gpu_wins_scale
    why = ("the GPU cluster" if gpu_wins_scale else "the wafers")
    return Verdict(
        Status.HOLDS if ok and cpo_faster else Status.HOLDS_IF, per_kw, "x",
        f"one user: CS-3 {speed:.1f}x faster than a DGX B200; full load: the DGX gives {per_kw:.0f}x the tokens "
        f"per second per kW; training {ts['model_name']} on "
        f"{ts['gpus']:,} GB200 vs {ts['wafers']:,} CS-3 of equal peak, {why} has the shorter step "
        f"({ts['step_ratio']:.1f}x); co-packaged optics leave the step time unchanged "
        f"({ts['cpo_time_ratio']:.2f}x) and cut link energy by {ts['cpo_link_saving']:.0%}, "
        f"{ts['cpo_step_energy_saving']:.1%} of the step's energy: GPUs win at system scale, CPO is not why",
        basis="model", sources=_srcs(cat, "cs3", "dgx_b200", "gb200_nvl72")
        + tuple(cat.measurement(TRAINING["row"])["source"].split(";")),
    )

