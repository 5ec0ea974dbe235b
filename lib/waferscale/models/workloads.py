"""Transformer workloads as frozen data read from the catalog, and synthetic dense models for sweeps.

A :class:`Transformer` carries the shape of one model (layers, hidden size, heads, KV heads,
vocabulary, parameters total and active, experts) and answers the byte and FLOP questions the
decode model asks. Nothing here types a model number: :func:`model` reads ``workloads.csv``;
:func:`synthetic` builds dense models of any size from a power law fitted to the catalog's
Llama 3.1 rows (:func:`fit_shape_law`).

Precision sets bytes per weight: ``bf16``/``fp16`` 2, ``fp8`` 1, ``fp4`` 0.5 (:data:`BYTES_PER_VALUE`).

Examples
--------
>>> from waferscale.data import catalog
>>> m = model(catalog.load(), "llama3_1_8b")
>>> round(m.weight_bytes("bf16") / 1e9, 2)   # 8.03e9 parameters x 2 bytes
16.06
>>> m.kv_bytes_per_token("bf16")             # 32 layers x 2 (K, V) x 8 heads x 128 x 2 bytes
131072.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..data.catalog import Catalog
from ..core.checks import BIG, check_array, check_int, check_real

__all__ = ["BYTES_PER_VALUE", "Transformer", "model", "models", "model_ids", "ShapeLaw", "fit_shape_law",
           "synthetic", "bytes_per_value", "expected_distinct_experts"]

#: Bytes per stored value for each precision the model knows.
BYTES_PER_VALUE: dict[str, float] = {"bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "fp4": 0.5}


def bytes_per_value(precision: str) -> float:
    """Bytes per weight for ``precision``; ValueError naming the allowed set otherwise.

    >>> bytes_per_value("fp8")
    1.0
    """
    if precision not in BYTES_PER_VALUE:
        raise ValueError(f"precision={precision!r} is not known; allowed: {', '.join(BYTES_PER_VALUE)}")
    return BYTES_PER_VALUE[precision]


def expected_distinct_experts(experts: float, experts_active: float, tokens):
    """Expected number of distinct routed experts one MoE layer touches for ``tokens`` tokens.

    With uniform routing each token picks ``k`` of ``E`` experts, so an expert stays untouched with
    probability (1 − k/E)^T:

    .. math:: \\mathbb{E}[\\text{distinct}] = E\\,\\big(1 - (1 - k/E)^{T}\\big)

    Allowed: ``experts`` an integer in [0, 10⁶], ``experts_active`` an integer in [0, experts], ``tokens``
    numbers in [0, 1e18] (real: an expected token count may be fractional).

    Examples
    --------
    One token of Llama 4 Maverick (E = 128, k = 1) touches one expert; 128 tokens touch about 81.

    >>> float(expected_distinct_experts(128, 1, 1))
    1.0
    >>> round(float(expected_distinct_experts(128, 1, 128)), 1)
    81.1
    """
    e = check_int("experts", experts, 0, 10**6)
    check_int("experts_active", experts_active, 0, e)
    t = check_array("tokens", tokens, 0.0, BIG)  # a real number: an expected count (users × accepted tokens) may be fractional
    if experts <= 0:
        return np.zeros_like(t)
    return experts * (1.0 - (1.0 - experts_active / experts) ** t)


@dataclass(frozen=True)
class Transformer:
    """Shape of a decoder-only transformer (dense or mixture-of-experts).

    Attributes
    ----------
    id, name, kind : str
        Catalog id, display name and ``dense`` or ``moe``.
    params_total, params_active : float
        Parameters stored / read per token (one token, active experts only).
    layers, hidden_size, intermediate_size, heads, kv_heads, head_dim, vocab_size : int
        Shape; ``intermediate_size`` is per expert for MoE models.
    experts, experts_active, shared_experts : int
        Routed experts per MoE layer, experts used per token, always-on experts (0 for dense).
    moe_layers : int
        Layers with routed experts: the catalog row when there is one (config.json), otherwise derived
        as (total − active) / ((E − k) · 3 · hidden · intermediate), capped at ``layers``.
    intermediate_size_dense : int
        Feed-forward width of the dense (non-MoE) layers; defaults to ``intermediate_size``.
    context_tokens_max : int
        Maximum context length.
    sources : tuple of str
        BibTeX keys of the numbers.
    """

    id: str
    name: str
    kind: str
    params_total: float
    params_active: float
    layers: int
    hidden_size: int
    intermediate_size: int
    heads: int
    kv_heads: int
    head_dim: int
    vocab_size: int
    experts: int = 0
    experts_active: int = 0
    shared_experts: int = 0
    moe_layers: int = 0
    context_tokens_max: int = 131072
    intermediate_size_dense: int = 0
    sources: tuple[str, ...] = ()

    # -- parameter count from the shape --------------------------------------------------------
    def params_from_shape(self) -> dict[str, float]:
        """Parameters counted from the shape alone, by part, and their total and per-token active sums.

        Per layer: attention h·(n_q + 2 n_kv)·d + n_q·d·h (query, key, value, output projections);
        a dense layer's gated feed-forward 3·h·I_dense; an MoE layer's (E + shared)·3·h·I plus the
        router h·E. Embedding and output head are untied (2·V·h). Norms and biases are left out
        (under 0.1 % here). Active: attention, dense layers, (k + shared) experts per MoE layer,
        both embedding matrices.

        .. math:: P = 2Vh + L\\,h\\,d\\,(2n_q + 2n_{kv}) + (L - L_m)\\,3hI_d + L_m\\big((E+s)\\,3hI + hE\\big)

        Examples
        --------
        >>> m = Transformer("x", "x", "dense", 1e9, 1e9, 2, 1024, 4096, 8, 8, 128, 1000)
        >>> d = m.params_from_shape()
        >>> d["attention"], d["mlp"], d["embedding"]   # 2·1024·128·32, 2·3·1024·4096, 2·1000·1024
        (8388608.0, 25165824.0, 2048000.0)
        """
        h, d, L = float(self.hidden_size), float(self.head_dim), self.layers
        attn = L * h * d * (2 * self.heads + 2 * self.kv_heads)
        Lm = self.moe_layers if self.experts else 0
        i_dense = float(self.intermediate_size_dense or self.intermediate_size)
        dense = (L - Lm) * 3.0 * h * i_dense
        expert = 3.0 * h * self.intermediate_size
        moe = Lm * ((self.experts + self.shared_experts) * expert + h * self.experts)
        emb = 2.0 * self.vocab_size * h
        active = attn + dense + emb + Lm * ((self.experts_active + self.shared_experts) * expert + h * self.experts)
        return {"attention": attn, "mlp": dense + moe, "embedding": emb, "total": attn + dense + moe + emb,
                "active": active}

    # -- bytes ---------------------------------------------------------------------------------
    @property
    def expert_params(self) -> float:
        """Parameters of one routed expert (gate, up and down projections: 3 · hidden · intermediate)."""
        return 3.0 * self.hidden_size * self.intermediate_size if self.experts else 0.0

    def weight_bytes(self, precision: str) -> float:
        """Bytes to store every weight: params_total x bytes per value."""
        return self.params_total * bytes_per_value(precision)

    def active_params(self, tokens=1):
        """Parameters read in one forward step over ``tokens`` tokens (array-friendly).

        Dense: all parameters but the input embedding (a look-up reads one row per token).
        MoE: the active parameters for one token plus, per MoE layer, the further distinct experts
        the other tokens route to (:func:`expected_distinct_experts`).

        >>> m = Transformer("x", "x", "dense", 1e9, 1e9, 2, 1024, 4096, 8, 8, 128, 1000)
        >>> float(m.active_params(1))        # 1e9 minus the 1000 x 1024 embedding
        998976000.0
        """
        t = np.asarray(tokens, dtype=float)
        base = self.params_active - self.vocab_size * self.hidden_size
        if not self.experts:
            return base + 0.0 * t
        extra = expected_distinct_experts(self.experts, self.experts_active, t) - self.experts_active
        return base + self.moe_layers * extra * self.expert_params

    def active_bytes(self, precision: str, tokens=1):
        """Bytes of weights read in one step over ``tokens`` tokens."""
        return self.active_params(tokens) * bytes_per_value(precision)

    def kv_bytes_per_token(self, precision: str) -> float:
        """KV-cache bytes one token of context occupies: layers · 2 · kv_heads · head_dim · bytes."""
        return float(self.layers * 2 * self.kv_heads * self.head_dim * bytes_per_value(precision))

    def flops_per_token(self, context_tokens: float = 0.0):
        """FLOPs to decode one token: 2 per active weight plus attention over the context.

        .. math:: F = 2\\,P_{\\text{active}} + 4\\,L\\,C\\,n_{\\text{heads}}\\,d_{\\text{head}}

        >>> m = Transformer("x", "x", "dense", 1e9, 1e9, 2, 1024, 4096, 8, 8, 128, 1000)
        >>> bool(m.flops_per_token(0) == 2 * m.active_params(1))
        True
        """
        c = np.asarray(context_tokens, dtype=float)
        return 2.0 * self.active_params(1) + 4.0 * self.layers * c * self.heads * self.head_dim

    def layer_bytes(self, precision: str) -> float:
        """Average bytes of one transformer block's weights (all experts included)."""
        return (self.params_total - 2 * self.vocab_size * self.hidden_size) / self.layers * bytes_per_value(precision)


def model_ids(cat: Catalog) -> list[str]:
    """Ids of every workload in the catalog that has a transformer shape (layers and hidden size)."""
    return [w for w in cat.ids("workloads") if cat.has(w, "layers") and cat.has(w, "hidden_size")]


def model(cat: Catalog, workload: str) -> Transformer:
    """Read one transformer from the catalog (built once per catalog and id, kept in :attr:`Catalog.records`); see
    :func:`_model`."""
    key, store = ("model", workload), cat.records
    if key not in store:
        store[key] = _model(cat, workload)
    return store[key]


def _model(cat: Catalog, workload: str) -> Transformer:
    """Read one transformer from the catalog.

    Raises
    ------
    ValueError
        If ``workload`` is not a transformer in the catalog (the message lists the allowed ids).
    """
    ids = model_ids(cat)
    if workload not in ids:
        raise ValueError(f"model={workload!r} is not a transformer in the catalog; allowed: {', '.join(ids)}")

    def get(f: str, default: float = 0.0) -> float:
        return cat.value(workload, f) if cat.has(workload, f) else default

    w = cat.workloads[cat.workloads["workload"] == workload]
    kind = str(cat.entities.loc[cat.entities["id"] == workload, "kind"].iloc[0])
    hidden, heads = int(get("hidden_size")), int(get("heads"))
    total, active = get("params_total"), get("params_active", get("params_total"))
    experts, k = int(get("experts")), int(get("experts_active"))
    inter = int(get("intermediate_size"))
    moe_layers = int(get("moe_layers"))
    if experts > k and not moe_layers:
        moe_layers = min(int(get("layers")), int(round((total - active) / ((experts - k) * 3.0 * hidden * inter))))
    return Transformer(
        id=workload, name=cat.name(workload), kind=kind, params_total=total, params_active=active,
        layers=int(get("layers")), hidden_size=hidden, intermediate_size=inter, heads=heads,
        kv_heads=int(get("kv_heads", heads)), head_dim=int(get("head_dim", hidden // max(heads, 1))),
        vocab_size=int(get("vocab_size")), experts=experts, experts_active=k,
        shared_experts=int(get("shared_experts")), moe_layers=moe_layers,
        context_tokens_max=int(get("context_tokens_max", 131072)),
        intermediate_size_dense=int(get("intermediate_size_dense", inter)),
        sources=tuple(dict.fromkeys(s for ss in w["source"] for s in str(ss).split(";"))),
    )


def models(cat: Catalog) -> list[Transformer]:
    """Every transformer in the catalog."""
    return [model(cat, w) for w in model_ids(cat)]


@dataclass(frozen=True)
class ShapeLaw:
    """Power law layers = a · P^b and the parameters per layer per hidden² (k), fitted on catalog rows.

    A dense model of P parameters gets L = a P^b layers and hidden h = √(P / (k L)), rounded to a
    multiple of the head width; heads, KV heads, head width and vocabulary are those of the
    reference model (the largest one fitted).
    """

    a: float
    b: float
    params_per_layer_per_h2: float
    head_dim: int
    kv_heads: int
    vocab_size: int
    fitted_on: tuple[str, ...]


def fit_shape_law(cat: Catalog, family: tuple[str, ...] | None = None) -> ShapeLaw:
    """Fit :class:`ShapeLaw` by least squares in log–log space on dense catalog models.

    ``family`` defaults to the catalog's dense Llama 3.1 rows.

    >>> from waferscale.data import catalog
    >>> law = fit_shape_law(catalog.load())
    >>> 0.1 < law.b < 0.5
    True
    """
    ids = family or tuple(w for w in model_ids(cat) if w.startswith("llama3_1_"))
    ms = [model(cat, w) for w in ids]
    ms = [m for m in ms if m.kind == "dense"]
    if len(ms) < 2:
        raise ValueError(f"family={ids!r} has fewer than two dense models; cannot fit a shape law")
    p = np.array([m.params_total for m in ms])
    L = np.array([m.layers for m in ms], dtype=float)
    b, loga = np.polyfit(np.log(p), np.log(L), 1)
    k = float(np.mean([m.params_total / (m.layers * m.hidden_size ** 2) for m in ms]))
    ref = max(ms, key=lambda m: m.params_total)
    return ShapeLaw(float(math.exp(loga)), float(b), k, ref.head_dim, ref.kv_heads, ref.vocab_size,
                    tuple(m.id for m in ms))


def synthetic(law: ShapeLaw, params: float) -> Transformer:
    """A dense transformer of ``params`` parameters shaped by ``law``.

    Examples
    --------
    >>> law = ShapeLaw(0.3, 0.3, 12.0, 128, 8, 128256, ())
    >>> m = synthetic(law, 7e10)
    >>> m.layers, m.hidden_size % 128
    (538, 0)
    """
    params = check_real("params", params, 1e8, 1e16)
    layers = max(1, int(round(law.a * params ** law.b)))
    h = math.sqrt(params / (law.params_per_layer_per_h2 * layers))
    hidden = max(law.head_dim, int(round(h / law.head_dim)) * law.head_dim)
    heads = hidden // law.head_dim
    return Transformer(
        id=f"dense_{params:.3g}", name=f"dense {params / 1e9:.3g}B (synthetic)", kind="dense",
        params_total=float(params), params_active=float(params), layers=layers, hidden_size=hidden,
        intermediate_size=int(3.5 * hidden), heads=heads, kv_heads=min(law.kv_heads, heads),
        head_dim=law.head_dim, vocab_size=law.vocab_size, sources=(),
    )
