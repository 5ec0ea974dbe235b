"""The "no hand-typed numbers" lint: numbers in a chapter must be glued or read from the catalog.

A notebook's prose may only show numbers that myst-nb ``glue`` inserts, and its code may only use
numbers that are not hardware or measured facts. Exceptions are made *by rule*, never by a list of
allowed numbers:

Prose (markdown cells)
    Removed before scanning: glued values and other MyST roles (``{eval}`glued.x(".1f")```, whose format is not
    a number, ``{glue:text}`x:.1f```, ``{cite}``,
    ``{term}``, ``{eq}``, ``{ref}``, ``{doc}``, ``{numref}``), inline code and code fences, link
    targets and URLs, HTML tags, directive options (``:label: perf-ex1``), target labels
    (``(perf-x)=``) and equation labels, math (``$...$``, ``$$...$$``: formula constants and unit
    conversions; a value belongs beside the math, glued), precision names (``16-bit``), text in double quotes (quotations, such as the article's own
    words), and the display names of catalog entities (``Llama 3.1 70B``, ``NVIDIA H100 SXM``).
    Also removed: section references (``section 3.3``), year ranges (``1980–85``), process-node
    names (``14 nm process``), confidence levels (``95 % interval``), versioned model names
    (``Llama 3.1 8B``, ``the Llama 3.1 family``), stencil names (``25-point``), and the statements of
    exercises (``{exercise}`` blocks: the inputs of a what-if a teacher sets; their solutions are linted).
    Allowed: integers from 0 to 10 (counts, steps, exercise numbers), powers of two (system sizes and
    context lengths are chosen on them), years (four digits, 1900–2099, not followed by a unit), numbers that are part of an identifier (``H100``, ``WSE-3``,
    ``NVL72``, ``Qwen3-32B``, ``70B``, ``3D``: letters glued on either side, except ``x``/``×``,
    which make a ratio). Everything else is reported: decimals, percentages, ratios such as
    ``20x``, integers above 10.

Glued values (markdown cells, :func:`role_findings`)
    Quoted as ``{eval}`` roles of :mod:`waferscale.book.evalprose`'s form, which JupyterLab shows: a myst-nb
    ``{glue...}`` role left in a chapter is reported (JupyterLab would show its key; convert it with
    ``python -m waferscale.book.evalprose``), and so is an ``{eval}`` expression of another form, one quoting a
    key the notebook never glues, and a cell whose stored ``user_expressions`` (what JupyterLab shows before
    anything runs) are not its expressions with the book's text (``make execute`` writes them).

Code (code cells)
    A numeric literal is reported when it equals (to 1e-9 relative) a number written in a catalog
    CSV file (the ``value``, ``low`` or ``high`` columns, in the file's own units), unless it is an
    integer from 0 to 10, a power of ten or of two (unit conversions, grid sizes), a number with one
    significant digit (``0.9``, ``400``: a chosen round value; measured ones rarely are), or the value of a
    chart-layout keyword (``width=``, ``height=``, ``size=``, ...).

Examples
--------
>>> prose_findings('The H100 reads 3.35 TB/s, {eval}`glued.bw(".2f")` TB/s in the model.')
['3.35']
>>> prose_findings('Step 2 of 3: the "~20x" of the article, as in 2024.')
[]
"""
from __future__ import annotations

import io
import json
import math
import re
import tokenize
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..data.catalog import Catalog, data_dir

__all__ = ["Finding", "prose_findings", "code_findings", "catalog_numbers", "lint_notebook", "role_findings"]

_ROLE = re.compile(r"\{[\w:.-]+\}`[^`]*`")
_CODE = re.compile(r"`[^`]+`")  # inline code, which may wrap onto the next line
_FENCE = re.compile(r"^(```|~~~)[^\n{]*\n.*?^\1\s*$", re.S | re.M)  # plain code fences, not ```{directive}
_LINK = re.compile(r"\]\([^)]*\)|<https?://[^>]*>|https?://\S+")
_HTML = re.compile(r"<[^>]+>")
_OPTION = re.compile(r"^\s*:[\w-]+:.*$", re.M)
_LABEL = re.compile(r"^\(\S+\)=\s*$|\$\$\s*\([\w-]+\)", re.M)
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S)
_BITS = re.compile(r"\b\d+[- ]bits?\b")
_SECTION = re.compile(r"(?:section|§|chapter|Chapter|Section)\s*\d+(?:\.\d+)*")
_YEARS = re.compile(r"\b(?:19|20)\d\d\s*[–-]\s*\d\d\b")
_NODE = re.compile(r"\b\d+(?:\s*[–-]\s*\d+)?\s?nm (?:process|densities|node|class)\b|\b\d+ nm\b(?= (?:process|value|node))")
_CONFIDENCE = re.compile(r"\b(?:90|95|99)\s?% (?:confidence )?interval")
_VERSION = re.compile(r"\b[A-Z][A-Za-z]+ \d+(?:\.\d+)? (?:\d+(?:\.\d+)?[BMT]\b|family|models)")
_POINT = re.compile(r"\b\d+-point\b")
_EXERCISE = re.compile(r"^(:::+|```+)\{exercise\}.*?^\1\s*$", re.S | re.M)
_QUOTE = re.compile(r"\"[^\"\n]*\"|“[^”]*”")
_NUMBER = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)(\s?%|\s*per\s*cent)?([A-Za-z×]*)")
_YEAR = re.compile(r"^(19|20)\d\d$")
_LAYOUT = frozenset({"width", "height", "size", "padding", "fontSize", "labelLimit", "opacity", "strokeWidth",
                     "columns", "dx", "dy", "offset"})


@dataclass(frozen=True)
class Finding:
    """One typed number: notebook, cell index, kind ('prose' or 'code') and the text found."""

    notebook: str
    cell: int
    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.notebook} cell {self.cell} ({self.kind}): {self.text}"


@lru_cache(maxsize=4)
def _names(root: str) -> tuple[str, ...]:
    ent = pd.read_csv(Path(root) / "entities.csv", comment="#")
    names = {str(n) for n in ent["name"].dropna()}
    return tuple(sorted(names, key=len, reverse=True))


def _strip(text: str, names: tuple[str, ...]) -> str:
    for pattern in (_EXERCISE, _FENCE, _ROLE, _CODE, _LINK, _HTML, _OPTION, _MATH, _LABEL, _BITS, _QUOTE, _SECTION,
                    _YEARS, _NODE, _CONFIDENCE, _VERSION, _POINT):
        text = pattern.sub(" ", text)
    for name in names:
        if any(ch.isdigit() for ch in name):
            text = text.replace(name, " ")
    return text


def prose_findings(text: str, root: str | Path | None = None) -> list[str]:
    """Numbers in markdown ``text`` that are neither glued nor allowed by the module's rules."""
    names = _names(str(root or data_dir()))
    text = _strip(text, names)
    out = []
    for m in _NUMBER.finditer(text):
        number, percent, suffix = m.group(1).rstrip(","), m.group(2), m.group(3)
        ratio = suffix in ("x", "×")
        if suffix and not ratio and not percent:
            continue  # part of an identifier: 70B, 3D
        if re.search(r"[A-Za-z]-$", text[max(0, m.start() - 2):m.start()]):
            continue  # a hyphenated name: WSE-3, Qwen3-32B
        plain = number.replace(",", "")
        if not percent and not ratio and re.fullmatch(r"\d+", plain) and (
            int(plain) <= 10 or _YEAR.match(plain) or int(plain) & (int(plain) - 1) == 0
        ):
            continue
        out.append(m.group(0).strip())
    return out


@lru_cache(maxsize=4)
def _catalog_numbers(root: str) -> frozenset[float]:
    nums: set[float] = set()
    for path in sorted(Path(root).glob("*.csv")):
        if path.name == "entities.csv":
            continue
        df = pd.read_csv(path, comment="#", dtype=str)
        for col in ("value", "low", "high"):
            if col in df:
                for v in df[col].dropna():
                    try:
                        nums.add(float(v))
                    except ValueError:
                        pass
    return frozenset(nums)


def catalog_numbers(cat: Catalog | None = None) -> frozenset[float]:
    """Every number written in the catalog's CSV files (value, low, high; file units)."""
    return _catalog_numbers(str(cat.root if cat is not None else data_dir()))


def _exempt(x: float) -> bool:
    if x == int(x) and 0 <= x <= 10:
        return True
    if x > 0 and float(f"{x:.0e}") == x:
        return True  # one significant digit (0.9, 20, 400, 2e12): a chosen round value, not a measured one
    if x > 0:
        for base in (10, 2):
            k = math.log(x, base)
            if abs(k - round(k)) < 1e-12:
                return True
    return False


def code_findings(source: str, numbers: frozenset[float]) -> list[str]:
    """Numeric literals in Python ``source`` that repeat a catalog number (see the module's rules)."""
    out = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError):
        return out
    for i, tok in enumerate(tokens):
        if tok.type != tokenize.NUMBER:
            continue
        if i >= 2 and tokens[i - 1].string == "=" and tokens[i - 2].string in _LAYOUT:
            continue
        try:
            x = float(tok.string.replace("_", "").rstrip("jJ"))
        except ValueError:
            continue
        if _exempt(abs(x)):
            continue
        if any(math.isclose(x, n, rel_tol=1e-9) for n in numbers):
            out.append(tok.string)
    return out


def lint_notebook(path: str | Path, cat: Catalog | None = None) -> list[Finding]:
    """All findings in one ``.ipynb`` file (cell indices count from 0)."""
    path = Path(path)
    nb = json.loads(path.read_text())
    numbers = catalog_numbers(cat)
    root = cat.root if cat is not None else None
    found = []
    for i, cell in enumerate(nb["cells"]):
        src = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            found += [Finding(path.name, i, "prose", t) for t in prose_findings(src, root)]
        elif cell["cell_type"] == "code":
            found += [Finding(path.name, i, "code", t) for t in code_findings(src, numbers)]
    return found


def role_findings(path: str | Path) -> list[Finding]:
    """Glued values in ``path``'s markdown cells that JupyterLab would not show as the book does (see the module's
    rules): kinds ``glue role``, ``eval`` (an expression not of the book's form, or a key never glued) and
    ``user_expressions`` (stored results missing or different from the book's text)."""
    from . import evalprose as E

    path = Path(path)
    nb = json.loads(path.read_text(encoding="utf-8"))
    bundles = E.glued_bundles(nb)
    found = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        src = "".join(cell["source"])
        found += [Finding(path.name, i, "glue role", t) for t in E.glue_roles(src)]
        want = []
        for expr in E.eval_expressions(src):
            try:
                key, fmt = E.parse(expr)
                want.append({"expression": expr, "text": E.shown_text(bundles[key], fmt)})
            except ValueError as exc:
                found.append(Finding(path.name, i, "eval", str(exc)))
            except KeyError:
                found.append(Finding(path.name, i, "eval", f"{expr}: key {key!r} is not glued in this notebook"))
        stored = [{"expression": u.get("expression"),
                   "text": u.get("result", {}).get("data", {}).get("text/plain")}
                  for u in cell.get("metadata", {}).get("user_expressions", [])]
        if len(want) == len(E.eval_expressions(src)) and stored != want:
            bad = [f"{w['expression']} -> {w['text']!r}" for w in want if w not in stored] or ["(extra results)"]
            found.append(Finding(path.name, i, "user_expressions",
                                 f"stored results differ from the book's text (run `make execute`): {', '.join(bad)}"))
    return found
