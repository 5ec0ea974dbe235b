"""The two editions: the public book leaves out every exercise's solution, the instructor edition shows each one.

`make book` builds the public edition into ``_build/html`` with sphinx-exercise's ``hide_solutions`` on
(``_config.yml``), then runs this file as a script (``python tests/test_editions.py --strip-sources _build/html``)
to cut the solution blocks out of the notebooks the book offers for download (``_sources/**/*.ipynb`` and the
``.md`` copies). `make book-instructor` builds the same sources into ``_build/instructor/html`` with the
solutions shown (Makefile); `make test` builds both, side by side (`make editions`).

The check reads every ``:::{solution} LABEL`` block of the chapter notebooks, takes from it a phrase of plain
words (no glued numbers, math or code, so it reads the same in the source and on the page), and looks for it:

* on the public page, in the page's downloads and in the search index: never (and no solution box at all);
* on the instructor page: in a solution box whose title links to exercise LABEL, for every exercise.

Every exercise must have a solution, and every exercise's first line must carry its difficulty (the scheme in
``chapters/course_map.md``): ★, ★★ or ★★★ followed by a kind.
"""
from __future__ import annotations

import argparse
import html
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = ROOT / "_build" / "html"
INSTRUCTOR = ROOT / "_build" / "instructor" / "html"
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))

_BLOCK = r"^(?P<fence>:{{3,}})\{{{kind}\}}(?P<arg>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*(?:\n|\Z)"
SOLUTION = re.compile(_BLOCK.format(kind="solution"), re.S | re.M)
EXERCISE = re.compile(_BLOCK.format(kind="exercise"), re.S | re.M)
DIFFICULTY = re.compile(r"^\*\*(★{1,3}) (napkin math|compute|derive|explain|open design)\*\*")
_DROP = (re.compile(r"\{[\w:.-]+\}`[^`]*`"), re.compile(r"`[^`]*`"), re.compile(r"\$\$.*?\$\$|\$[^$]*\$", re.S),
         re.compile(r"^\s*:[\w-]+:.*$", re.M), re.compile(r"\[([^\]]*)\]\([^)]*\)"))


# --- reading the sources ---------------------------------------------------------------------------------------
def markdown_cells(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]


def blocks(text: str, pattern: re.Pattern = SOLUTION) -> dict[str, str]:
    """``{label: body}`` of the solution (or exercise) blocks in MyST ``text``."""
    out = {}
    for m in pattern.finditer(text):
        arg, body = m.group("arg").strip(), m.group("body")
        label = re.search(r"^:label:\s*(\S+)", body, re.M)
        out[arg if pattern is SOLUTION else (label.group(1) if label else arg)] = body
    return out


def exercises(path: Path) -> dict[str, str]:
    return {k: v for cell in markdown_cells(path) for k, v in blocks(cell, EXERCISE).items()}


def solutions(path: Path) -> dict[str, str]:
    return {k: v for cell in markdown_cells(path) for k, v in blocks(cell).items()}


def phrase(body: str, words: int = 6) -> str:
    """The longest run of plain words in a solution's ``body`` (first ``words`` of it), as it reads on the page."""
    text = body
    for pattern in _DROP:
        text = pattern.sub(lambda m: f" {m.group(1)} " if m.groups() else " | ", text)
    text = re.sub(r"[*_]", "", text)
    runs = [r.split() for r in re.split(r"[^A-Za-z \n]+|\n\s*\n", text)]
    best = max(runs, key=len)
    if len(best) < 4:
        raise ValueError(f"no run of four plain words in solution {body[:60]!r}; write one sentence without "
                         "numbers, code or math in it")
    return " ".join(best[:words])


def page_text(page: str) -> str:
    """A page's text with tags dropped, entities decoded and white space collapsed."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


# --- the checks --------------------------------------------------------------------------------------------------
def leaked(page: str, sols: dict[str, str]) -> list[str]:
    """Labels of ``sols`` whose text is on ``page`` (public edition: must be empty), and 'solution box'."""
    text = page_text(page)
    found = [label for label, body in sols.items() if phrase(body) in text]
    return found + (["solution box"] if re.search(r'class="solution\b', page) else [])


def missing(page: str, sols: dict[str, str]) -> list[str]:
    """Labels of ``sols`` not shown on ``page`` in a solution box titled with a link to their exercise."""
    text = page_text(page)
    boxes = set(re.findall(r'class="solution\b[^"]*"[^>]*>\s*<p class="admonition-title">[^<]*'
                           r'<a class="reference internal" href="#([\w-]+)"', page))
    return [label for label, body in sols.items() if label not in boxes or phrase(body) not in text]


def strip_solutions(text: str) -> str:
    """MyST ``text`` without its solution blocks."""
    return SOLUTION.sub("", text)


def strip_sources(site: Path) -> list[Path]:
    """Cut the solution blocks out of the downloadable notebooks under ``site/_sources``; returns the files changed."""
    changed = []
    for path in sorted((site / "_sources").rglob("*")):
        if path.suffix == ".ipynb":
            nb = json.loads(path.read_text(encoding="utf-8"))
            edited = False
            for cell in nb["cells"]:
                src = "".join(cell["source"])
                if cell["cell_type"] == "markdown" and SOLUTION.search(src):
                    cell["source"] = strip_solutions(src).splitlines(keepends=True)
                    edited = True
            if edited:
                path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
                changed.append(path)
        elif path.suffix == ".md" and SOLUTION.search(path.read_text(encoding="utf-8")):
            path.write_text(strip_solutions(path.read_text(encoding="utf-8")), encoding="utf-8")
            changed.append(path)
    return changed


def _built(site: Path) -> Path:
    if not (site / "chapters" / "intro.html").exists():
        pytest.skip(f"{site.relative_to(ROOT)} is not built (make editions)")
    return site


# --- the tests ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.stem)
def test_every_exercise_has_a_solution_and_a_difficulty(nb):
    ex, sols = exercises(nb), solutions(nb)
    assert ex, f"{nb.name} has no exercise"
    assert sorted(ex) == sorted(sols), f"{nb.name}: exercises without a solution or the reverse"
    for label, body in ex.items():
        first = next(line for line in body.splitlines() if line.strip() and not line.lstrip().startswith(":"))
        assert DIFFICULTY.match(first), f"{label}: first line {first!r} carries no difficulty such as **★★ derive**"
    kinds = {DIFFICULTY.match(next(ln for ln in b.splitlines() if ln.strip() and not ln.startswith(":"))).group(2)
             for b in ex.values()}
    assert {"napkin math", "open design"} <= kinds, f"{nb.name}: needs a napkin-math and an open-design exercise"
    for body in sols.values():
        phrase(body)  # raises if a solution has no plain phrase the check could look for


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.stem)
def test_public_edition_hides_solutions(nb):
    site = _built(PUBLIC)
    sols = solutions(nb)
    page = (site / "chapters" / f"{nb.stem}.html").read_text(encoding="utf-8")
    assert leaked(page, sols) == []
    for download in (site / "_sources" / "chapters").glob(f"{nb.stem}.*"):
        text = download.read_text(encoding="utf-8")
        assert "{solution}" not in text, f"{download.name} still carries solutions"
    index = " ".join((site / "searchindex.js").read_text(encoding="utf-8").split())
    assert "Solution to" not in index


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.stem)
def test_instructor_edition_shows_every_solution(nb):
    site = _built(INSTRUCTOR)
    page = (site / "chapters" / f"{nb.stem}.html").read_text(encoding="utf-8")
    assert missing(page, solutions(nb)) == []


def test_course_map_lists_every_exercise_with_its_difficulty():
    """chapters/course_map.md names every exercise by its label, in a row that carries the exercise's own mark."""
    rows = {m.group(2): m.group(1) for m in re.finditer(
        r"^\| (★{1,3} [a-z ]+?) \| \{ref\}`([\w-]+)`", (ROOT / "chapters" / "course_map.md").read_text(), re.M)}
    assert len(rows) == sum(len(exercises(nb)) for nb in CHAPTERS), "the course map lists an exercise twice or one too many"
    for nb in CHAPTERS:
        for label, body in exercises(nb).items():
            first = next(line for line in body.splitlines() if line.strip() and not line.lstrip().startswith(":"))
            assert rows.get(label) == DIFFICULTY.match(first).group(0).strip("*"), f"course map row of {label}"


def test_the_checks_can_fail():
    """Negative controls: an instructor page leaks by the public check, a public page misses by the instructor one."""
    sols = solutions(ROOT / "chapters" / "communication.ipynb")
    label, body = next(iter(sols.items()))
    fake = (f'<div class="solution dropdown admonition"><p class="admonition-title">Solution to'
            f'<a class="reference internal" href="#{label}"> Exercise</a></p><p>{html.escape(phrase(body))}</p></div>')
    assert leaked(fake, {label: body}) == [label, "solution box"]
    assert missing(fake, {label: body}) == []
    assert missing("<p>nothing</p>", {label: body}) == [label]
    assert missing(fake.replace(f"#{label}", "#other"), {label: body}) == [label]
    assert strip_solutions(f":::{{solution}} {label}\n:class: dropdown\n{body}:::\nafter\n") == "after\n"
    with pytest.raises(ValueError, match="four plain words"):
        phrase("{glue:text}`x` $y$ `z`")
    for site, check in ((INSTRUCTOR, leaked), (PUBLIC, missing)):
        page = site / "chapters" / "communication.html"
        if page.exists():
            assert check(page.read_text(encoding="utf-8"), sols), f"{check.__name__} found nothing on {site}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Cut the solution blocks out of a built book's downloadable sources.")
    ap.add_argument("--strip-sources", type=Path, required=True, metavar="SITE")
    args = ap.parse_args(argv)
    changed = strip_sources(args.strip_sources)
    print(f"solutions cut from {len(changed)} downloadable sources under {args.strip_sources}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
