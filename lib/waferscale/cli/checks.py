"""The command line's input contract: the allowed range of every numeric option, and one error format.

Every bad value or combination ends the command with exit status 2 and exactly one line on standard
error::

    error: --option: <value> <what is wrong>; allowed: <range or set>

:data:`BOUNDS` holds the range of each numeric option (the help text of each option quotes it);
:func:`check` validates one value against it *before* any model runs, so the command line is correct
whatever the models accept. :func:`usage_line` turns click's usage errors (unknown option or command,
missing option, bad choice, non-numeric value) into that one line, and :func:`model_line` does the same
for a ValueError that a model raises (a backstop: the checks should have caught it first).

Examples
--------
>>> check("--alpha", -5.0)
Traceback (most recent call last):
...
waferscale.cli.checks.CliError: --alpha: -5 is out of range; allowed: a number in [0.01, 1000]
>>> show(10 ** 400)
'1000000000000000000…(401 digits)'
>>> model_line("message_bytes=-5.0 is out of range; need a finite number >= 0")
'error: --bytes: -5.0 is out of range; need a finite number >= 0'
"""

from __future__ import annotations

import enum
import math
import re
from dataclasses import dataclass
from numbers import Integral, Real
from types import SimpleNamespace
from typing import Sequence

from ..core import checks as _core

__all__ = ["Bound", "BOUNDS", "CliError", "check", "show", "helptext", "usage_line", "model_line", "finite_or_error"]


@dataclass(frozen=True)
class Bound:
    """A closed (or half-open) range ``[lo, hi]`` for one option; ``integer`` asks for whole numbers."""

    lo: float
    hi: float
    integer: bool = False
    lo_open: bool = False
    hi_open: bool = False

    def text(self) -> str:
        """The range as the error line and the help text say it, e.g. ``an integer in [1, 1000000]``."""
        left, right = "(" if self.lo_open else "[", ")" if self.hi_open else "]"
        kind = "an integer" if self.integer else "a number"
        return f"{kind} in {left}{_num(self.lo)}, {_num(self.hi)}{right}"

    def holds(self, x: float) -> bool:
        lo_ok = x > self.lo if self.lo_open else x >= self.lo
        hi_ok = x < self.hi if self.hi_open else x <= self.hi
        return lo_ok and hi_ok


def _num(x: float) -> str:
    if float(x).is_integer() and abs(x) <= 1e7:
        return str(int(x))
    return format(x, "g")


#: The range of every numeric option of every command (the same option name means the same range).
BOUNDS: dict[str, Bound] = {
    # yield
    "--area-mm2": Bound(0.01, 160_000.0),  # 0.1 mm x 0.1 mm up to a whole 450 mm wafer (159,043 mm²)
    "--defects-per-cm2": Bound(0.0, 100.0),  # 0 (perfect) .. 100 per cm² (far beyond any production line)
    "--alpha": Bound(0.01, 1000.0),  # clustering: 0.3-5 in practice; 1000 is already Poisson
    "--layers": Bound(1.0, 100.0),  # H&P use 7.5-15.5 critical layers
    "--wafer-mm": Bound(25.0, 450.0),  # 1-inch to 450 mm wafers
    "--wafer-price-usd": Bound(0.0, 1e6),  # a leading-edge wafer is ~$30k
    # collective
    "--ranks": Bound(1, 1_000_000, integer=True),  # ~ the PEs of one WSE-3, or the largest GPU clusters planned
    "--bytes": Bound(0.0, 1e15),  # up to a petabyte
    # decode
    "--chips": Bound(1, 100_000, integer=True),  # GPUs or wafers: the largest clusters built are ~1e5 GPUs
    "--users": Bound(1, 1_000_000, integer=True),
    "--context-tokens": Bound(1, 10_000_000, integer=True),  # 10 M: the longest published context windows
    "--spec-tokens": Bound(0, 32, integer=True),  # draft tokens per step: 1-8 in practice
    "--spec-accept": Bound(0.0, 1.0, hi_open=True),
    # serve
    "--input-tokens": Bound(1, 10_000_000, integer=True),
    "--output-tokens": Bound(1, 10_000_000, integer=True),
    "--min-tokens-per-s-per-user": Bound(0.0, 1e6, lo_open=True),
    # train (the training model's own ranges)
    "--train-chips": Bound(1, 1_000_000, integer=True),
    "--tokens-per-step": Bound(1e3, 1e9),
    "--seq-tokens": Bound(1, 10_000_000, integer=True),
    "--utilisation": Bound(0.001, 1.0),
    "--overlap": Bound(0.0, 1.0),
    "--interleave": Bound(1, 64, integer=True),
}


def helptext(option: str, what: str) -> str:
    """``what`` followed by the option's allowed range (for the option's ``--help`` line)."""
    return f"{what} Allowed: {BOUNDS[option].text()}."


class CliError(ValueError):
    """A bad option value or combination: ``option``, the value as typed, and what is wrong / allowed."""

    def __init__(self, option: str, value: object, problem: str):
        self.option, self.value, self.problem = option, value, problem
        super().__init__(f"{option}: {show(value)} {problem}")


def show(value: object) -> str:
    """A value as the error line shows it: short, one line (a 400-digit number is cut, NaN is ``nan``)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Integral):
        s = str(int(value)) if abs(int(value)) < 10 ** 4000 else "1" + "0" * 18
        return s if len(s) <= 20 else f"{s[:19]}…({len(s)} digits)"
    if isinstance(value, Real):
        x = float(value)
        return repr(x) if not math.isfinite(x) else format(x, ".15g")
    s = str(value)
    s = s.replace("\n", " ").replace("\r", " ")
    return repr(s) if len(s) <= 40 else repr(s[:37]) + "…"


def check(option: str, value, bound_key: str | None = None):
    """``value`` if it is a finite number in ``BOUNDS[bound_key or option]``; else :class:`CliError`.

    The test itself is the package's one checker (:func:`waferscale.core.checks.check_real` /
    :func:`~waferscale.core.checks.check_int`: bools, NaN, ±inf and 400-digit ints rejected exactly); only
    the wording is the command line's (the option, the value as typed, the range as the help text says it).
    """
    b = BOUNDS[bound_key or option]
    try:
        if b.integer:
            return _core.check_int(option, value, int(b.lo), int(b.hi))
        return _core.check_real(option, value, b.lo, b.hi, lo_open=b.lo_open, hi_open=b.hi_open)
    except ValueError as exc:
        if "is not a number" in str(exc):
            problem = "is not a number"
        elif (b.integer and isinstance(value, float) and math.isfinite(value) and not value.is_integer()
              and b.holds(value)):
            problem = "is not a whole number"
        else:
            problem = "is out of range"
        raise CliError(option, value, f"{problem}; allowed: {b.text()}") from None

# -- click's usage errors, and model ValueErrors, as the one line ---------------------------------
def _opt_name(param) -> str:
    if param is None:
        return "argument"
    opts = [o for o in getattr(param, "opts", []) if o.startswith("--")]
    if opts:
        return opts[0]
    if getattr(param, "param_type_name", "") == "argument":
        return f"<{param.name}>"
    return param.name or "argument"


def _allowed_options(ctx) -> str:
    if ctx is None or ctx.command is None:
        return ""
    names = sorted({o for p in ctx.command.params for o in getattr(p, "opts", []) if o.startswith("--")})
    return ", ".join(names)


def _allowed_of(param, cmd: str = "", name: str | None = None) -> str:
    """The allowed range or set of ``param`` (or of option ``name``) of command ``cmd``: its bound, or its choices."""
    name = name or _opt_name(param)
    if cmd == "train" and name == "--chips":
        return BOUNDS["--train-chips"].text()
    if name in BOUNDS:
        return BOUNDS[name].text()
    ann = _annotation(param)
    if isinstance(ann, type) and issubclass(ann, enum.Enum):
        return "one of " + ", ".join(str(m.value) for m in ann)
    choices = getattr(getattr(param, "type", None), "choices", None)
    if choices:
        return "one of " + ", ".join(str(getattr(c, "value", c)) for c in choices)
    if ann is int:
        return "an integer"
    if ann is float:
        return "a number"
    if ann is str:
        return "a text value (see --help)"
    return "see --help"


def _annotation(param):
    """The Python type of a typer parameter (``int | None`` gives ``int``), or None."""
    desc = getattr(param, "type_descriptor", None)
    ann = getattr(desc, "annotation", None)
    if ann is None:
        tname = getattr(getattr(param, "type", None), "name", "")
        return {"integer": int, "float": float, "text": str}.get(tname)
    args = [a for a in getattr(ann, "__args__", ()) if a is not type(None)]
    return args[0] if len(args) == 1 else ann


def click_exceptions():
    """The module of click's exception classes that typer raises (typer >= 0.24 vendors click)."""
    try:
        from typer._click import exceptions
    except ImportError:  # older typer: click itself
        from click import exceptions
    return exceptions


def _typed(args: Sequence[str], option: str) -> str | None:
    """The value typed after ``option`` in ``args`` (``--opt v`` or ``--opt=v``), if any."""
    for i, a in enumerate(args):
        if a == option and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(option + "="):
            return a[len(option) + 1:]
    return None


def usage_line(exc, args: Sequence[str] = ()) -> str:
    """The one ``error:`` line for a click usage error (no ``Usage:`` block, no ``Try --help``)."""
    click = SimpleNamespace(exceptions=click_exceptions())

    ctx = getattr(exc, "ctx", None)
    cmd = ctx.command_path.split(" ", 1)[1] if ctx is not None and " " in ctx.command_path else "waferscale"
    if isinstance(exc, click.exceptions.NoSuchOption):
        return (f"error: {show_text(exc.option_name)}: no such option of `{cmd}`; allowed: "
                f"{_allowed_options(ctx)}")
    if isinstance(exc, click.exceptions.MissingParameter):
        name = _opt_name(exc.param)
        return f"error: {name}: missing (required by `{cmd}`); allowed: {_allowed_of(exc.param, cmd)}"
    if isinstance(exc, click.exceptions.BadParameter):
        name = _opt_name(exc.param)
        msg = re.sub(r"^Value error, ", "", _one_line(exc.message)).rstrip(".")
        typed = _typed(args, name) if name.startswith("--") else None
        if msg.startswith("Input should be") and typed is not None:
            what = "an integer" if "integer" in msg else "a number" if "number" in msg else "valid"
            msg = f"{show(typed)} is not {what}"
        if "is not one of" in msg:
            return f"error: {name}: {msg}"
        return f"error: {name}: {msg}; allowed: {_allowed_of(exc.param, cmd)}"
    if isinstance(exc, click.exceptions.BadOptionUsage):
        name = show_text(exc.option_name)
        if "requires an argument" in exc.message:
            param = next((p for p in (ctx.command.params if ctx is not None else []) if name in getattr(p, "opts", [])),
                         None)
            if ctx is None and args and not args[0].startswith("-"):
                cmd = args[0]
            return f"error: {name}: no value given; allowed: {_allowed_of(param, cmd, name)}"
        return f"error: {name}: {_one_line(exc.message).rstrip('.')}"
    msg = _one_line(getattr(exc, "message", str(exc)))
    m = re.match(r"No such command '(.*)'", msg)
    if m and ctx is not None:
        names = ", ".join(ctx.command.list_commands(ctx)) if hasattr(ctx.command, "list_commands") else ""
        return f"error: command: {show_text(m.group(1))} is not a command; allowed: {names}"
    if msg.startswith("Missing command") and ctx is not None and hasattr(ctx.command, "list_commands"):
        return f"error: command: missing; allowed: {', '.join(ctx.command.list_commands(ctx))}"
    m = re.match(r"Got unexpected extra arguments?(?:\(s\))? \((.*)\)", msg)
    if m:
        return f"error: {cmd}: unexpected extra argument {show_text(m.group(1))}; allowed: {_allowed_options(ctx)}"
    return f"error: {cmd}: {msg}"


def show_text(s: str) -> str:
    s = _one_line(s)
    return s if len(s) <= 40 else s[:37] + "…"


def _one_line(s: str) -> str:
    return " ".join(str(s).split())


#: A model's parameter name -> the option that sets it (where the two differ beyond ``_`` -> ``-``).
PARAM_OPTION = {"message_bytes": "--bytes", "die_area_mm2": "--area-mm2", "wafer_diameter_mm": "--wafer-mm",
                "system_id": "--system", "model_id": "--model", "tier_id": "--tier", "dies": "--wafer-mm",
                "die_yield": "--defects-per-cm2"}


def model_line(message: str) -> str:
    """The one ``error:`` line for a model's ValueError ``name=value ...``: the name becomes the option."""
    msg = _one_line(message)
    m = re.match(r"([A-Za-z_][A-Za-z0-9_ ]*?)=(.*)", msg)
    if m and " " not in m.group(1):
        name = m.group(1)
        return f"error: {PARAM_OPTION.get(name, '--' + name.replace('_', '-'))}: {m.group(2)}"
    return f"error: {msg}"


def finite_or_error(doc: dict, command: str, may_be_none: tuple[str, ...] = ()) -> dict:
    """``doc`` if every number in it is finite (``None`` allowed for ``may_be_none``); else CliError."""
    for k, v in doc.items():
        if v is None and k in may_be_none:
            continue
        if isinstance(v, Real) and not isinstance(v, bool) and not math.isfinite(float(v)):
            raise CliError(command, f"{k}={float(v)!r}", "is not a finite result: these inputs lie outside what the "
                           "model can compute; use smaller or less extreme values")
    return doc
