"""The BibTeX side of the catalog: scan ``references.bib`` (line numbers for messages), check its dates,
and read it into the sources table."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping

import pandas as pd

from .loader import _check_date, _read_text
from .schema import _BIB_MONTHS, CatalogError


_BIB_ENTRY = re.compile(r"@[ \t]*([A-Za-z]+)[ \t]*\{[ \t]*([^,\s{}]*)")


_BIB_FIELD = re.compile(r"\s*([A-Za-z][A-Za-z0-9_:.+-]*)\s*=")


_BIB_SPECIAL = ("comment", "preamble", "string")


_BIB_LEFTOVER = re.compile(r"[,}]|[A-Za-z][A-Za-z0-9_:.+-]*\s*=")


def _scan_bib(name: str, text: str) -> dict[str, tuple[int, dict[str, int]]]:
    """Entry key -> (line of the entry, {field: line}), checking what BibTeX parsers pass over silently.

    Rejects, with the line: braces that do not balance (an entry or a field never closed, a ``}`` too many,
    which closes the entry early and leaves its rest outside), text between entries other than ``%`` comment
    lines, an ``@`` that starts no ``@type{key,``, an entry without a key, and a key that appears twice (BibTeX
    keys ignore case).
    """
    entries: dict[str, tuple[int, dict[str, int]]] = {}
    first_line: dict[str, int] = {}
    stack: list[tuple[int, str]] = []  # (line, field) of each open brace
    key, fields, fld = "", {}, "-"
    closed: tuple[int, str] | None = None  # (line, field) where the last entry closed
    line, i, n = 1, 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
            if stack and text.startswith("@", i + 1):
                raise CatalogError(name, stack[0][0], stack[0][1],
                                   f"this entry's '{{' is never closed: the next entry starts on line {line}")
        elif not stack:
            if ch == "%":
                j = text.find("\n", i)
                i = n if j < 0 else j
                continue
            if ch == "@":
                m = _BIB_ENTRY.match(text, i)
                if not m:
                    raise CatalogError(name, line, "-", "'@' starts no entry: write @type{key, field = {...}, ...}")
                kind, key = m.group(1).lower(), m.group(2)
                if kind not in _BIB_SPECIAL:
                    if not key:
                        raise CatalogError(name, line, "key", f"@{kind} entry has no key")
                    folded = key.casefold()
                    if folded in first_line:
                        raise CatalogError(name, line, "key", f"{key!r} appears twice (first on line {first_line[folded]})")
                    first_line[folded] = line
                    fields = {}
                    entries[key] = (line, fields)
                else:
                    key, fields = "", {}
                fld = "-"
                stack.append((line, "key" if key else "-"))
                i = m.end()
                continue
            if not ch.isspace():
                if closed is not None and _BIB_LEFTOVER.match(text, i):  # the rest of an entry closed too early
                    raise CatalogError(name, closed[0], closed[1],
                                       f"the entry ends here, yet text follows on line {line}: a '}}' too many?")
                raise CatalogError(name, line, "-", "text outside any entry; start a comment line with %")
        elif ch == "{":
            stack.append((line, fld))
        elif ch == "}":
            opened = stack.pop()
            if not stack:
                closed = (line, fld)
            elif text[text.rfind("\n", 0, i) + 1:(text.find("\n", i) + 1 or n + 1) - 1].strip() == "}":
                # a line that is only '}' closes an entry; here it closed a field left open instead
                raise CatalogError(name, opened[0], opened[1],
                                   f"this field's '{{' is never closed: the '}}' on line {line} closes it, not the entry")
        elif ch == "," and len(stack) == 1 and key:
            m = _BIB_FIELD.match(text, i + 1)
            if m:
                fld = m.group(1).lower()
                fields[fld] = line + text.count("\n", i, m.start(1))
        i += 1
    if stack:
        where, what = stack[1] if len(stack) > 1 else stack[0]
        problem = "this field's '{' is never closed" if len(stack) > 1 else "this entry's '{' is never closed"
        raise CatalogError(name, where, what, problem)
    if not entries:
        raise CatalogError(name, 1, "-", "has no entries: every fact cites a key defined here")
    return entries


def _check_bib_dates(name: str, key: str, at: tuple[int, dict[str, int]], f: Mapping[str, str]) -> None:
    line, lines = at
    year = str(f.get("year", "")).strip("{} ")
    if "year" in f:
        if not re.fullmatch(r"\d{4}", year):
            raise CatalogError(name, lines.get("year", line), "year", f"{year!r} of {key!r} is not a four-digit year")
        _check_date(name, lines.get("year", line), "year", year)
    if "month" in f:
        if str(f["month"]).strip("{} ").lower() not in _BIB_MONTHS:
            raise CatalogError(name, lines.get("month", line), "month", f"{f['month']!r} of {key!r} is not a month")
    for fld in ("date", "urldate"):
        if fld in f:
            _check_date(name, lines.get(fld, line), fld, str(f[fld]).strip("{} "))


def _read_sources(path: Path) -> pd.DataFrame:
    from pybtex.database import parse_string
    from pybtex.exceptions import PybtexError

    name = path.name
    text = _read_text(path)
    scanned = _scan_bib(name, text)
    try:
        bib = parse_string(text, bib_format="bibtex")
    except PybtexError as exc:
        raise CatalogError(name, getattr(exc, "lineno", None) or 1, "-", f"does not parse as BibTeX: {exc}") from None
    rows = []
    for key, entry in bib.entries.items():
        f = entry.fields
        _check_bib_dates(name, key, scanned.get(key, (1, {})), f)
        authors = "; ".join(str(p) for p in entry.persons.get("author", [])).replace("{", "").replace("}", "")
        rows.append(
            {
                "key": key,
                "type": entry.type,
                "title": str(f.get("title", "")).replace("{", "").replace("}", ""),  # {AI} keeps case in BibTeX
                "author": authors or str(f.get("organization", f.get("publisher", ""))).replace("{", "").replace("}", ""),
                "year": str(f.get("year", "")),
                "url": str(f.get("url", "")),
                "venue": str(f.get("journal", f.get("booktitle", f.get("publisher", f.get("howpublished", ""))))),
            }
        )
    return pd.DataFrame(rows).sort_values("key", kind="stable").reset_index(drop=True)
