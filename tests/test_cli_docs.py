"""The command-line page (chapters/cli.md) shows what the commands print: each example is run and compared.

Every ```` ```console ```` block on the page is one example: a ``$ python -m waferscale ...`` line, then the
output. A block whose output has a line ``...`` is an excerpt: each other line must appear in the real output,
in order (whitespace runs compared as one space, so a table's column widths may change). Any other block must
match the output exactly (trailing spaces aside). An output that starts with ``error:`` must come with exit
status 2; every other example must exit 0. The commands run against the package's own catalog.

After a catalog or model change, ``python tests/test_cli_docs.py --write`` rewrites the outputs of the
exact blocks, and re-spaces the lines of excerpts as the command prints them (which lines an excerpt shows is
left to a person).
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[1] / "chapters" / "cli.md"
BLOCK = re.compile(r"```console\n(.*?)```", re.S)
COMMANDS = ("train", "list systems", "list links", "list sources", "list tiers", "list models", "claims", "yield",
            "collective", "decode")


def examples(text: str) -> list[tuple[str, list[str]]]:
    """(command, expected output lines) for every console block of ``text``."""
    out = []
    for body in BLOCK.findall(text):
        lines = body.rstrip("\n").split("\n")
        if not lines[0].startswith("$ "):
            raise ValueError(f"a console block must start with '$ ': {lines[0]!r}")
        out.append((lines[0][2:], lines[1:]))
    return out


def run(command: str) -> subprocess.CompletedProcess:
    args = shlex.split(command)
    if args[:3] != ["python", "-m", "waferscale"]:
        raise ValueError(f"command={command!r} must start with 'python -m waferscale'")
    env = {k: v for k, v in os.environ.items() if k != "WAFERSCALE_DATA"}
    env["COLUMNS"] = "80"
    return subprocess.run([sys.executable, *args[1:]], capture_output=True, text=True, timeout=300, env=env)


def _squash(line: str) -> str:
    return " ".join(line.split())


def matches(expected: list[str], actual: str) -> bool:
    """Whether ``actual`` (the command's output) shows ``expected`` (exactly, or as an excerpt with ``...``)."""
    got = actual.rstrip("\n").split("\n")
    if "..." not in expected:
        return [g.rstrip() for g in got] == [e.rstrip() for e in expected]
    want = [_squash(e) for e in expected if e != "..."]
    pos = 0
    for w in want:
        while pos < len(got) and _squash(got[pos]) != w:
            pos += 1
        if pos == len(got):
            return False
        pos += 1
    return True


EXAMPLES = examples(PAGE.read_text(encoding="utf-8"))


def test_the_page_documents_every_command():
    shown = [c for c, _ in EXAMPLES]
    for cmd in COMMANDS:
        assert any(c.startswith(f"python -m waferscale {cmd}") for c in shown), f"no example of `{cmd}` on cli.md"


def test_excerpt_matching_is_strict():
    assert matches(["a", "...", "c d"], "a\nb\nc    d\n")
    assert not matches(["a", "...", "c"], "c\na\n")  # order matters
    assert not matches(["x", "..."], "a\nb\n")
    assert matches(["  1", "2"], "  1  \n2\n") and not matches(["1"], "1\n2\n")


@pytest.mark.parametrize("command,expected", EXAMPLES, ids=[c.removeprefix("python -m waferscale ") for c, _ in EXAMPLES])
def test_example_prints_what_the_page_shows(command, expected):
    r = run(command)
    is_error = bool(expected) and expected[0].startswith("error:")
    assert r.returncode == (2 if is_error else 0), r.stderr
    shown = r.stderr if is_error else r.stdout
    assert matches(expected, shown), f"`{command}` printed:\n{shown}"


def write() -> int:
    """Rewrite the output of every exact block on the page with what the command prints now."""
    text = PAGE.read_text(encoding="utf-8")

    def redo(m: re.Match) -> str:
        lines = m.group(1).rstrip("\n").split("\n")
        r = run(lines[0][2:])
        shown = (r.stderr if r.returncode else r.stdout).rstrip("\n")
        if "..." in lines[1:]:  # keep the excerpt's lines, in the spacing the command prints them with
            got = {_squash(g): g.rstrip() for g in shown.split("\n")}
            shown = "\n".join(e if e == "..." else got.get(_squash(e), e) for e in lines[1:])
        return f"```console\n{lines[0]}\n{shown}\n```"

    PAGE.write_text(BLOCK.sub(redo, text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(write() if sys.argv[1:] == ["--write"] else 0)
