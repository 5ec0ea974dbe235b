"""Fuzz of the command line (issue 13): every subcommand, every option, good and bad values.

Each run calls :func:`waferscale.cli.main` in-process with captured stdout and stderr (a handful of real
subprocesses prove the same from a real process) and is put in one class:

* ``clean_error``: exit 2, nothing on stdout, exactly one stderr line, starting ``error: ``;
* ``success``: exit 0, stdout not empty, nothing on stderr; with ``--json`` strict JSON (NaN/Infinity rejected);
* and the bad classes, which must stay at zero: ``traceback`` (any exception out of ``main``), ``hang``
  (the command itself took more than 1 s of CPU time; a 10 s wall-clock alarm stops a run that would never end), ``silent_accept``
  (a known-bad input that exited 0), ``non_finite`` (nan/inf in a table or a JSON value), ``invalid_json``,
  ``warning`` (a warning line on stderr), ``other_format`` (anything else: two error lines, a ``Usage:`` block,
  another exit status).

Hypothesis is seeded (``derandomize=True``) and bounded (a fixed number of examples per command), so the
file runs in well under a minute. ``test_counts`` prints the tally and asserts zero of every bad class.
"""
from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from waferscale import cli
from waferscale.cli.checks import BOUNDS

COUNTS: Counter = Counter()
BAD_RUNS: list[tuple[str, list[str], str]] = []
BAD_CLASSES = ("traceback", "hang", "silent_accept", "non_finite", "invalid_json", "warning", "other_format")
HANG_S = 1.0
#: `claims` computes the whole ledger (every chapter's model) on each call: seconds, not a hang.
SLOW_OK = {"claims": 60.0}


class _Alarm(Exception):
    pass


def _on_alarm(signum, frame):
    raise _Alarm()


def invoke(argv: list[str], limit_s: float = 10.0) -> tuple[object, str, str, float]:
    """(exit status or the exception raised, stdout, stderr, CPU seconds) of ``main(argv)`` in this process.

    CPU time, not wall time, is compared with the 1 s bound: the test machines are shared, and a command that
    waits for a core is not slow; a wall-clock alarm (``limit_s``) still stops a run that never ends."""
    out, err = io.StringIO(), io.StringIO()
    old = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, limit_s)
    t0 = time.process_time()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc: object = cli.main(argv)
    except _Alarm:
        rc = "alarm"
    except BaseException as exc:  # noqa: BLE001 - a traceback is what the fuzz looks for
        rc = exc
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    return rc, out.getvalue(), err.getvalue(), time.process_time() - t0


def _raise_constant(name: str):
    raise ValueError(f"non-standard JSON constant {name}")


NONFINITE = re.compile(r"(?<![A-Za-z_])(nan|inf|infinity)(?![A-Za-z_])", re.I)


def classify(argv: list[str], rc, out: str, err: str, secs: float, known_bad: bool) -> str:
    limit = SLOW_OK.get(argv[0] if argv else "", HANG_S)
    if rc == "alarm" or secs > limit:
        return "hang"
    if isinstance(rc, BaseException):
        return "traceback"
    if "Traceback" in err:
        return "traceback"
    if "Warning" in err:
        return "warning"
    if rc == 2:
        lines = err.splitlines()
        if len(lines) == 1 and lines[0].startswith("error: ") and not out:
            return "clean_error"
        return "other_format"
    if rc == 0:
        if known_bad:
            return "silent_accept"
        if not out.strip() or err:
            return "other_format"
        if "--json" in argv:
            try:
                json.loads(out, parse_constant=_raise_constant)
            except ValueError as exc:
                return "non_finite" if "constant" in str(exc) else "invalid_json"
        elif argv and argv[0] in ("yield", "collective", "decode", "train") and NONFINITE.search(out):
            return "non_finite"
        return "success"
    return "other_format"


def record(argv: list[str], known_bad: bool) -> str:
    rc, out, err, secs = invoke(argv, limit_s=max(10.0, 2 * SLOW_OK.get(argv[0] if argv else "", 0.0)))
    cls = classify(argv, rc, out, err, secs, known_bad)
    if os.environ.get("FUZZ_LOG"):  # a debugging aid: one line per run, appended to that file
        with open(os.environ["FUZZ_LOG"], "a") as f:
            f.write(f"{cls}\t{' '.join(argv)[:150]}\t{err[:110].strip()}\n")
    COUNTS["runs"] += 1
    COUNTS[cls] += 1
    if cls in BAD_CLASSES:
        BAD_RUNS.append((cls, argv, f"rc={rc!r} {secs:.2f}s stderr={err[-300:]!r} stdout={out[-200:]!r}"))
    return cls


@pytest.fixture(scope="module", autouse=True)
def warm():
    """Load the catalog, the decode model's fit and each command's imports once, before any run is timed."""
    for argv in (["list", "systems"], ["yield", "--model", "poisson", "--area-mm2", "1", "--defects-per-cm2", "0.1"],
                 ["collective", "--tier", "nvlink4", "--ranks", "8", "--bytes", "1e6"],
                 ["decode", "--system", "cs3", "--model", "llama3_1_70b"],
                 ["train", "--build", "h100_ib", "--model", "llama3_1_8b", "--chips", "64"]):
        invoke(argv, limit_s=120)


# -- value strategies: (text as typed, known bad?) ----------------------------------------------------
HUGE = "9" * 400
#: Values a reader would type (drawn as often as the whole range, so that many runs succeed).
TYPICAL = {"--chips": [1, 2, 4, 8, 16, 64], "--train-chips": [8, 64, 512, 4096, 16384], "--users": [1, 8, 64, 256],
           "--input-tokens": [128, 1000, 8192, 32768], "--output-tokens": [128, 1000, 2048], "--spec-tokens": [0, 1, 3, 5], "--ranks": [1, 2, 8, 64, 1024],
           "--seq-tokens": [2048, 4096, 8192], "--interleave": [1, 2, 4], "--area-mm2": [100.0, 600.0, 814.0, 46225.0],
           "--defects-per-cm2": [0.0, 0.05, 0.1, 1.0], "--alpha": [0.5, 2.0, 3.0], "--layers": [1.0, 7.5, 13.5],
           "--wafer-mm": [200.0, 300.0], "--wafer-price-usd": [7000.0, 17000.0], "--bytes": [0.0, 1e3, 1e6, 1e9],
           "--spec-accept": [0.0, 0.5, 0.8], "--tokens-per-step": [1e6, 4e6, 16e6], "--utilisation": [0.3, 0.5, 1.0],
           "--overlap": [0.0, 0.5, 1.0]}


class Opt:
    """An option's value strategies: ``good`` (in range, as typed) and ``bad`` (known bad, as typed)."""

    def __init__(self, good, bad):
        self.good, self.bad = good, bad


def ints(option: str, bound_key: str | None = None) -> Opt:
    b = BOUNDS[bound_key or option]
    lo, hi = int(b.lo), int(b.hi)
    good = st.one_of(st.sampled_from(TYPICAL[bound_key or option]), st.integers(lo, hi)).map(str)
    bad = st.one_of(
        st.integers(hi + 1, hi * 10 ** 6).map(str), st.integers(-10 ** 6, lo - 1).map(str),
        st.sampled_from([HUGE, "-" + HUGE, str(2 ** 61 - 1), str(10 ** 12), "1.5", "1e3", "nan", "inf", "abc", "",
                         "0x10", " "]))
    return Opt(good, bad)


def floats(option: str) -> Opt:
    b = BOUNDS[option]
    lo = b.lo if not b.lo_open else math.nextafter(b.lo, math.inf)
    hi = b.hi if not b.hi_open else math.nextafter(b.hi, -math.inf)
    good = st.one_of(st.sampled_from(TYPICAL[option] + [lo, hi]),
                     st.floats(lo, hi, allow_nan=False, allow_infinity=False)).map(repr)
    bad = st.one_of(
        st.floats(hi * 1.01 + 1.0, 1e300).filter(lambda v: not b.holds(v)).map(repr),
        st.floats(-1e300, lo - 1e-9 - abs(lo) * 0.01).filter(lambda v: not b.holds(v)).map(repr),
        st.sampled_from(["nan", "-nan", "inf", "-inf", "1e400", "-1e400", HUGE, "abc", "", "1,5", "NaN"]
                        + [repr(float(x)) for x, is_open in ((b.lo, b.lo_open), (b.hi, b.hi_open)) if is_open]))
    return Opt(good, bad)


def choice(values, bad=("bogus", "", "NVLINK4", "max")) -> Opt:
    return Opt(st.sampled_from(list(values)), st.sampled_from(list(bad)))


JUNK = ("--bogus", "extra", "novalue", "missing")


def command(name: str, required: dict[str, Opt], optional: dict[str, Opt], mode: str):
    """argv for ``name``. ``mode='good'``: every required option and some optional ones, all in range (maybe
    --json). ``mode='bad'``: the same with exactly one fault: one option's value known bad, a required option
    left out, an unknown option, an extra argument, or an option with no value."""
    opts = {**required, **optional}

    @st.composite
    def build(draw):
        use = list(required) + [o for o in optional if draw(st.booleans())]
        fault = draw(st.sampled_from(list(opts) + list(JUNK))) if mode == "bad" else None
        if fault in optional and fault not in use:
            use.append(fault)
        if fault == "missing":
            use.remove(draw(st.sampled_from(list(required))))
        argv = [name]
        for opt in use:
            argv += [opt, draw(opts[opt].bad if opt == fault else opts[opt].good)]
        if draw(st.booleans()):
            argv.append("--json")
        if fault == "--bogus":
            argv.append("--bogus")
        elif fault == "extra":
            argv.append("extra")
        elif fault == "novalue":
            argv.append(draw(st.sampled_from(list(opts))))
        return argv, mode == "bad"

    return build()


def _good_tiers():
    from waferscale.data import catalog
    from waferscale.models import interconnect

    return interconnect.tier_ids(catalog.load())


def _good_models():
    from waferscale.data import catalog
    from waferscale.models import workloads

    return workloads.model_ids(catalog.load())


def _good_systems():
    from waferscale.data import catalog
    from waferscale.models import serving

    return serving.hardware_ids(catalog.load())


SPECS = {
    "yield": ({"--model": choice(["poisson", "murphy", "seeds", "bose_einstein", "negative_binomial"]),
               "--area-mm2": floats("--area-mm2"), "--defects-per-cm2": floats("--defects-per-cm2")},
              {"--alpha": floats("--alpha"), "--layers": floats("--layers"), "--wafer-mm": floats("--wafer-mm"),
               "--wafer-price-usd": floats("--wafer-price-usd")}),
    "collective": ({"--tier": choice(_good_tiers()), "--ranks": ints("--ranks"), "--bytes": floats("--bytes")},
                   {"--op": choice(["all_reduce", "tree_all_reduce", "switch_all_reduce", "reduce_scatter",
                                    "all_gather", "all_to_all"])}),
    "decode": ({"--system": choice(_good_systems()), "--model": choice(_good_models())},
               {"--precision": choice(["bf16", "fp16", "fp8", "fp4"]), "--chips": ints("--chips"),
                "--users": Opt(st.one_of(ints("--users").good, st.just("max")), st.one_of(ints("--users").bad,
                                                                                        st.just("MAX"))),
                "--input-tokens": ints("--input-tokens"), "--output-tokens": ints("--output-tokens"),
                "--spec-tokens": ints("--spec-tokens"), "--spec-accept": floats("--spec-accept")}),
    "train": ({"--build": choice(["cs3", "h100_ib", "gb200_xdr", "gb200_cpo"]), "--model": choice(_good_models()),
               "--chips": ints("--chips", "--train-chips")},
              {"--tokens-per-step": floats("--tokens-per-step"), "--seq-tokens": ints("--seq-tokens"),
               "--utilisation": floats("--utilisation"), "--overlap": floats("--overlap"),
               "--interleave": ints("--interleave")}),
}
LIST = st.tuples(st.one_of(st.tuples(st.sampled_from(["systems", "links", "tiers", "sources", "models"]), st.just(False)),
                           st.tuples(st.sampled_from(["gizmos", "", "--x"]), st.just(True))),
                 st.booleans(), st.sampled_from([None, None, None, "--bogus", "extra"]))

FUZZ = settings(derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def _known_bad_combination(argv: list[str]) -> bool:
    """Combinations that are bad although every value is in range (the CLI must reject them)."""
    def val(opt):
        return argv[argv.index(opt) + 1] if opt in argv and argv.index(opt) + 1 < len(argv) else None

    if argv[0] == "yield":
        model = val("--model")
        if val("--alpha") is not None and model != "negative_binomial":
            return True
        if val("--layers") is not None and model != "bose_einstein":
            return True
        if val("--wafer-price-usd") is not None and val("--wafer-mm") is None:
            return True
    if argv[0] == "decode":
        try:
            p, k = float(val("--spec-accept") or 0), int(val("--spec-tokens") or 0)
        except ValueError:
            return False
        if p > 0 and k == 0:
            return True
    return False


def _fuzz(case):
    argv, bad = case
    cls = record(argv, bad or _known_bad_combination(argv))
    assert cls not in BAD_CLASSES, BAD_RUNS[-1]


@settings(FUZZ, max_examples=60)
@given(command("yield", *SPECS["yield"], mode="good"))
def test_fuzz_yield_in_range(case):
    _fuzz(case)


@settings(FUZZ, max_examples=90)
@given(command("yield", *SPECS["yield"], mode="bad"))
def test_fuzz_yield_one_fault(case):
    _fuzz(case)


@settings(FUZZ, max_examples=60)
@given(command("collective", *SPECS["collective"], mode="good"))
def test_fuzz_collective_in_range(case):
    _fuzz(case)


@settings(FUZZ, max_examples=90)
@given(command("collective", *SPECS["collective"], mode="bad"))
def test_fuzz_collective_one_fault(case):
    _fuzz(case)


@settings(FUZZ, max_examples=70)
@given(command("decode", *SPECS["decode"], mode="good"))
def test_fuzz_decode_in_range(case):
    _fuzz(case)


@settings(FUZZ, max_examples=90)
@given(command("decode", *SPECS["decode"], mode="bad"))
def test_fuzz_decode_one_fault(case):
    _fuzz(case)


@settings(FUZZ, max_examples=40)
@given(command("train", *SPECS["train"], mode="good"))
def test_fuzz_train_in_range(case):
    _fuzz(case)


@settings(FUZZ, max_examples=60)
@given(command("train", *SPECS["train"], mode="bad"))
def test_fuzz_train_one_fault(case):
    _fuzz(case)


@settings(FUZZ, max_examples=30)
@given(LIST)
def test_fuzz_list(case):
    (what, bad), as_json, junk = case
    argv = ["list", what] + (["--json"] if as_json else []) + ([junk] if junk else [])
    _fuzz((argv, bad or junk is not None))


@pytest.mark.parametrize("argv", [["claims", "--yaml"], ["claims", "extra"], ["claims", "--json", "--json=1"],
                                  ["frobnicate"], ["--bogus"], ["list"], ["yield"], ["collective"], ["decode"],
                                  ["train"], ["list", "systems", "--json", "x"]])
def test_fuzz_claims_and_top_level_bad(argv):
    _fuzz((argv, True))


def test_fuzz_claims_good():
    _fuzz((["claims", "--json"], False))


# -- the issue's own cases, explicitly --------------------------------------------------------------
Y = ["yield", "--model"]
ISSUE_CASES = [
    # 400-digit integers (were OverflowError tracebacks)
    ["decode", "--system", "h100_sxm", "--model", "llama3_1_8b", "--chips", HUGE],
    ["decode", "--system", "h100_sxm", "--model", "llama3_1_8b", "--users", HUGE],
    ["collective", "--tier", "nvlink4", "--ranks", HUGE, "--bytes", "1e6"],
    ["decode", "--system", "h100_sxm", "--model", "llama3_1_8b", "--input-tokens", HUGE],
    ["decode", "--system", "h100_sxm", "--model", "llama3_1_8b", "--spec-tokens", HUGE],
    ["train", "--build", "h100_ib", "--model", "llama3_1_8b", "--chips", HUGE],
    ["train", "--build", "h100_ib", "--model", "llama3_1_8b", "--chips", "64", "--seq-tokens", HUGE],
    ["train", "--build", "h100_ib", "--model", "llama3_1_8b", "--chips", "64", "--interleave", HUGE],
    # never ended
    ["collective", "--tier", "wse3_fabric", "--ranks", "2305843009213693951", "--bytes", "1e6"],
    # silent accepts
    Y + ["negative_binomial", "--area-mm2", "600", "--defects-per-cm2", "0.1", "--alpha", "-5"],
    Y + ["negative_binomial", "--area-mm2", "600", "--defects-per-cm2", "0.1", "--alpha", "nan"],
    Y + ["bose_einstein", "--area-mm2", "600", "--defects-per-cm2", "0.1", "--layers", "-3"],
    ["decode", "--system", "h100_sxm", "--model", "llama3_1_405b", "--chips", "2"],
    ["decode", "--system", "dgx_h100", "--model", "llama3_1_8b", "--spec-accept", "0.5", "--spec-tokens", "0"],
    ["collective", "--tier", "nvlink4", "--ranks", "1000000000000", "--bytes", "1e6"],
    # NaN / inf outputs
    Y + ["poisson", "--area-mm2", "814", "--defects-per-cm2", "1e5", "--json"],
    Y + ["poisson", "--area-mm2", "814", "--defects-per-cm2", "1e5", "--wafer-mm", "300", "--wafer-price-usd",
         "9000", "--json"],
    Y + ["poisson", "--area-mm2", "8140", "--defects-per-cm2", "100", "--wafer-mm", "300", "--wafer-price-usd",
         "9000", "--json"],
    Y + ["poisson", "--area-mm2", "1e400", "--defects-per-cm2", "0.1"],
    ["collective", "--tier", "nvlink4", "--ranks", "8", "--bytes", "inf", "--json"],
    # parser errors (were a four-line Usage: block)
    Y + ["gauss", "--area-mm2", "5", "--defects-per-cm2", "0.1"],
    Y + ["poisson", "--area-mm2", "abc", "--defects-per-cm2", "0.1"],
    ["yield", "--model", "poisson", "--area-mm2", "5"],
    ["list", "gizmos"],
]


@pytest.mark.parametrize("argv", ISSUE_CASES, ids=[" ".join(a)[:60] for a in ISSUE_CASES])
def test_issue_cases_are_clean_errors(argv):
    rc, out, err, secs = invoke(argv)
    cls = classify(argv, rc, out, err, secs, known_bad=True)
    COUNTS["runs"] += 1
    COUNTS[cls] += 1
    assert cls == "clean_error", (rc, out, err, secs)


# -- a few real processes ---------------------------------------------------------------------------
REAL = [
    ["collective", "--tier", "wse3_fabric", "--ranks", "2305843009213693951", "--bytes", "1e6"],
    ["decode", "--system", "h100_sxm", "--model", "llama3_1_8b", "--chips", HUGE],
    Y + ["poisson", "--area-mm2", "814", "--defects-per-cm2", "1e5", "--json"],
    ["yield", "--model", "poisson", "--area-mm2", "814", "--bogus"],
    Y + ["negative_binomial", "--area-mm2", "600", "--defects-per-cm2", "0.1", "--alpha", "nan"],
]


@pytest.mark.parametrize("argv", REAL, ids=[" ".join(a)[:60] for a in REAL])
def test_real_process_prints_one_line_and_exits_2(argv):
    r = subprocess.run([sys.executable, "-W", "default", "-m", "waferscale", *argv], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 2 and r.stdout == ""
    assert len(r.stderr.splitlines()) == 1 and r.stderr.startswith("error: --"), r.stderr


def test_real_process_json_is_strict():
    r = subprocess.run([sys.executable, "-m", "waferscale", "collective", "--tier", "ib_ndr", "--ranks", "16",
                        "--bytes", "1e6", "--json"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stderr == ""
    assert json.loads(r.stdout, parse_constant=_raise_constant)["energy_j"] is None


def test_counts(capsys):
    """The tally of every run above (this test runs last in the file): zero of every bad class."""
    with capsys.disabled():
        shown = ", ".join(f"{k}={COUNTS.get(k, 0)}" for k in ("runs", "clean_error", "success", *BAD_CLASSES))
        print(f"\nCLI fuzz: {shown}")
    assert COUNTS["runs"] > 500
    assert COUNTS["clean_error"] > 0 and COUNTS["success"] > 0
    assert all(COUNTS.get(k, 0) == 0 for k in BAD_CLASSES), BAD_RUNS[:10]
