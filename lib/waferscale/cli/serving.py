"""The serving commands: ``serve`` (the best layout for one objective, or the frontier) and ``decode``, its
batch-1 shortcut; one implementation (:func:`_serve`) and one definition of each shared option.

Registered on :data:`waferscale.cli.app.app` when :mod:`waferscale.cli` is imported.

Examples
--------
``python -m waferscale serve --system dgx_b200 --model llama3_1_70b --precision fp8 --max-throughput --json``
``python -m waferscale decode --system cs3 --model llama3_1_70b``
"""

from __future__ import annotations

import re
from typing import Annotated

import typer

from .app import JsonFlag, _dumps, _load, _one_of, _report, app
from .checks import BOUNDS, CliError, check, finite_or_error, helptext
from ..core.digits import round_floats

__all__ = ["decode", "serve", "PRECISIONS"]

PRECISIONS = ("bf16", "fp16", "fp8", "fp4")


def _users(users: str) -> int | str:
    if users == "max":
        return "max"
    if not re.fullmatch(r"[+-]?[0-9]+", users.strip(), flags=re.ASCII):
        raise CliError("--users", users, f"is not an integer or 'max'; allowed: {BOUNDS['--users'].text()} or 'max'")
    digits = users.strip().lstrip("+-")
    if len(digits.lstrip("0")) > 18:
        raise CliError("--users", int(users) if len(digits) < 4000 else 10 ** 19,
                       f"is out of range; allowed: {BOUNDS['--users'].text()} or 'max'")
    try:
        return check("--users", int(users))
    except CliError as e:
        raise CliError("--users", e.value, f"is out of range; allowed: {BOUNDS['--users'].text()} or 'max'") from None


# Options shared by `serve` and its batch-1 shortcut `decode` (one definition each).
SystemOpt = Annotated[str, typer.Option("--system", help="System id with link tiers in topology.csv (dgx_h100, gb200_nvl72, cs3 ...).")]
ModelOpt = Annotated[str, typer.Option("--model", help="Model id (see `list models`).")]
ChipsOpt = Annotated[int | None, typer.Option("--chips", help=helptext(
    "--chips", "Chips of the system's kind (default: the system's own count; for a wafer system the wafers "
    "that hold the model and the users' KV cache)."))]
PrecisionOpt = Annotated[str, typer.Option("--precision", help="Weights: bf16, fp16, fp8 or fp4 (KV cache in FP8 for FP8/FP4 weights).")]
InputOpt = Annotated[int, typer.Option("--input-tokens", help=helptext("--input-tokens", "Mean prompt length per request."))]
OutputOpt = Annotated[int, typer.Option("--output-tokens", help=helptext("--output-tokens", "Mean generated length per request."))]
SpecKOpt = Annotated[int, typer.Option("--spec-tokens", help=helptext("--spec-tokens", "Speculative draft tokens per step k."))]
SpecPOpt = Annotated[float, typer.Option("--spec-accept", help=helptext(
    "--spec-accept", "Per-token acceptance probability p (needs --spec-tokens >= 1 when above 0)."))]


def _serve(system: str, model: str, chips: int | None, precision: str, input_tokens: int, output_tokens: int,
           users: int | None, min_speed: float | None, max_throughput: bool, spec_tokens: int, spec_accept: float,
           frontier: bool, as_json: bool, command: str) -> None:
    """What `serve` and `decode` both do: check the options, run the serving model, print the result."""
    from ..models import workloads as _wl
    from ..models import serving as _sv

    cat = _load()
    _one_of("--system", system, _sv.hardware_ids(cat))
    _one_of("--model", model, _wl.model_ids(cat))
    _one_of("--precision", precision, PRECISIONS)
    if chips is not None:
        chips = check("--chips", chips)
    i, o = check("--input-tokens", input_tokens), check("--output-tokens", output_tokens)
    k, p = check("--spec-tokens", spec_tokens), check("--spec-accept", spec_accept)
    if p > 0 and k == 0:
        raise CliError("--spec-accept", p, "needs --spec-tokens >= 1 (no draft tokens, nothing to accept); "
                       "allowed: 0 without --spec-tokens")
    goals = [users is not None, min_speed is not None, max_throughput]
    if frontier and any(goals):
        raise CliError("--frontier", "on", "traces every load, so it takes no objective; allowed: --frontier alone, "
                       "or one of --users, --min-tokens-per-s-per-user, --max-throughput")
    if not frontier and sum(goals) != 1:
        raise CliError("--users", users if users is not None else "none", "needs exactly one objective; allowed: one of "
                       "--users U, --min-tokens-per-s-per-user X, --max-throughput (or --frontier)")
    if users is not None:
        users = check("--users", users)
    if min_speed is not None:
        min_speed = check("--min-tokens-per-s-per-user", min_speed)
    from ..fit import servefit as _sf

    hw, m = _sv.hardware(cat, system), _wl.model(cat, model)
    op = _sv.OperatingPoint(i, o, precision, spec_tokens=k, spec_accept=p)
    prm = _sf.fitted(cat)
    try:
        if frontier:
            pts = [r.as_dict() for r in _sv.frontier(hw, m, op, prm, chips=chips)]
        else:
            r = _sv.serve(hw, m, op, prm, chips=chips, users=users, min_tokens_per_s_per_user=min_speed,
                          max_throughput=max_throughput)
    except _sv.DoesNotFit as e:
        what = "wafers" if hw.kind == "wafer" else f"chips of {system}"
        load = f" with {users} users" if users is not None else ""
        raise CliError("--chips", e.chips, f"{'' if chips is not None else '(the default) '}is too few: {model} at {precision}{load} ({i}/{o} tokens) needs "
                       + (f"{e.need} {what}; allowed: an integer in [{e.need}, 100000]" if e.need else
                          f"more than 100000 {what}; allowed: fewer users or tokens, or a lower precision")) from None
    except _sv.OutOfReach as e:
        raise CliError("--min-tokens-per-s-per-user", e.floor, f"is out of reach for {model} on {system}; "
                       f"allowed: up to {e.fastest:.4g} tokens/s per user") from None
    if frontier:
        doc = [round_floats(finite_or_error(d, command, ("tokens_per_s_per_musd",))) for d in pts]
        if as_json:
            typer.echo(_dumps(doc))
            return
        typer.echo(f"Frontier of {model} on {system} ({precision}, {i}/{o} tokens), fastest user first:")
        typer.echo(f"  {'tok/s/user':>12}{'tok/s total':>14}{'users':>8}  layout (tp, pp, ep, replicas)")
        for d in doc:
            par = d["parallelism"]
            typer.echo(f"  {d['tokens_per_s_per_user']:>12,.4g}{d['tokens_per_s_total']:>14,.4g}{d['users']:>8}  "
                       f"({par['tp']}, {par['pp']}, {par['ep']}, {par['replicas']})")
        return
    doc = r.as_dict()
    doc["time_per_token_s"] = 1.0 / r.tokens_per_s_per_user
    par = doc["parallelism"]
    _report(doc, as_json, f"{model} on {system} ({precision}, {i}/{o} tokens, {r.chips} chips, {r.users} users; "
            f"tp {par['tp']}, pp {par['pp']}, ep {par['ep']}, {par['replicas']} replicas):",
            ("tokens_per_s_per_user", "tokens_per_s_total", "time_per_token_s", "time_to_first_token_s",
             "energy_per_token_j", "tokens_per_s_per_kw", "power_w"), key_width=24, command=command,
            may_be_none=("tokens_per_s_per_musd",))


@app.command()
def decode(
    system: SystemOpt,
    model: ModelOpt,
    precision: PrecisionOpt = "bf16",
    chips: ChipsOpt = None,
    users: Annotated[str, typer.Option("--users", help=helptext(
        "--users", "Concurrent users, or 'max' (the highest throughput)."))] = "1",
    input_tokens: InputOpt = 1000,
    output_tokens: OutputOpt = 1000,
    spec_tokens: SpecKOpt = 0,
    spec_accept: SpecPOpt = 0.0,
    as_json: JsonFlag = False,
) -> None:
    """The batch-1 shortcut of `serve`: `serve --users U` (default 1; 'max' is `--max-throughput`)."""
    u = _users(users)
    _serve(system, model, chips, precision, input_tokens, output_tokens, None if u == "max" else u, None,
           u == "max", spec_tokens, spec_accept, False, as_json, "decode")


@app.command()
def serve(
    system: SystemOpt,
    model: ModelOpt,
    chips: ChipsOpt = None,
    precision: PrecisionOpt = "bf16",
    input_tokens: InputOpt = 1000,
    output_tokens: OutputOpt = 1000,
    users: Annotated[int | None, typer.Option("--users", help=helptext(
        "--users", "Objective: serve this many concurrent users as fast as possible."))] = None,
    min_speed: Annotated[float | None, typer.Option("--min-tokens-per-s-per-user", help=helptext(
        "--min-tokens-per-s-per-user", "Objective: the highest throughput with every user at least this fast."))] = None,
    max_throughput: Annotated[bool, typer.Option("--max-throughput", help="Objective: the highest throughput.")] = False,
    spec_tokens: SpecKOpt = 0,
    spec_accept: SpecPOpt = 0.0,
    frontier: Annotated[bool, typer.Option("--frontier", help="Print the speed-throughput frontier (a list) instead of one point.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Serve a model on a system: the best parallel layout for one objective, or the whole frontier."""
    _serve(system, model, chips, precision, input_tokens, output_tokens, users, min_speed, max_throughput,
           spec_tokens, spec_accept, frontier, as_json, "serve")
