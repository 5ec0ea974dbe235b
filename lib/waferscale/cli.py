"""The what-if command line: ``python -m waferscale``.

Commands print readable tables, or one JSON document with ``--json``. Bad arguments exit with
status 2 and the ValueError's message on standard error.

Examples
--------
``python -m waferscale list systems``
``python -m waferscale list sources --json``
``python -m waferscale claims --json``
``python -m waferscale train --build gb200_cpo --model llama3_1_405b --chips 4096``
"""

from __future__ import annotations

import enum
import json
import math
import sys
from typing import Annotated, Sequence

import pandas as pd
import typer

from .data import catalog as _catalog
from . import claims as _claims

app = typer.Typer(
    name="waferscale",
    help="Sourced facts and models behind the book 'Wafer-scale vs scale-out'.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON document instead of a table.")]


class Listable(str, enum.Enum):
    systems = "systems"
    links = "links"
    tiers = "tiers"
    sources = "sources"
    models = "models"


def _clean(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def _emit(df: pd.DataFrame, as_json: bool, title: str) -> None:
    if as_json:
        records = [{k: _clean(v) for k, v in r.items()} for r in df.to_dict(orient="records")]
        typer.echo(json.dumps(records, indent=2, ensure_ascii=False, default=str))
        return
    typer.echo(title)
    with pd.option_context("display.max_colwidth", 60, "display.width", 160, "display.max_rows", 500):
        typer.echo(df.to_string(index=False))


def _overview(cat: _catalog.Catalog, table: str) -> pd.DataFrame:
    facts = cat.systems if table == "systems" else cat.links
    col = "system" if table == "systems" else "link"
    ents = cat.entities[cat.entities["table"] == table]
    counts = facts.groupby(col)["field"].count()
    return pd.DataFrame({
        "id": ents["id"].values,
        "name": ents["name"].values,
        "kind": ents["kind"].values,
        "vendor": ents["vendor"].values,
        "facts": [int(counts.get(i, 0)) for i in ents["id"]],
    })


@app.command("list")
def list_(what: Annotated[Listable, typer.Argument(help="What to list.")], as_json: JsonFlag = False) -> None:
    """List the catalog's systems, links or sources (their ids feed the other commands)."""
    cat = _catalog.load()
    if what is Listable.sources:
        _emit(cat.sources[["key", "author", "year", "title", "url"]], as_json, "Sources (references.bib)")
    elif what is Listable.models:
        from .models import workloads as _wl

        ms = _wl.models(cat)
        _emit(pd.DataFrame({"id": [m.id for m in ms], "name": [m.name for m in ms], "kind": [m.kind for m in ms],
                            "params_total": [m.params_total for m in ms], "params_active": [m.params_active for m in ms],
                            "layers": [m.layers for m in ms]}), as_json, "Models (ids for `decode --model`)")
    elif what is Listable.tiers:
        from .models import interconnect as _ic

        _emit(_ic.tier_table(cat), as_json, "Link tiers (ids for `collective --tier`)")
    else:
        _emit(_overview(cat, what.value), as_json, f"{what.value.capitalize()} in the catalog")


@app.command()
def claims(as_json: JsonFlag = False) -> None:
    """The claims ledger: each of the article's claims, its chapter, computed verdict and figure."""
    df = _claims.ledger()
    if as_json:
        _emit(df, True, "")
        return
    view = df[["id", "chapter", "verdict", "figure", "unit", "claim"]].copy()
    view["figure"] = [("" if f is None or (isinstance(f, float) and math.isnan(f)) else f"{f:,.3g}") for f in view["figure"]]
    _emit(view, False, "Claims ledger (verdicts computed now from the catalog and models)")


class YieldModel(str, enum.Enum):
    poisson = "poisson"
    murphy = "murphy"
    seeds = "seeds"
    bose_einstein = "bose_einstein"
    negative_binomial = "negative_binomial"


@app.command("yield")
def yield_(
    model: Annotated[YieldModel, typer.Option(help="Die-yield model.")],
    area_mm2: Annotated[float, typer.Option("--area-mm2", help="Die area in mm².")],
    defects_per_cm2: Annotated[float, typer.Option("--defects-per-cm2", help="Fatal defect density per cm².")],
    alpha: Annotated[float | None, typer.Option(help="Clustering α (negative binomial; default 2).")] = None,
    layers: Annotated[float | None, typer.Option(help="Critical layers N (Bose–Einstein; default 1).")] = None,
    wafer_mm: Annotated[float | None, typer.Option("--wafer-mm", help="Wafer diameter in mm.")] = None,
    wafer_price_usd: Annotated[float | None, typer.Option("--wafer-price-usd", help="Wafer price in USD.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Die yield by model; with --wafer-mm, dies per wafer; with a price too, cost per good die."""
    from .models import yields as _yields

    y = float(_yields.die_yield(model.value, area_mm2, defects_per_cm2, alpha=alpha, layers=layers))
    out: dict[str, float] = {"yield": y}
    if wafer_mm is not None:
        dpw = float(_yields.dies_per_wafer(wafer_mm, area_mm2))
        out["dies_per_wafer"] = dpw
        if wafer_price_usd is not None:
            if dpw <= 0:
                raise ValueError(f"area_mm2={area_mm2:g} leaves no whole die on a {wafer_mm:g} mm wafer")
            out["cost_per_die_usd"] = float(_yields.cost_per_die(wafer_price_usd, dpw))
            out["cost_per_good_die_usd"] = (float(_yields.cost_per_good_die(wafer_price_usd, dpw, y))
                                            if y > 0 else float("inf"))
    elif wafer_price_usd is not None:
        raise ValueError("wafer_price_usd needs --wafer-mm too (dies per wafer set the cost per die)")
    if as_json:
        typer.echo(json.dumps(out))
    else:
        for k, v in out.items():
            typer.echo(f"{k:>24}  {v:,.6g}")


@app.command()
def collective(
    tier: Annotated[str, typer.Option("--tier", help="Link tier id (see `list tiers`).")],
    ranks: Annotated[int, typer.Option("--ranks", help="Number of ranks N (>= 1).")],
    message_bytes: Annotated[float, typer.Option("--bytes", help="Buffer size n in bytes (>= 0).")],
    op: Annotated[str, typer.Option("--op", help="all_reduce, tree_all_reduce, switch_all_reduce, reduce_scatter, all_gather or all_to_all.")] = "all_reduce",
    as_json: JsonFlag = False,
) -> None:
    """α–β time, nccl-tests bus bandwidth and energy of one collective on one link tier."""
    from .models import collectives as _co

    r = _co.collective(_catalog.load(), tier, op, ranks, message_bytes)
    energy = None if math.isnan(r.energy_j) else r.energy_j  # None: the tier publishes no energy per bit
    doc = {"time_s": r.time_s, "bus_bandwidth_bytes_per_s": r.bus_bandwidth_bytes_per_s, "energy_j": energy}
    if as_json:
        typer.echo(json.dumps(doc))
        return
    typer.echo(f"{op} of {message_bytes:g} bytes over {ranks} ranks on {tier} ({r.algorithm}):")
    typer.echo(f"  time           {r.time_s:.4g} s")
    typer.echo(f"  bus bandwidth  {r.bus_bandwidth_bytes_per_s / 1e9:.4g} GB/s")
    typer.echo("  energy         not published for this tier" if energy is None else f"  energy         {energy:.4g} J")


def _report(doc: dict, as_json: bool, header: str, keys: Sequence[str], key_width: int) -> None:
    """Print a model result: the whole ``doc`` as one JSON object, or ``header`` and the chosen ``keys``."""
    if as_json:
        typer.echo(json.dumps(doc))
        return
    typer.echo(header)
    for k in keys:
        typer.echo(f"  {k:<{key_width}}{doc[k]:>14,.4g}")


@app.command()
def decode(
    system: Annotated[str, typer.Option("--system", help="System id from `list systems` that has a row in topology.csv (h100_sxm, dgx_h100, cs3 ...).")],
    model: Annotated[str, typer.Option("--model", help="Model id (see `list models`).")],
    precision: Annotated[str, typer.Option("--precision", help="bf16, fp16, fp8 or fp4.")] = "bf16",
    chips: Annotated[int | None, typer.Option("--chips", help="GPUs or wafers (default: the system's, or as many wafers as needed).")] = None,
    users: Annotated[str, typer.Option("--users", help="Concurrent users, or 'max' (largest that fits the memory).")] = "1",
    context_tokens: Annotated[int, typer.Option("--context-tokens", help="Context length per user (KV cache).")] = 2048,
    spec_tokens: Annotated[int, typer.Option("--spec-tokens", help="Speculative draft tokens per step k.")] = 0,
    spec_accept: Annotated[float, typer.Option("--spec-accept", help="Per-token acceptance probability p.")] = 0.0,
    as_json: JsonFlag = False,
) -> None:
    """Decode speed, throughput, time to first token and energy per token of one configuration."""
    from .models import performance as _pf

    if users != "max":
        try:
            u: int | str = int(users)
        except ValueError:
            raise ValueError(f"users={users!r} is out of range; need an integer >= 1 or 'max'") from None
    else:
        u = "max"
    r = _pf.decode(_catalog.load(), system, model, precision=precision, chips=chips, users=u,
                   context_tokens=context_tokens, spec_tokens=spec_tokens, spec_accept=spec_accept)
    _report(r.as_dict(), as_json,
            f"{model} on {system} ({precision}, {r.chips} chips, {r.users} users, {r.context_tokens} tokens of context):",
            ("tokens_per_s_per_user", "tokens_per_s_total", "time_per_token_s", "time_to_first_token_s",
             "energy_per_token_j", "tokens_per_s_per_kw", "power_w", "chips_needed"), key_width=24)


class Build(str, enum.Enum):
    cs3 = "cs3"
    h100_ib = "h100_ib"
    gb200_xdr = "gb200_xdr"
    gb200_cpo = "gb200_cpo"


@app.command("train")
def train(
    build: Annotated[Build, typer.Option("--build", help="cs3 (weight streaming), h100_ib, gb200_xdr or gb200_cpo.")],
    model: Annotated[str, typer.Option("--model", help="Dense model id (see `list models`).")],
    chips: Annotated[int, typer.Option("--chips", help="GPUs or wafers.")],
    tokens_per_step: Annotated[float, typer.Option("--tokens-per-step", help="Global batch in tokens.")] = 16e6,
    seq_tokens: Annotated[int, typer.Option("--seq-tokens", help="Tokens per sequence (micro-batch).")] = 8192,
    utilisation: Annotated[float, typer.Option("--utilisation", help="Assumed share of dense 16-bit peak (0-1].")] = 0.5,
    overlap: Annotated[float, typer.Option("--overlap", help="Share of gradient / weight traffic hidden behind compute.")] = 1.0,
    interleave: Annotated[int, typer.Option("--interleave", help="Virtual pipeline stages per GPU (divides the bubble).")] = 1,
    as_json: JsonFlag = False,
) -> None:
    """Time and link energy of one training step (a what-if: utilisation and batch are assumptions)."""
    from .models import scaling as _sc
    from .models import training as _tr
    from .models import workloads as _wl

    cat = _catalog.load()
    b = {"cs3": _sc.cs3_ethernet, "h100_ib": _sc.h100_ib, "gb200_xdr": _sc.gb200_xdr, "gb200_cpo": _sc.gb200_cpo}[build.value]()
    st = _tr.train_step(cat, b, _wl.model(cat, model), chips, tokens_per_step=tokens_per_step, seq_tokens=seq_tokens,
                        utilisation=utilisation, overlap=overlap, interleave=interleave)
    _report(st.as_dict(), as_json,
            f"{model} on {chips} x {b.label} (T={st.tp}, S={st.pp}, D={st.dp}, {st.microbatches} micro-batches):",
            ("step_s", "compute_s", "bubble_s", "tp_s", "pp_s", "dp_s", "exposed_dp_s", "efficiency", "comm_energy_j"),
            key_width=16)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the app; turn ValueErrors and usage errors into exit status 2."""
    try:
        result = app(args=list(argv) if argv is not None else None, standalone_mode=False)
    except typer.Exit as exc:
        return int(getattr(exc, "exit_code", 0) or 0)
    except typer.Abort:
        return 1
    except typer.TyperException as exc:  # usage errors: unknown command, option or choice
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            typer.echo(f"error: {exc}", err=True)
        return 2
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        return 2
    return int(result) if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
