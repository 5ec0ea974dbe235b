"""The operating point's best layout: search the parallel layouts, pick by the objective, trace the frontier.

For a GPU system of N chips the candidates are every tensor-parallel size tp (a power of two inside one
scale-up domain), pipeline depth pp (a power of two) and, for an MoE model, experts spread over the tensor
group (ep = tp) or sliced (ep = 1), with ``replicas = ⌊N / (tp·pp)⌋`` copies; each is evaluated at a grid of
users per copy up to what its memory holds (weights, the reserve and the KV cache of every user's context).
For a wafer system the layout is the number of wafers one copy spans (at least what holds the weights) and the
micro-batch of its pipeline.

Objectives (:func:`serve`): ``users=U`` (U users spread over the copies: highest per-user speed, which for a
fixed U is also the highest throughput); ``min_tokens_per_s_per_user=X`` (highest throughput with every user at
X tokens/s or more: MLPerf's server and interactive limits are such floors); ``max_throughput``. The frontier
(:func:`frontier`) is the upper envelope of throughput against per-user speed over every layout and load.

>>> from waferscale.data import catalog
>>> from waferscale.models.workloads import model
>>> from waferscale.models.serving.hardware import hardware
>>> from waferscale.models.serving.point import OperatingPoint, ServeParams
>>> cat = catalog.load()
>>> r = serve(hardware(cat, "dgx_h100"), model(cat, "llama3_1_70b"), OperatingPoint(1000, 1000, "fp8"),
...           ServeParams(), users=1)
>>> r.layout.tp, r.layout.pp, r.layout.replicas      # one user: the widest tensor-parallel group is fastest
(8, 1, 1)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

from ...core.checks import check_int, check_real
from ..workloads import Transformer
from . import gpu, power, wafer
from .hardware import Hardware
from .point import Layout, OperatingPoint, ServeParams

__all__ = ["Result", "layouts", "serve", "frontier", "evaluate"]


@dataclass(frozen=True)
class Result:
    """One operating point on one system: the chosen layout and what it gives (JSON-ready via ``as_dict``)."""

    system: str
    model: str
    precision: str
    layout: Layout
    chips: int
    users: int
    tokens_per_s_per_user: float
    tokens_per_s_total: float
    time_to_first_token_s: float
    power_w: float
    energy_per_token_j: float
    tokens_per_s_per_chip: float
    tokens_per_s_per_kw: float
    tokens_per_s_per_musd: float | None
    utilisation: float
    bound: str

    def as_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "layout"}
        d["parallelism"] = self.layout.as_dict()
        return d


def _pow2_upto(n: int) -> list[int]:
    return [2 ** e for e in range(int(math.log2(max(n, 1))) + 1)]


def layouts(hw: Hardware, m: Transformer, chips: int) -> list[Layout]:
    """Every GPU layout of ``chips`` chips (tp ≤ domain, powers of two), or for a wafer the spans W ≤ chips.

    >>> from waferscale.data import catalog
    >>> from waferscale.models.workloads import model
    >>> from waferscale.models.serving.hardware import hardware
    >>> cat = catalog.load()
    >>> [(l.tp, l.pp, l.replicas) for l in layouts(hardware(cat, "dgx_h100"), model(cat, "llama3_1_8b"), 8)][:4]
    [(1, 1, 8), (1, 2, 4), (1, 4, 2), (1, 8, 1)]
    """
    if hw.kind == "wafer":
        return [Layout(1, w, 1, chips // w) for w in range(1, chips + 1) if chips % w == 0 or w == chips]
    out = []
    for tp in _pow2_upto(min(chips, hw.domain_chips)):
        for pp in _pow2_upto(chips // tp):
            for ep in ((1, tp) if m.experts and tp > 1 else (1,)):
                out.append(Layout(tp, pp, ep, chips // (tp * pp)))
    return out


def _capacity(hw: Hardware, m: Transformer, op: OperatingPoint, prm: ServeParams, lay: Layout, draft=None) -> int:
    """Users one copy holds (0 if its weights alone do not fit)."""
    if hw.kind == "wafer":
        free = lay.pp * hw.mem_bytes * prm.wafer_sram_usable - m.weight_bytes(op.precision) - (
            draft.weight_bytes(op.precision) if draft else 0.0)
        per_user = op.context_tokens * m.kv_bytes_per_token(op.kv)
    else:
        free = hw.mem_bytes * (1 - prm.mem_reserve) - m.weight_bytes(op.precision) / (lay.tp * lay.pp)
        per_user = op.context_tokens * m.kv_bytes_per_token(op.kv) / (lay.pp * min(lay.tp, m.kv_heads))
        # the engine's limits: requests per copy, and tokens per micro-batch (decode plus chunked prefill)
        per_mb = (op.spec_tokens + 1) + op.input_tokens * op.tau / op.output_tokens
        limit = min(prm.max_batch_users, lay.pp * prm.max_batch_tokens / per_mb)
        return max(0, int(min(free // per_user, limit)))
    return max(0, int(free // per_user))


def evaluate(hw: Hardware, m: Transformer, op: OperatingPoint, prm: ServeParams, lay: Layout, users_per_copy,
             *, chips: int, draft: Transformer | None = None) -> dict:
    """Arrays of per-user speed, throughput, TTFT and power for one layout at several users per copy."""
    B = np.asarray(users_per_copy, dtype=float)
    if hw.kind == "wafer":
        it = wafer.iteration(hw, m, op, prm, wafers=float(lay.pp), users=B, draft=draft)
        ttft = wafer.prefill_s(hw, m, op, prm, wafers=float(lay.pp), draft=draft)
        busy = np.minimum(1.0, it["pass_s"] * B / np.maximum(it["period_s"], 1e-30) / np.maximum(B, 1))
        bound = np.where(it["mac_s"] > 0.5 * it["pass_s"], "compute", "latency")
    else:
        kw = dict(tp=lay.tp, pp=lay.pp, ep=lay.ep)
        it = gpu.iteration(hw, m, op, prm, users=B, **kw)
        ttft = gpu.prefill_s(hw, m, op, prm, **kw) + np.where(B > 1, it["period_s"], 0.0)
        stage = np.maximum(it["mem_s"], it["compute_s"]) + it["comm_s"]
        busy = np.maximum(it["mem_s"], it["compute_s"]) / stage
        bound = np.where(it["compute_s"] > it["mem_s"], "compute", "memory")
    per_user = it["tokens_per_step"] / it["period_s"]
    total = lay.replicas * B * per_user
    used = lay.chips
    watts = power.draw_w(hw, prm, used, busy) + power.idle_w(hw, prm, chips - used)
    return {"users": B * lay.replicas, "per_user": per_user, "total": total, "ttft": ttft + 0 * B, "power": watts,
            "busy": busy, "bound": bound}


def _grid(cap: int) -> np.ndarray:
    g = np.unique(np.round(np.geomspace(1, max(cap, 1), 40)))
    return g[g <= cap]


def _candidates(hw, m, op, prm, chips, draft):
    for lay in layouts(hw, m, chips):
        cap = _capacity(hw, m, op, prm, lay, draft)
        if cap >= 1:
            yield lay, cap


def _result(hw, m, op, lay, chips, e, i) -> Result:
    total, watts = float(e["total"][i]), float(e["power"][i])
    price = None if hw.price_usd_per_chip is None else chips * hw.price_usd_per_chip
    return Result(hw.id, m.id, op.precision, lay, chips, int(round(float(e["users"][i]))), float(e["per_user"][i]),
                  total, float(e["ttft"][i]), watts, watts / total, total / chips, total / (watts / 1e3),
                  None if price is None else total / (price / 1e6), float(e["busy"][i]), str(e["bound"][i]))


class DoesNotFit(ValueError):
    """The model (with its users' KV cache) does not fit in the chips given; ``need`` is the fewest that hold it
    (None above 100,000 chips)."""

    def __init__(self, message: str, chips: int, need: int | None):
        super().__init__(message)
        self.chips, self.need = chips, need


class OutOfReach(ValueError):
    """No layout reaches the per-user speed floor; ``fastest`` is the best per-user speed any layout reaches."""

    def __init__(self, message: str, floor: float, fastest: float):
        super().__init__(message)
        self.floor, self.fastest = floor, fastest


def chips_needed(hw: Hardware, m: Transformer, op: OperatingPoint, prm: ServeParams, users: int = 1,
                 draft: Transformer | None = None) -> int | None:
    """The fewest chips of ``hw``'s kind on which some layout holds the weights and ``users`` users' KV cache
    (None if more than 100,000 would be needed).

    >>> from waferscale.data import catalog
    >>> from waferscale.models.workloads import model
    >>> from waferscale.models.serving.hardware import hardware
    >>> cat = catalog.load()
    >>> chips_needed(hardware(cat, "h100_sxm"), model(cat, "llama3_1_70b"), OperatingPoint(), ServeParams())
    2
    """
    if hw.kind == "wafer":
        return int(wafer.wafers_needed(hw, m, op, prm, float(users), draft))

    def fits(n: int) -> bool:
        return any(cap >= users for _, cap in _candidates(hw, m, op, prm, n, draft))

    hi = 1
    while not fits(hi):
        if hi >= 100_000:
            return None
        hi = min(hi * 2, 100_000)
    lo = hi // 2                     # lo does not fit (or is 0); find the first that does
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if fits(mid) else (mid, hi)
    return hi


def _default_chips(hw: Hardware, m: Transformer, op: OperatingPoint, prm: ServeParams, draft, users: int = 1) -> int:
    if hw.kind == "wafer":
        return int(wafer.wafers_needed(hw, m, op, prm, float(users), draft))
    return hw.chips


def serve(hw: Hardware, m: Transformer, op: OperatingPoint, prm: ServeParams, *, chips: int | None = None,
          users: int | None = None, min_tokens_per_s_per_user: float | None = None, max_throughput: bool = False,
          draft: Transformer | None = None) -> Result:
    """The best layout for one objective (give exactly one of ``users``, ``min_tokens_per_s_per_user``,
    ``max_throughput``); ``chips`` defaults to the system's own count (a wafer system: the wafers that hold the
    model, and the KV cache of ``users`` when that objective is given).

    Raises
    ------
    ValueError
        If no objective or several are given, a number is out of range, the model does not fit in ``chips``, or
        no layout reaches the speed floor (the message gives the fastest reachable).
    """
    given = [users is not None, min_tokens_per_s_per_user is not None, bool(max_throughput)]
    if sum(given) != 1:
        raise ValueError("give exactly one objective: users=U, min_tokens_per_s_per_user=X or max_throughput=True")
    if users is not None:
        users = check_int("users", users, 1, 10**9)
    n = (_default_chips(hw, m, op, prm, draft, users or 1) if chips is None
         else check_int("chips", chips, 1, 100_000))
    if min_tokens_per_s_per_user is not None:
        min_tokens_per_s_per_user = check_real("min_tokens_per_s_per_user", min_tokens_per_s_per_user, 0.0, 1e9,
                                               lo_open=True)
    best, best_key, fastest = None, None, 0.0
    for lay, cap in _candidates(hw, m, op, prm, n, draft):
        if users is not None:
            copies = min(lay.replicas, users)
            per_copy = math.ceil(users / copies)
            if per_copy > cap:
                continue
            lay = Layout(lay.tp, lay.pp, lay.ep, copies)
            e = evaluate(hw, m, op, prm, lay, [per_copy], chips=n, draft=draft)
            e["users"] = np.array([float(users)])
            e["total"] = e["per_user"] * users
            i, key = 0, float(e["per_user"][0])
        else:
            e = evaluate(hw, m, op, prm, lay, _grid(cap), chips=n, draft=draft)
            fastest = max(fastest, float(e["per_user"].max()))
            ok = e["per_user"] >= (min_tokens_per_s_per_user or 0.0)
            if not ok.any():
                continue
            i = int(np.argmax(np.where(ok, e["total"], -1.0)))
            key = float(e["total"][i])
        if best_key is None or key > best_key * (1 + 1e-12):
            best, best_key = _result(hw, m, op, lay, n, e, i), key
    if best is None:
        if min_tokens_per_s_per_user is not None and fastest > 0:
            raise OutOfReach(f"min_tokens_per_s_per_user={min_tokens_per_s_per_user!r} is out of reach for {m.id!r} "
                             f"on {n} chips of {hw.id!r}; allowed: up to {fastest:.4g} tokens/s per user",
                             min_tokens_per_s_per_user, fastest)
        need = chips_needed(hw, m, op, prm, users or 1, draft)
        raise DoesNotFit(f"model={m.id!r} at {op.precision} does not fit on chips={n} of {hw.id!r}"
                         + (f" with users={users}" if users is not None else "")
                         + (f"; allowed: chips >= {need}" if need else "; no chip count up to 100,000 holds it"),
                         n, need)
    return best


def best_speed(hw: Hardware, m: Transformer, op: OperatingPoint, prm: ServeParams, users, *, chips: int | None = None,
               draft: Transformer | None = None) -> np.ndarray:
    """Per-user tokens/s of the best layout for each count in ``users`` (NaN where none holds them): the
    per-user speed :func:`serve` gives with ``users=u``, for a whole array of counts at once (each layout is
    evaluated once over every count; its speed depends on the users per copy, ⌈u / min(copies, u)⌉). ``chips``
    defaults as in :func:`serve` (a wafer system: the wafers that hold the largest count's KV cache).

    >>> from waferscale.data import catalog
    >>> from waferscale.models.workloads import model
    >>> from waferscale.models.serving.hardware import hardware
    >>> cat = catalog.load()
    >>> hw, m = hardware(cat, "dgx_h100"), model(cat, "llama3_1_70b")
    >>> v = best_speed(hw, m, OperatingPoint(), ServeParams(), [1, 64])
    >>> bool(v[0] == serve(hw, m, OperatingPoint(), ServeParams(), users=1).tokens_per_s_per_user)
    True
    """
    u = np.asarray(users, dtype=float)
    if u.ndim != 1 or not len(u) or (u < 1).any() or (u != np.floor(u)).any():
        raise ValueError(f"users={users!r} is not allowed; allowed: a non-empty list of integers >= 1")
    n = (_default_chips(hw, m, op, prm, draft, int(u.max())) if chips is None
         else check_int("chips", chips, 1, 100_000))
    best = np.full(len(u), -np.inf)
    for lay, cap in _candidates(hw, m, op, prm, n, draft):
        per_copy = np.ceil(u / np.minimum(lay.replicas, u))
        ok = per_copy <= cap
        if not ok.any():
            continue
        e = evaluate(hw, m, op, prm, lay, np.where(ok, per_copy, 1.0), chips=n, draft=draft)
        speed = np.where(ok, e["per_user"], -np.inf)
        better = speed > best * (1 + 1e-12)
        best = np.where(better, speed, best)
    return np.where(np.isfinite(best), best, np.nan)


def frontier(hw: Hardware, m: Transformer, op: OperatingPoint, prm: ServeParams, *, chips: int | None = None,
             draft: Transformer | None = None) -> list[Result]:
    """The speed–throughput frontier: the points no other layout or load beats on both per-user speed and
    throughput, from the fastest single user to maximum throughput (sorted by falling per-user speed)."""
    n = _default_chips(hw, m, op, prm, draft) if chips is None else check_int("chips", chips, 1, 100_000)
    pts = []
    for lay, cap in _candidates(hw, m, op, prm, n, draft):
        e = evaluate(hw, m, op, prm, lay, _grid(cap), chips=n, draft=draft)
        for i in range(len(e["per_user"])):
            pts.append((float(e["per_user"][i]), float(e["total"][i]), lay, e, i))
    if not pts:
        need = chips_needed(hw, m, op, prm, 1, draft)
        raise DoesNotFit(f"model={m.id!r} at {op.precision} does not fit on chips={n} of {hw.id!r}"
                         + (f"; allowed: chips >= {need}" if need else "; no chip count up to 100,000 holds it"),
                         n, need)
    pts.sort(key=lambda p: (-p[0], -p[1], p[2]))
    out, top = [], -1.0
    for s, t, lay, e, i in pts:
        if t > top * (1 + 1e-9):
            out.append(_result(hw, m, op, lay, n, e, i))
            top = t
    return out
