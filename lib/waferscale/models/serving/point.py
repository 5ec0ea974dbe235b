"""What is asked of a serving system (the operating point) and what no datasheet gives (the parameters).

An :class:`OperatingPoint` is a request mix (input and output tokens), a precision for the weights and one for
the KV cache, and optional speculative decoding. The objective (a number of users, a per-user speed floor, or
maximum throughput) is an argument of :func:`waferscale.models.serving.serve`.

:class:`ServeParams` holds the efficiencies and overheads: each field says whether it is *fitted* (by
:mod:`waferscale.fit.servefit`, to calibration rows only) or *assumed* (a sourced value with a range the
uncertainty analysis samples). The model never imports its calibration: callers pass the parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

from ...core.checks import check_choice, check_int, check_real
from ..workloads import BYTES_PER_VALUE

__all__ = ["OperatingPoint", "ServeParams", "Layout", "PRECISIONS", "accepted_per_step", "acceptance_from_length"]

PRECISIONS = tuple(BYTES_PER_VALUE)


def accepted_per_step(spec_tokens: int, spec_accept: float) -> float:
    """Tokens one verification step yields with k draft tokens each accepted with probability p.

    .. math:: \\tau = \\sum_{i=0}^{k} p^i = \\frac{1 - p^{k+1}}{1 - p}

    >>> accepted_per_step(3, 0.5)
    1.875
    >>> accepted_per_step(0, 0.9)
    1.0

    Raises
    ------
    ValueError
        If ``spec_tokens`` is not an integer in [0, 64] or ``spec_accept`` not a number in [0, 1].
    """
    spec_tokens = check_int("spec_tokens", spec_tokens, 0, 64)
    spec_accept = check_real("spec_accept", spec_accept, 0.0, 1.0)
    if spec_accept >= 1.0 - 1e-12:
        return float(spec_tokens + 1)
    return (1.0 - spec_accept ** (spec_tokens + 1)) / (1.0 - spec_accept)


def acceptance_from_length(mean_accepted: float, spec_tokens: int) -> float:
    """Per-token acceptance p that gives a mean accepted length τ with k draft tokens (the inverse of
    :func:`accepted_per_step`, by bisection; published speculative results state τ, the model needs p).

    >>> round(acceptance_from_length(1.875, 3), 6)
    0.5

    Raises
    ------
    ValueError
        If ``spec_tokens`` is not in [0, 1024] or τ is not in [1, k + 1].
    """
    k = check_int("spec_tokens", spec_tokens, 0, 1024)
    tau = check_real("mean_accepted", mean_accepted, 1.0, k + 1.0)
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if accepted_per_step(k, mid) < tau:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


@dataclass(frozen=True)
class OperatingPoint:
    """One request mix and precision.

    Attributes
    ----------
    input_tokens, output_tokens : int
        Mean prompt and generated lengths per request (MLPerf llama2-70b: about 222 and 291; TensorRT-LLM
        tables: 1,000 and 1,000).
    precision : str
        Weights: ``bf16``/``fp16`` (2 bytes), ``fp8`` (1), ``fp4`` (0.5); sets the FLOP rate used.
    kv_precision : str or None
        KV cache; ``None`` = FP8 when the weights are FP8 or FP4 (as the engines that publish those results
        do), else the weights' precision.
    spec_tokens, spec_accept : int, float
        Speculative decoding: k draft tokens per step, each accepted with probability p (0 = off).
    draft_layers : float
        Cost of drafting one token in target layers (an EAGLE-style head is about one layer); a wafer with a
        separate draft model passes ``draft`` to :func:`waferscale.models.serving.serve` instead.

    >>> OperatingPoint(1000, 1000, "fp4").kv
    'fp8'
    """

    input_tokens: int = 1000
    output_tokens: int = 1000
    precision: str = "bf16"
    kv_precision: str | None = None
    spec_tokens: int = 0
    spec_accept: float = 0.0
    draft_layers: float = 1.0

    def __post_init__(self):
        check_int("input_tokens", self.input_tokens, 1, 10_000_000)
        check_int("output_tokens", self.output_tokens, 1, 10_000_000)
        check_choice("precision", self.precision, PRECISIONS)
        if self.kv_precision is not None:
            check_choice("kv_precision", self.kv_precision, PRECISIONS)
        check_int("spec_tokens", self.spec_tokens, 0, 64)
        check_real("spec_accept", self.spec_accept, 0.0, 1.0, hi_open=True)
        check_real("draft_layers", self.draft_layers, 0.0, 1000.0)

    @property
    def kv(self) -> str:
        """The KV cache's precision."""
        if self.kv_precision is not None:
            return self.kv_precision
        return "fp8" if self.precision in ("fp8", "fp4") else self.precision

    @property
    def tau(self) -> float:
        """Tokens per decode step (1 without speculation)."""
        return accepted_per_step(self.spec_tokens, self.spec_accept)

    @property
    def context_tokens(self) -> float:
        """Mean context a decoding user holds: the prompt plus half the output."""
        return self.input_tokens + self.output_tokens / 2.0

    def with_(self, **kw) -> "OperatingPoint":
        return replace(self, **kw)


@dataclass(frozen=True)
class ServeParams:
    """Efficiencies and overheads of the serving model; see each field for fitted or assumed.

    Attributes
    ----------
    gpu_mem_efficiency : float
        Share of peak HBM bandwidth a decode step's weight and KV reads reach. *Fitted* (GPU calibration rows).
    gpu_flop_efficiency : float
        Share of dense peak a large GEMM reaches. *Fitted*.
    gpu_layer_s : float
        Fixed time per layer per step on a GPU beyond its collectives (kernel launches, norms, sampling share).
        *Fitted*; the GPU side's residual.
    gpu_user_s : float
        Host time per request in the batch per iteration (scheduling, sampling, detokenising, bookkeeping), not
        hidden behind the GPU's work. *Fitted*.
    gemm_half_tokens : float
        Tokens in a GEMM at which it reaches half its large-batch efficiency (tensor-core tiles are 64–128 rows:
        smaller batches leave them part-empty). *Assumed* 64 (range 32–128).
    collective_s : float
        Software latency of one collective call (kernel launch and flag handshakes), separate from the per-step
        link latency, where the catalog's tier has no ``collective_latency_s``. *Assumed* 6 µs (range 3–10 µs: SGLang's one-shot all-reduce 5.7–7.8 µs on 8 H100; NCCL's
        NVLS about 6 µs at 2 GPUs).
    mem_reserve : float
        Share of GPU memory not available to weights and KV cache (activations, workspace, fragmentation).
        *Assumed* 0.1 (range 0.05–0.2).
    wafer_gemv_s : float
        Fixed time of one matrix-vector step on the wafer beyond MAC, hop and link time (task activation and
        synchronisation of the region). *Fitted* (leave-one-out over the wafer rows); the wafer's residual.
    wafer_flop_efficiency : float
        Share of a PE's peak MAC rate a GEMV reaches. *Assumed* 0.8 (range 0.5–1).
    wafer_sram_usable : float
        Share of SRAM that holds weights and KV cache (the rest: code, buffers, routing). *Assumed* 0.85
        (0.75–0.95: Llama 3.1 70B at 16 bits on four CS-3 needs at least 0.80).
    idle_share : float
        Share of full wall power drawn at idle. *Assumed* 0.35 (range 0.25–0.5).
    max_batch_tokens : float
        Tokens one GPU iteration may carry (decode plus chunked prefill): the engine's ``max_num_tokens``.
        *Assumed* 8,192 (TensorRT-LLM's default; range 4,096–16,384).
    max_batch_users : float
        Requests one GPU copy may batch (the engine's ``max_batch_size``). *Assumed* 2,048 (TensorRT-LLM's
        default; range 512–4,096).
    """

    gpu_mem_efficiency: float = 0.8
    gpu_flop_efficiency: float = 0.6
    gpu_layer_s: float = 5e-6
    gpu_user_s: float = 5e-6
    gemm_half_tokens: float = 64.0
    collective_s: float = 6e-6
    mem_reserve: float = 0.1
    wafer_gemv_s: float = 1e-6
    wafer_flop_efficiency: float = 0.8
    wafer_sram_usable: float = 0.85
    idle_share: float = 0.35
    max_batch_tokens: float = 8192.0
    max_batch_users: float = 2048.0

    GPU_FITTED = ("gpu_mem_efficiency", "gpu_flop_efficiency", "gpu_layer_s", "gpu_user_s")
    WAFER_FITTED = ("wafer_gemv_s",)
    #: Ranges of the assumed fields (sampled by the uncertainty analysis).
    RANGES = {"gemm_half_tokens": (32.0, 128.0), "collective_s": (3e-6, 10e-6), "mem_reserve": (0.05, 0.2),
              "wafer_flop_efficiency": (0.5, 1.0), "wafer_sram_usable": (0.75, 0.95), "idle_share": (0.25, 0.5),
              "max_batch_tokens": (4096.0, 16384.0), "max_batch_users": (512.0, 4096.0)}

    def __post_init__(self):
        for f in fields(self):
            v = getattr(self, f.name)
            hi = 1e12 if f.name.startswith("max_batch") else 1.0 if f.name in ("gpu_mem_efficiency", "gpu_flop_efficiency", "wafer_flop_efficiency",
                                   "wafer_sram_usable", "idle_share", "mem_reserve") else 1e6
            lo_open = f.name not in ("gpu_layer_s", "gpu_user_s", "collective_s", "wafer_gemv_s", "mem_reserve", "idle_share")
            check_real(f.name, v, 0.0, hi, lo_open=lo_open)
        if self.mem_reserve >= 1.0:
            raise ValueError(f"mem_reserve={self.mem_reserve!r} is out of range; allowed: [0, 1)")

    @classmethod
    def roofline(cls) -> "ServeParams":
        """Peak bandwidth and FLOPs, no overheads, no reserve (for checks against hand arithmetic)."""
        return cls(1.0, 1.0, 0.0, 0.0, 1e-9, 0.0, 0.0, 0.0, 1.0, 1.0, 0.35, 1e9, 1e9)

    def with_(self, **kw) -> "ServeParams":
        return replace(self, **kw)


@dataclass(frozen=True, order=True)
class Layout:
    """How a system's chips serve one model: tensor parallel ``tp`` (inside a scale-up domain), pipeline
    parallel ``pp``, expert parallel ``ep`` (1, or ``tp`` when an MoE model spreads its experts over the
    tensor-parallel group instead of slicing each one), and ``replicas`` of that group."""

    tp: int = 1
    pp: int = 1
    ep: int = 1
    replicas: int = 1

    @property
    def chips(self) -> int:
        return self.tp * self.pp * self.replicas

    def as_dict(self) -> dict:
        return {"tp": self.tp, "pp": self.pp, "ep": self.ep, "replicas": self.replicas}
