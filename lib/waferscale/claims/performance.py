"""Model-based verdicts for the performance chapter's claims (C01, C02, C14, C15, C16).

Named by :mod:`waferscale.claims.registry`; every serving figure comes from :mod:`waferscale.models.serving` with
the calibrated parameters of :mod:`waferscale.fit.servefit` (a claim's own wafer row left out of the fit); the
training comparison from :mod:`waferscale.models.training`. The article's claimed ratios are read from the
:class:`~waferscale.claims.Claim` only to compare with.
"""

from __future__ import annotations

from ..models import serving as sv
from ..data.catalog import Catalog
from .base import CLAIMED, Status, Verdict

__all__ = ["SCENARIOS", "c01", "c02", "c14", "c15", "c16", "users_to_slow", "headline", "TRAINING", "training_setup",
           "training_scale", "point"]

#: One scenario per claim (stated in the ledger): (system, model, precision, objective, spec, measured row).
#: Request mix 1,000 input / 1,000 output tokens throughout. ``spec`` names the acceptance row of EAGLE-3 or is
#: "none". The wafer side of C01 and C02 is computed with the wafer constant fitted *without* its measured row.
SCENARIOS = {
    "c01_wafer": ("cs3", "llama3_1_8b", "bf16", "users=1", "none", "cer_llama31_8b_2024"),
    "c01_gpu_best": ("h100_sxm", "llama3_1_8b", "fp8", "users=1", "none", "h100_best_llama31_8b_2024"),
    "c01_gpu_bf16": ("h100_sxm", "llama3_1_8b", "bf16", "users=1", "none", None),
    "c02_wafer": ("cs3", "llama4_maverick", "bf16", "users=1", "none", "cer_maverick_2025"),
    "c02_wafer_spec": ("cs3", "llama4_maverick", "bf16", "users=1", "eagle3_maverick_k3_2025", "cer_maverick_2025"),
    "c02_gpu": ("dgx_b200", "llama4_maverick", "fp8", "users=1", "eagle3_maverick_k3_2025", "dgxb200_maverick_2025"),
    "c14_wafer": ("cs3", "llama3_1_70b", "bf16", "users=1", "none", None),
    "c14_gpu": ("dgx_h100", "llama3_1_70b", "bf16", "users=1", "none", None),
    "c15_wafer": ("cs3", "llama3_1_70b", "bf16", "max_throughput", "none", None),
    "c15_gpu": ("dgx_b200", "llama3_1_70b", "bf16", "max_throughput", "none", None),
    "c16_wafer_1": ("cs3", "llama3_1_70b", "bf16", "users=1", "none", None),
    "c16_gpu_1": ("dgx_b200", "llama3_1_70b", "bf16", "users=1", "none", None),
}


def _prm(cat: Catalog, row: str | None):
    """Calibrated parameters; a wafer row of a claim is left out of the wafer constant's fit."""
    from ..fit import servefit as sf

    if row and row in sf.stored(cat)["wafer_loo"]:
        return sf.fitted(cat, leave_out=row)
    return sf.fitted(cat)


def point(cat: Catalog, key: str, prm=None, hw_of=None):
    """The serving model's :class:`~waferscale.models.serving.Result` for one scenario of :data:`SCENARIOS`
    (``prm`` and ``hw_of``, system id -> Hardware, replace the calibrated values: one uncertainty sample)."""
    from ..models import workloads as wl
    from ..fit import servefit as sf

    sid, mid, prec, goal, spec, row = SCENARIOS[key]
    k, p = (0, 0.0) if spec == "none" else (sf.SPEC_K, sf._spec_p(cat))
    op = sv.OperatingPoint(1000, 1000, prec, spec_tokens=k, spec_accept=p)
    kw = {"users": 1} if goal == "users=1" else {"max_throughput": True}
    hw = sv.hardware(cat, sid) if hw_of is None else hw_of(sid)
    return sv.serve(hw, wl.model(cat, mid), op, _prm(cat, row) if prm is None else prm, **kw)


def _measured(cat: Catalog, row: str) -> float:
    return float(cat.measurement(row)["value"])


def headline(cat: Catalog) -> dict[str, float]:
    """Model speeds (tokens/s per user) of the C01/C02 scenarios, the ratios, and the measured ratios."""
    out = {k: point(cat, k).tokens_per_s_per_user for k in SCENARIOS if k.startswith(("c01", "c02"))}
    out["c01_ratio_best"] = out["c01_wafer"] / out["c01_gpu_best"]
    out["c01_ratio_bf16"] = out["c01_wafer"] / out["c01_gpu_bf16"]
    out["c02_ratio"] = out["c02_wafer"] / out["c02_gpu"]
    out["c02_ratio_spec"] = out["c02_wafer_spec"] / out["c02_gpu"]
    out["c01_measured"] = _measured(cat, "cer_llama31_8b_2024") / _measured(cat, "h100_best_llama31_8b_2024")
    out["c02_measured"] = _measured(cat, "cer_maverick_2025") / _measured(cat, "dgxb200_maverick_2025")
    return out


def users_to_slow(cat: Catalog, system_id: str, model_id: str, precision: str, target_tokens_per_s: float,
                  input_tokens: int = 1000, output_tokens: int = 1000) -> int | None:
    """Fewest concurrent users at which the system's best per-user speed falls to ``target`` (None if it never
    does before its memory is full)."""
    from ..models import serving as sv
    from ..models import workloads as wl

    hw, m = sv.hardware(cat, system_id), wl.model(cat, model_id)
    op, prm = sv.OperatingPoint(input_tokens, output_tokens, precision), _prm(cat, None)

    def speed(u: int) -> float | None:
        try:
            return sv.serve(hw, m, op, prm, users=u).tokens_per_s_per_user
        except ValueError:
            return None

    lo, hi = 1, 1
    while True:
        v = speed(hi)
        if v is None:
            return None
        if v <= target_tokens_per_s:
            break
        lo, hi = hi, hi * 2
    while lo < hi:
        mid = (lo + hi) // 2
        v = speed(mid)
        if v is not None and v <= target_tokens_per_s:
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
        out += list(sv.hardware(cat, s).sources)
    return tuple(dict.fromkeys(out))


def c01(cat: Catalog):
    """CS-3 vs H100 on Llama 3.1 8B, one user: model ratio (wafer constant fitted without the CS-3 row) beside
    the measured one, and the H100 load at which the claimed ratio would hold."""
    h = headline(cat)
    claimed = _claimed("C01")
    users = users_to_slow(cat, "h100_sxm", "llama3_1_8b", "fp8", h["c01_wafer"] / claimed) if claimed else None
    load = (f"an H100 serving at least {users} concurrent users, i.e. a loaded shared endpoint"
            if users else "no H100 load that fits its memory reaches it")
    return Verdict(
        Status.HOLDS_IF, h["c01_ratio_best"], "x",
        f"model, one user (1,000/1,000 tokens): CS-3 {h['c01_wafer']:.0f} tok/s vs {h['c01_gpu_best']:.0f} on one "
        f"H100 at FP8 = {h['c01_ratio_best']:.1f}x ({h['c01_ratio_bf16']:.1f}x vs 16-bit); measured "
        f"{h['c01_measured']:.1f}x; the claimed {claimed:g}x needs {load}",
        basis="model", sources=_srcs(cat, "cs3", "h100_sxm"),
    )


def c02(cat: Catalog):
    """CS-3 vs DGX B200 on Llama 4 Maverick, one user (B200: FP8 and EAGLE-3)."""
    h = headline(cat)
    claimed = _claimed("C02")
    near = claimed and abs(h["c02_ratio"] / claimed - 1) <= 0.25
    return Verdict(
        Status.HOLDS_IF if near else Status.FAILS, h["c02_ratio"], "x",
        f"model, one user: {h['c02_ratio']:.2f}x with the wafer decoding without speculation "
        f"({h['c02_ratio_spec']:.2f}x with an EAGLE-style head on the wafer too); measured "
        f"{h['c02_measured']:.2f}x; the B200 side uses FP8 and EAGLE-3 as NVIDIA's record run did",
        basis="model", sources=_srcs(cat, "cs3", "dgx_b200"),
    )


def c14(cat: Catalog):
    """Wall power of one CS-3 vs one DGX H100, and energy per token for one user on Llama 3.1 70B (16-bit)."""
    from ..models import serving as sv

    w, g = point(cat, "c14_wafer"), point(cat, "c14_gpu")
    cs3, dgx = sv.hardware(cat, "cs3"), sv.hardware(cat, "dgx_h100")
    per_machine = cs3.wall_power_w_per_chip / (dgx.wall_power_w_per_chip * dgx.chips)
    return Verdict(
        Status.HOLDS, per_machine, "x",
        f"one CS-3 draws {per_machine:.1f}x a DGX H100 at the wall; for one user of Llama 3.1 70B the {w.chips} "
        f"CS-3 spend {w.energy_per_token_j:.0f} J per token vs {g.energy_per_token_j:.0f} J on the DGX: high power, "
        f"but {w.tokens_per_s_per_user / g.tokens_per_s_per_user:.1f}x less time",
        basis="model", sources=_srcs(cat, "cs3", "dgx_h100"),
    )


def c15(cat: Catalog):
    """Energy per token at each system's maximum throughput (Llama 3.1 70B, 16-bit, 1,000/1,000 tokens)."""
    w, g = point(cat, "c15_wafer"), point(cat, "c15_gpu")
    ratio = w.energy_per_token_j / g.energy_per_token_j
    return Verdict(
        Status.HOLDS if ratio > 1 else Status.FAILS, ratio, "x",
        f"at maximum throughput the DGX B200 serves {g.users} users at {g.energy_per_token_j:.2f} J/token; the "
        f"{w.chips} CS-3 serve {w.users} users at {w.energy_per_token_j:.2f} J/token ({ratio:.1f}x more)",
        basis="model", sources=_srcs(cat, "cs3", "dgx_b200"),
    )


#: Training at system scale: the model and the batch of the largest published run in the catalog (its
#: validation row gives GPUs, sequence length and tokens per step).
TRAINING = {"model": "llama3_1_405b", "row": "llama3_train_16k_gpus_2024"}
#: The assumed share of peak FLOP/s in training (the same on both sides) and the range the chapter shows.
TRAINING_UTILISATION = 0.5
TRAINING_UTILISATION_RANGE = (0.3, 0.7)


def training_setup(cat: Catalog) -> dict:
    """Model, batch, sequence length, GPU count and the assumed utilisation for the training comparison."""
    from ..models import workloads as wl

    c = cat.measurement(TRAINING["row"])["conditions"]
    return {"model": wl.model(cat, TRAINING["model"]), "tokens_per_step": float(c["tokens_per_step"]),
            "seq_tokens": int(c["seq_tokens"]), "gpus": int(c["gpus"]),
            "utilisation": TRAINING_UTILISATION}


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
    cl = {k: sc.cluster(cat, b()) for k, b in (("h100", sc.h100_ib), ("gb200", sc.gb200_xdr),
                                                 ("gb200_cpo", sc.gb200_cpo), ("cs3", sc.cs3_ethernet))}
    wafers = round(n * cl["gb200"].dense_16bit_flop_per_s / cl["cs3"].dense_16bit_flop_per_s)
    m = t["model"]
    out = {"gpus": n, "wafers": wafers, "model_name": m.name,
           **{k: tr.train_step(c, m, wafers if k == "cs3" else n, **kw) for k, c in cl.items()}}
    g, c, w = out["gb200"], out["gb200_cpo"], out["cs3"]
    power = sv.hardware(cat, "gb200_nvl72").wall_power_w_per_chip * n   # the one power boundary: wall power
    out.update(step_ratio=w.step_s / g.step_s, cpo_time_ratio=c.step_s / g.step_s,
               cpo_link_saving=1 - c.comm_energy_j / g.comm_energy_j,
               cpo_step_energy_saving=(g.comm_energy_j - c.comm_energy_j) / (power * g.step_s))
    return out


def c16(cat: Catalog):
    """Wafer wins per-user speed for one user; GPU wins throughput per kW at maximum throughput (Llama 3.1 70B,
    16-bit); at system scale (training), who has the shorter step and what co-packaged optics change."""
    w1, g1 = point(cat, "c16_wafer_1"), point(cat, "c16_gpu_1")
    wm, gm = point(cat, "c15_wafer"), point(cat, "c15_gpu")
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

