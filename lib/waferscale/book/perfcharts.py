"""Charts of the performance chapter, built from :mod:`waferscale.models.performance` and :mod:`waferscale.fit.perffit`.
Each returns a finished altair chart (title = finding, source line underneath)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ..models import performance as pf
from ..models import workloads as wl
from ..data.catalog import Catalog
from .charts import finish, source_line

__all__ = ["SYSTEM_COLORS", "system_color", "color_scale", "training_chart", "ratio_vs_size", "ratio_vs_size_chart", "concurrency", "concurrency_chart", "validation_chart",
           "tornado_chart", "what_if_grid", "what_if_chart", "system_sources"]

_W = 420

#: One Okabe–Ito colour per system family, used by every performance chart (first match wins, so
#: "CPO" precedes "GB200" and "GB200" precedes "B200").
SYSTEM_COLORS: tuple[tuple[str, str], ...] = (
    ("CS-3", "#D55E00"),      # vermillion: the wafer
    ("CPO", "#CC79A7"),       # reddish purple: co-packaged optics
    ("GB200", "#E69F00"),     # orange
    ("B200", "#009E73"),      # bluish green
    ("H200", "#56B4E9"),      # sky blue
    ("H100", "#0072B2"),      # blue
)
_OTHER = "#000000"


def system_color(label: str) -> str:
    """The colour of the system a chart label names (by the first matching key of :data:`SYSTEM_COLORS`).

    >>> system_color("CS-3 (70B, 16-bit)"), system_color("8x B200 (DGX)"), system_color("GB200 NVL72")
    ('#D55E00', '#009E73', '#E69F00')
    """
    for key, colour in SYSTEM_COLORS:
        if key in label:
            return colour
    return _OTHER


def color_scale(labels) -> alt.Scale:
    """An altair colour scale that gives each label its system's colour (same system, same colour, everywhere)."""
    labels = list(dict.fromkeys(labels))
    return alt.Scale(domain=labels, range=[system_color(x) for x in labels])


def system_sources(cat: Catalog, systems, extra=()) -> str:
    """Source line for the catalog rows behind the named systems, plus ``extra`` (source, grade) pairs."""
    pairs = list(extra)
    for s in systems:
        sysobj = pf.system(cat, s)
        df = cat.systems[cat.systems["system"].isin([s, sysobj.chip])]
        pairs += list(zip(df["source"], df["grade"]))
    return source_line(pairs, cat)


def ratio_vs_size(cat: Catalog, prm: pf.Params, gpus: dict[str, str], sizes) -> pd.DataFrame:
    """Batch-1 speed ratio CS-3 / GPU system for synthetic dense models of the given sizes (16-bit)."""
    law = wl.fit_shape_law(cat)
    rows = []
    for p in sizes:
        m = wl.synthetic(law, float(p))
        w = pf.decode(cat, "cs3", m, params=prm, context_tokens=1000)
        for sid, label in gpus.items():
            s = pf.system(cat, sid)
            need = int(np.ceil(m.weight_bytes("bf16") * 1.05 / s.mem_bytes))
            # the fastest batch-1 set-up: the chip count (need, or a power of two up to the system or beyond) that
            # maximises per-user speed
            options = sorted({need, *[2 ** i for i in range(12) if need <= 2 ** i <= max(s.chips, need)]})
            runs = [pf.decode(cat, sid, m, params=prm, chips=c, context_tokens=1000) for c in options]
            g = max(runs, key=lambda r: r.tokens_per_s_per_user)
            chips = g.chips
            rows.append({"params": float(p), "system": label, "ratio": w.tokens_per_s_per_user / g.tokens_per_s_per_user,
                         "wafers": w.chips, "gpus": chips})
    return pd.DataFrame(rows)


def ratio_vs_size_chart(df: pd.DataFrame, title: str, sources: str) -> alt.VConcatChart:
    base = alt.Chart(df)
    x = alt.X("params:Q", scale=alt.Scale(type="log"), title="model parameters (dense, log scale)", axis=alt.Axis(format="~s"))
    lines = base.mark_line(point=True).encode(
        x=x, y=alt.Y("ratio:Q", scale=alt.Scale(type="log"), title="CS-3 speed / GPU speed, one user (log)"),
        color=alt.Color("system:N", title="vs", scale=color_scale(df["system"]),
                        legend=alt.Legend(orient="bottom", columns=2, labelLimit=400)),
        tooltip=["system:N", alt.Tooltip("params:Q", format=".3s"), alt.Tooltip("ratio:Q", format=".2f"), "wafers:Q", "gpus:Q"])
    steps = df.drop_duplicates("params").assign(change=lambda d: d["wafers"].diff().fillna(0) > 0)
    rules = alt.Chart(steps[steps["change"]]).mark_rule(strokeDash=[3, 3], color="#888").encode(x=x)
    labels = alt.Chart(steps[steps["change"]]).mark_text(align="left", dx=3, dy=-4, fontSize=10, color="#555").encode(
        x=x, y=alt.value(8), text=alt.Text("wafers:Q", format="d"))
    one = alt.Chart(pd.DataFrame({"y": [1.0]})).mark_rule(color="black").encode(y="y:Q")
    chart = (lines + rules + labels + one).properties(width=_W, height=260)
    return finish(chart, title=title, sources=sources, width=_W,
                  subtitle="dashed lines: a wafer is added (number = wafers); black line: equal speed")


def concurrency(cat: Catalog, prm: pf.Params, cases: dict[str, tuple], users) -> pd.DataFrame:
    """Per-user speed, throughput and throughput per kW vs concurrent users for (system, model, precision)."""
    rows = []
    for label, (sid, mid, prec) in cases.items():
        umax = pf.max_users(cat, sid, mid, precision=prec, context_tokens=2048)
        for u in users:
            if u > umax:
                continue
            r = pf.decode(cat, sid, mid, precision=prec, users=int(u), params=prm, context_tokens=2048)
            rows.append({"system": label, "users": int(u), "per_user": r.tokens_per_s_per_user,
                         "total": r.tokens_per_s_total, "per_kw": r.tokens_per_s_per_kw,
                         "j_per_token": r.energy_per_token_j})
    return pd.DataFrame(rows)


def concurrency_chart(df: pd.DataFrame, title: str, sources: str) -> alt.VConcatChart:
    x = alt.X("users:Q", scale=alt.Scale(type="log"), title="concurrent users (log)",
              axis=alt.Axis(values=[1, 10, 100, 1000, 10000], format="~s"))
    color = alt.Color("system:N", title=None, scale=color_scale(df["system"]), legend=alt.Legend(orient="bottom", columns=2, labelLimit=400))
    a = alt.Chart(df).mark_line(point=True).encode(
        x=x, y=alt.Y("per_user:Q", scale=alt.Scale(type="log"), title="tokens/s per user (log)"), color=color,
        tooltip=["system:N", "users:Q", alt.Tooltip("per_user:Q", format=".0f")]).properties(width=_W, height=170)
    b = alt.Chart(df).mark_line(point=True).encode(
        x=x, y=alt.Y("per_kw:Q", scale=alt.Scale(type="log"), title="tokens/s per kW (log)"), color=color,
        tooltip=["system:N", "users:Q", alt.Tooltip("per_kw:Q", format=".0f")]).properties(width=_W, height=170)
    return finish(alt.vconcat(a, b, spacing=8), title=title, sources=sources, width=_W,
                  subtitle="top: speed each user sees; bottom: throughput per kW of system power")


def validation_chart(df: pd.DataFrame, title: str, sources: str) -> alt.VConcatChart:
    short = {"output_tokens_per_s_per_user": "tok/s per user", "output_tokens_per_s_total": "tok/s total",
             "time_to_first_token_s": "first token"}
    d = df.assign(label=df["system"] + " · " + df["model"] + " · " + df["quantity"].map(short).fillna(df["quantity"]),
                  err_pct=100 * df["error"])
    chart = alt.Chart(d).mark_bar().encode(
        y=alt.Y("label:N", title=None, sort=None, axis=alt.Axis(labelLimit=260)),
        x=alt.X("err_pct:Q", title="model error (% of measured)", stack=None),
        color=alt.Color("role:N", title="row", legend=alt.Legend(orient="bottom")),
        tooltip=["id:N", alt.Tooltip("measured:Q", format=".4g"), alt.Tooltip("predicted:Q", format=".4g"),
                 alt.Tooltip("err_pct:Q", format=".0f")]).properties(width=_W - 200, height=22 * len(d))
    return finish(chart, title=title, sources=sources, width=_W - 160)


def tornado_chart(df: pd.DataFrame, base: float, title: str, sources: str) -> alt.VConcatChart:
    d = df.melt(id_vars=["input", "swing", "label"], value_vars=["low", "high"], var_name="end", value_name="ratio")
    chart = alt.Chart(d).mark_bar().encode(
        y=alt.Y("label:N", sort=alt.SortField("swing", order="descending"), title=None, axis=alt.Axis(labelLimit=180)),
        x=alt.X("ratio:Q", title="ratio (x)", scale=alt.Scale(zero=False)), x2=alt.X2(datum=base),
        color=alt.Color("end:N", title="input at", legend=alt.Legend(orient="bottom")),
        tooltip=["input:N", "end:N", alt.Tooltip("ratio:Q", format=".2f")]).properties(width=_W - 160, height=20 * len(df))
    rule = alt.Chart(pd.DataFrame({"x": [base]})).mark_rule(color="black").encode(x="x:Q")
    return finish(chart + rule, title=title, sources=sources, width=_W)


def what_if_grid(cat: Catalog, prm: pf.Params, model_id: str, systems: dict[str, str], precisions, users, chips) -> pd.DataFrame:
    """Per-user speed and throughput for every (system, precision, users, chips) via :func:`performance.sweep`."""
    rows = [(sid, p, u, c) for sid in systems for p in precisions for u in users
            for c in (chips if pf.system(cat, sid).kind == "gpu" else [1])]
    cfg = {"system": [r[0] for r in rows], "model": [model_id] * len(rows), "precision": [r[1] for r in rows],
           "users": [r[2] for r in rows], "chips": [r[3] for r in rows]}
    out = pf.sweep(cat, cfg, prm, context_tokens=2048)
    df = pd.DataFrame({"system": [systems[r[0]] for r in rows], "precision": cfg["precision"], "users": cfg["users"],
                       "chips": cfg["chips"], "per_user": out["tokens_per_s_per_user"], "total": out["tokens_per_s_total"]})
    return df.dropna().reset_index(drop=True)


def what_if_chart(df: pd.DataFrame, title: str, sources: str, precisions, users, chips) -> alt.VConcatChart:
    prec = alt.param(name="precision_pick", value=precisions[0],
                     bind=alt.binding_select(options=list(precisions), name="precision "))
    upick = alt.param(name="users_pick", value=1, bind=alt.binding_select(options=[int(u) for u in users], name="users "))
    cpick = alt.param(name="chips_pick", value=8, bind=alt.binding_select(options=[int(c) for c in chips], name="GPUs "))
    chart = alt.Chart(df).transform_filter(
        (alt.datum.precision == prec) & (alt.datum.users == upick)
        & ((alt.datum.chips == cpick) | (alt.datum.system == "CS-3"))
    ).mark_bar().encode(
        y=alt.Y("system:N", title=None),
        x=alt.X("per_user:Q", title="tokens/s per user"),
        color=alt.Color("system:N", legend=None, scale=color_scale(df["system"])),
        tooltip=["system:N", "chips:Q", alt.Tooltip("per_user:Q", format=".0f"), alt.Tooltip("total:Q", format=".3s")],
    ).add_params(prec, upick, cpick).properties(width=_W - 100, height=110)
    return finish(chart, title=title, sources=sources, width=_W,
                  subtitle="pick precision, users and GPU count; the CS-3 row uses the wafers the model needs")


def training_chart(df: pd.DataFrame, title: str, sources: str) -> alt.VConcatChart:
    """Step time, scaling efficiency and link energy per step vs the system's dense peak, one line per build
    (``df`` from :func:`waferscale.models.training.training_curve`)."""
    d = df.assign(link_kj=df["comm_energy_j"] / 1e3, eff_pct=100 * df["efficiency"])
    x = alt.X("pflops:Q", scale=alt.Scale(type="log"), title="dense 16-bit peak of the whole system (PFLOP/s, log)",
              axis=alt.Axis(values=[10, 100, 1000, 10000, 100000], format="~s"))
    color = alt.Color("system:N", title=None, scale=color_scale(d["system"]),
                      legend=alt.Legend(orient="top", columns=2, labelLimit=300))
    dash = alt.StrokeDash("system:N", legend=None, scale=alt.Scale(
        domain=list(dict.fromkeys(d["system"])),
        range=[[4, 3] if "CPO" in s else [1, 0] for s in dict.fromkeys(d["system"])]))
    tip = ["system:N", "chips:Q", "tp:Q", "pp:Q", "dp:Q", alt.Tooltip("step_s:Q", format=".3g"),
           alt.Tooltip("eff_pct:Q", format=".0f"), alt.Tooltip("link_kj:Q", format=".3g")]
    base = alt.Chart(d).mark_line(point=True).encode(x=x, color=color, strokeDash=dash, tooltip=tip)
    a = base.encode(y=alt.Y("step_s:Q", scale=alt.Scale(type="log"), title="seconds per step (log)")).properties(
        width=_W, height=150)
    b = base.encode(y=alt.Y("eff_pct:Q", title="scaling efficiency (%)", scale=alt.Scale(domain=[0, 100]))).properties(
        width=_W, height=120)
    c = base.encode(y=alt.Y("link_kj:Q", scale=alt.Scale(type="log"), title="link energy per step (kJ, log)")).properties(
        width=_W, height=120)
    return finish(alt.vconcat(a, b, c, spacing=8), title=title, sources=sources, width=_W,
                  subtitle="one point per power-of-two chip count; dashed: the same GB200 racks on co-packaged-optics switches")
