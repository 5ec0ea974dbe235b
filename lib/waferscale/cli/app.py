"""The what-if command line: ``python -m waferscale``.

Commands print readable tables, or one strict JSON document with ``--json`` (no NaN or Infinity: a missing
value is ``null``). Every number printed carries at most 6 significant digits
(:func:`waferscale.core.digits.round_floats`), so the output is the same on every CPU.

Bad input: every bad value or combination exits with status 2 and exactly one line on standard error,
``error: --option: <value> <what is wrong>; allowed: <range or set>`` (see :mod:`waferscale.cli.checks`
for the range of every option). The options are checked here before any model runs; a ValueError that a
model raises all the same becomes the same one line.

Examples
--------
``python -m waferscale list systems``
``python -m waferscale list sources --json``
``python -m waferscale claims --json``
``python -m waferscale train --build gb200_cpo --model llama3_1_405b --chips 4096``
"""

from __future__ import annotations

import contextlib
import enum
import json
import math
import sys
import warnings
from typing import TYPE_CHECKING, Annotated, Iterator, Sequence

import typer

from .checks import BOUNDS, CliError, check, click_exceptions, finite_or_error, helptext, model_line, show, usage_line
from ..core.digits import round_floats, sig

if TYPE_CHECKING:
    import pandas as pd

    from ..data.catalog import Catalog

# pandas, the catalog, the models and the claims are imported inside the commands that use them, so that a
# bad option is answered (exit 2, one line) before any of them is loaded.


def _load() -> "Catalog":
    from ..data.catalog import load

    return load()

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
    """A JSON-ready copy: NaN (a missing catalog value) becomes None, floats keep 6 significant digits."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return round_floats(value)


def _dumps(doc: object) -> str:
    """Strict JSON (``allow_nan=False``) of ``doc`` with every float at 6 significant digits."""
    return json.dumps(_clean(doc), ensure_ascii=False, default=str, allow_nan=False)


def _cell(v: object) -> object:
    if isinstance(v, float):
        return "NaN" if math.isnan(v) else format(sig(v), ".6g")
    return v


def _emit(df: pd.DataFrame, as_json: bool, title: str) -> None:
    if as_json:
        records = [{k: _clean(v) for k, v in r.items()} for r in df.to_dict(orient="records")]
        typer.echo(json.dumps(records, indent=2, ensure_ascii=False, default=str, allow_nan=False))
        return
    view = df.copy()
    for c in view.columns:
        if view[c].dtype.kind == "f" or view[c].dtype == object:
            view[c] = [_cell(v) for v in view[c]]
    import pandas as pd

    typer.echo(title)
    with pd.option_context("display.max_colwidth", 60, "display.width", 160, "display.max_rows", 500):
        typer.echo(view.to_string(index=False))


def _overview(cat: Catalog, table: str) -> pd.DataFrame:
    facts = cat.systems if table == "systems" else cat.links
    col = "system" if table == "systems" else "link"
    ents = cat.entities[cat.entities["table"] == table]
    counts = facts.groupby(col)["field"].count()
    import pandas as pd

    out = pd.DataFrame({
        "id": ents["id"].values,
        "name": ents["name"].values,
        "kind": ents["kind"].values,
        "vendor": ents["vendor"].values,
        "facts": [int(counts.get(i, 0)) for i in ents["id"]],
    })
    if table == "systems":  # what `serve --system` needs: the chip it is built from and its own chip count
        chips = {i: int(cat.value(i, "chips")) if cat.has(i, "chips") else 1 for i in ents["id"]}
        out.insert(4, "chip", [c if isinstance(c, str) and c else i for i, c in zip(ents["id"], ents["chip"])])
        out.insert(5, "chips", [chips[i] for i in ents["id"]])
    return out


def _one_of(option: str, value: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise CliError(option, value, f"is not one of the allowed values: {', '.join(allowed)}")
    return value


@app.command("list")
def list_(what: Annotated[Listable, typer.Argument(help="What to list.")], as_json: JsonFlag = False) -> None:
    """List the catalog's systems, links or sources (their ids feed the other commands)."""
    cat = _load()
    if what is Listable.sources:
        _emit(cat.sources[["key", "author", "year", "title", "url"]], as_json, "Sources (references.bib)")
    elif what is Listable.models:
        import pandas as pd

        from ..models import workloads as _wl

        ms = _wl.models(cat)
        _emit(pd.DataFrame({"id": [m.id for m in ms], "name": [m.name for m in ms], "kind": [m.kind for m in ms],
                            "params_total": [m.params_total for m in ms], "params_active": [m.params_active for m in ms],
                            "layers": [m.layers for m in ms]}), as_json, "Models (ids for `decode --model`)")
    elif what is Listable.tiers:
        from ..models import interconnect as _ic

        _emit(_ic.tier_table(cat), as_json, "Link tiers (ids for `collective --tier`)")
    else:
        _emit(_overview(cat, what.value), as_json, f"{what.value.capitalize()} in the catalog")


@app.command()
def claims(as_json: JsonFlag = False) -> None:
    """The claims ledger: each of the article's claims, its chapter, computed verdict and figure."""
    from ..claims import ledger

    df = ledger()
    if as_json:
        _emit(df, True, "")
        return
    view = df[["id", "chapter", "verdict", "figure", "unit", "claim"]].copy()
    view["figure"] = [("" if f is None or (isinstance(f, float) and math.isnan(f)) else f"{sig(f):,.3g}")
                      for f in view["figure"]]
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
    area_mm2: Annotated[float, typer.Option("--area-mm2", help=helptext("--area-mm2", "Die area in mm²."))],
    defects_per_cm2: Annotated[float, typer.Option("--defects-per-cm2", help=helptext(
        "--defects-per-cm2", "Fatal defect density per cm²."))],
    alpha: Annotated[float | None, typer.Option(help=helptext(
        "--alpha", "Clustering α (negative_binomial only; default 2)."))] = None,
    layers: Annotated[float | None, typer.Option(help=helptext(
        "--layers", "Critical layers N (bose_einstein only; default 1)."))] = None,
    wafer_mm: Annotated[float | None, typer.Option("--wafer-mm", help=helptext(
        "--wafer-mm", "Wafer diameter in mm."))] = None,
    wafer_price_usd: Annotated[float | None, typer.Option("--wafer-price-usd", help=helptext(
        "--wafer-price-usd", "Wafer price in USD (needs --wafer-mm)."))] = None,
    as_json: JsonFlag = False,
) -> None:
    """Die yield by model; with --wafer-mm, dies per wafer; with a price too, cost per good die."""
    from ..models import yields as _yields

    area = check("--area-mm2", area_mm2)
    dens = check("--defects-per-cm2", defects_per_cm2)
    if alpha is not None:
        alpha = check("--alpha", alpha)
        if model is not YieldModel.negative_binomial:
            raise CliError("--alpha", alpha, f"applies to --model negative_binomial only (got --model {model.value})")
    if layers is not None:
        layers = check("--layers", layers)
        if model is not YieldModel.bose_einstein:
            raise CliError("--layers", layers, f"applies to --model bose_einstein only (got --model {model.value})")
    if wafer_mm is not None:
        wafer_mm = check("--wafer-mm", wafer_mm)
    if wafer_price_usd is not None:
        wafer_price_usd = check("--wafer-price-usd", wafer_price_usd)
        if wafer_mm is None:
            raise CliError("--wafer-price-usd", wafer_price_usd,
                           "needs --wafer-mm too (dies per wafer set the cost per die)")
    y = float(_yields.die_yield(model.value, area, dens, alpha=alpha, layers=layers))
    out: dict[str, float] = {"yield": y}
    if wafer_mm is not None:
        dpw = float(_yields.dies_per_wafer(wafer_mm, area))
        out["dies_per_wafer"] = dpw
        if wafer_price_usd is not None:
            if dpw <= 0:
                raise CliError("--area-mm2", area, f"leaves no whole die on a {show(wafer_mm)} mm wafer, so there is "
                               "no cost per die; allowed: an area below the wafer's")
            if y <= 0:
                raise CliError("--defects-per-cm2", dens, f"on {show(area)} mm² gives a yield of 0 (no good die), so the "
                               "cost per good die is unbounded; allowed: a lower density or a smaller die")
            out["cost_per_die_usd"] = float(_yields.cost_per_die(wafer_price_usd, dpw))
            out["cost_per_good_die_usd"] = float(_yields.cost_per_good_die(wafer_price_usd, dpw, y))
    out = round_floats(finite_or_error(out, "yield"))
    if as_json:
        typer.echo(_dumps(out))
    else:
        for k, v in out.items():
            typer.echo(f"{k:>24}  {v:,.6g}")


@app.command()
def collective(
    tier: Annotated[str, typer.Option("--tier", help="Link tier id (see `list tiers`).")],
    ranks: Annotated[int, typer.Option("--ranks", help=helptext("--ranks", "Number of ranks N."))],
    message_bytes: Annotated[float, typer.Option("--bytes", help=helptext("--bytes", "Buffer size n in bytes."))],
    op: Annotated[str, typer.Option("--op", help="all_reduce, tree_all_reduce, switch_all_reduce, reduce_scatter, all_gather or all_to_all.")] = "all_reduce",
    as_json: JsonFlag = False,
) -> None:
    """α–β time, nccl-tests bus bandwidth and energy of one collective on one link tier."""
    from ..models import collectives as _co
    from ..models import interconnect as _ic

    cat = _load()
    _one_of("--tier", tier, _ic.tier_ids(cat))
    _one_of("--op", op, list(_co.OPS))
    n_ranks = check("--ranks", ranks)
    n_bytes = check("--bytes", message_bytes)
    r = _co.collective(_ic.tier(cat, tier), op, n_ranks, n_bytes)
    energy = None if math.isnan(r.energy_j) else r.energy_j  # None: the tier publishes no energy per bit
    doc = round_floats(finite_or_error({"time_s": r.time_s, "bus_bandwidth_bytes_per_s": r.bus_bandwidth_bytes_per_s,
                                        "energy_j": energy}, "collective", may_be_none=("energy_j",)))
    if as_json:
        typer.echo(_dumps(doc))
        return
    typer.echo(f"{op} of {n_bytes:g} bytes over {n_ranks} ranks on {tier} ({r.algorithm}):")
    typer.echo(f"  time           {doc['time_s']:.4g} s")
    typer.echo(f"  bus bandwidth  {sig(doc['bus_bandwidth_bytes_per_s'] / 1e9):.4g} GB/s")
    typer.echo("  energy         not published for this tier" if energy is None else f"  energy         {doc['energy_j']:.4g} J")


def _report(doc: dict, as_json: bool, header: str, keys: Sequence[str], key_width: int, command: str,
            may_be_none: tuple[str, ...] = ()) -> None:
    """Print a model result: the whole ``doc`` as one JSON object, or ``header`` and the chosen ``keys``."""
    doc = round_floats(finite_or_error(doc, command, may_be_none))
    if as_json:
        typer.echo(_dumps(doc))
        return
    typer.echo(header)
    for k in keys:
        typer.echo(f"  {k:<{key_width}}{doc[k]:>14,.4g}")


class Build(str, enum.Enum):
    cs3 = "cs3"
    h100_ib = "h100_ib"
    gb200_xdr = "gb200_xdr"
    gb200_cpo = "gb200_cpo"


@app.command("train")
def train(
    build: Annotated[Build, typer.Option("--build", help="cs3 (weight streaming), h100_ib, gb200_xdr or gb200_cpo.")],
    model: Annotated[str, typer.Option("--model", help="Dense model id (see `list models`).")],
    chips: Annotated[int, typer.Option("--chips", help=f"GPUs or wafers. Allowed: {BOUNDS['--train-chips'].text()}.")],
    tokens_per_step: Annotated[float, typer.Option("--tokens-per-step", help=helptext(
        "--tokens-per-step", "Global batch in tokens."))] = 16e6,
    seq_tokens: Annotated[int, typer.Option("--seq-tokens", help=helptext(
        "--seq-tokens", "Tokens per sequence (micro-batch)."))] = 8192,
    utilisation: Annotated[float, typer.Option("--utilisation", help=helptext(
        "--utilisation", "Assumed share of dense 16-bit peak."))] = 0.5,
    overlap: Annotated[float, typer.Option("--overlap", help=helptext(
        "--overlap", "Share of gradient / weight traffic hidden behind compute."))] = 1.0,
    interleave: Annotated[int, typer.Option("--interleave", help=helptext(
        "--interleave", "Virtual pipeline stages per GPU (divides the bubble)."))] = 1,
    as_json: JsonFlag = False,
) -> None:
    """Time and link energy of one training step (a what-if: utilisation and batch are assumptions)."""
    from ..models import scaling as _sc
    from ..models import training as _tr
    from ..models import workloads as _wl

    cat = _load()
    _one_of("--model", model, _wl.model_ids(cat))
    n = check("--chips", chips, "--train-chips")
    tps = check("--tokens-per-step", tokens_per_step)
    seq = check("--seq-tokens", seq_tokens)
    util = check("--utilisation", utilisation)
    ov = check("--overlap", overlap)
    il = check("--interleave", interleave)
    b = {"cs3": _sc.cs3_ethernet, "h100_ib": _sc.h100_ib, "gb200_xdr": _sc.gb200_xdr, "gb200_cpo": _sc.gb200_cpo}[build.value]()
    st = _tr.train_step(_sc.cluster(cat, b), _wl.model(cat, model), n, tokens_per_step=tps, seq_tokens=seq,
                        utilisation=util, overlap=ov, interleave=il)
    _report(st.as_dict(), as_json,
            f"{model} on {n} x {b.label} (T={st.tp}, S={st.pp}, D={st.dp}, {st.microbatches} micro-batches):",
            ("step_s", "compute_s", "bubble_s", "tp_s", "pp_s", "dp_s", "exposed_dp_s", "efficiency", "comm_energy_j"),
            key_width=16, command="train")


@contextlib.contextmanager
def _quiet_numerics() -> Iterator[None]:
    """No numpy RuntimeWarning lines: a non-finite result is reported as an error instead."""
    import numpy as np

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _error(line: str) -> int:
    typer.echo(" ".join(line.split()), err=True)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the app; every bad input becomes one ``error:`` line and exit status 2."""
    cx = click_exceptions()
    args = list(argv) if argv is not None else sys.argv[1:]
    try:
        with _quiet_numerics():
            result = app(args=args, prog_name="waferscale", standalone_mode=False)
    except typer.Exit as exc:
        return int(getattr(exc, "exit_code", 0) or 0)
    except typer.Abort:
        return 1
    except cx.NoArgsIsHelpError as exc:  # no command (or no option): the help, on stdout
        typer.echo(exc.ctx.get_help() if exc.ctx is not None else str(exc))
        return 0
    except cx.ClickException as exc:  # usage errors: unknown command, option or choice ...
        return _error(usage_line(exc, args))
    except CliError as exc:
        return _error(f"error: {exc}")
    except ValueError as exc:  # a model's own check (the CLI's checks should have caught it first)
        return _error(model_line(str(exc)))
    except (OverflowError, ZeroDivisionError, FloatingPointError, MemoryError, RecursionError) as exc:
        return _error(f"error: {args[0] if args else 'waferscale'}: these inputs lie outside what the model can "
                      f"compute ({type(exc).__name__}: {exc}); use smaller values")
    return int(result) if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
