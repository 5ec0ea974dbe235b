"""The explanatory diagrams (waferscale.book.diagrams) and the files committed under chapters/figures/.

Every committed SVG parses, carries a title and a desc (its alt text), references nothing outside itself, keeps
its text readable at the book's column width, and is byte for byte what the module draws from the package's
catalog. Negative controls show each check can fail. Also: the ring all-reduce simulation the figure is drawn
from, the primitives' guards, the figure blocks of PLACEMENT.md, and the article page's list of claims.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waferscale.book import diagrams as D
from waferscale.book.diagrams import _svg
from waferscale.book.diagrams.parallel import ring_states

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "chapters" / "figures"
NS = "{http://www.w3.org/2000/svg}"
# widths of a full-width figure as the built book shows it, measured in Chromium: 672 px in the column at a
# 1280 px window, 342 px on a 390 px phone
COLUMN_PX, PHONE_PX = 672, 342


def svg_problems(text: str) -> list[str]:
    """What is wrong with one SVG document, as sentences (empty when it passes)."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:
        return [f"not well-formed XML: {e}"]
    out = []
    if root.tag != f"{NS}svg":
        out.append(f"root is {root.tag}, not an SVG element")
    for tag in ("title", "desc"):
        el = root.find(f"{NS}{tag}")
        if el is None or not (el.text or "").strip():
            out.append(f"no non-empty <{tag}>")
    # external references: only the SVG namespace may name an address; hrefs and url() stay inside the file
    body = text.replace('xmlns="http://www.w3.org/2000/svg"', "", 1)
    for pattern, what in ((r"https?://", "an address"), (r"\bhref\s*=\s*\"(?!#)", "an href outside the file"),
                          (r"url\((?!#)", "a url() outside the file"), (r"@import|@font-face", "a fetched font"),
                          (r"<(image|script|foreignObject)\b", "an embedded image, script or HTML")):
        if re.search(pattern, body):
            out.append(f"contains {what}")
    view = (root.get("viewBox") or "").split()
    if len(view) != 4:
        out.append("no viewBox")
        return out
    width = float(view[2])
    for el in root.iter(f"{NS}text"):
        size = float(el.get("font-size", "16"))
        if size * COLUMN_PX / width < 12:
            out.append(f"text {el.text!r} is {size * COLUMN_PX / width:.1f} px at the column width (< 12)")
        elif size * PHONE_PX / width < 9:
            out.append(f"text {el.text!r} is {size * PHONE_PX / width:.1f} px on a phone (< 9)")
    return out


def stale(folder: Path, drawn: dict[str, str]) -> list[str]:
    """The diagrams whose file in ``folder`` is missing or differs from what the module draws."""
    return [k for k, v in drawn.items()
            if not (folder / f"{k}.svg").is_file() or (folder / f"{k}.svg").read_text(encoding="utf-8") != v]


@pytest.fixture(scope="module")
def drawn() -> dict[str, str]:
    return D.render_all()


def test_eight_diagrams_are_committed_and_nothing_else(drawn):
    assert len(D.DIAGRAMS) >= 8
    assert sorted(p.stem for p in FIGURES.glob("*.svg")) == sorted(drawn)


@pytest.mark.parametrize("name", sorted(D.DIAGRAMS))
def test_committed_svg_is_sound_and_current(name, drawn):
    text = (FIGURES / f"{name}.svg").read_text(encoding="utf-8")
    assert svg_problems(text) == []


def test_committed_files_are_what_the_module_draws(drawn, tmp_path):
    assert stale(FIGURES, drawn) == [], "stale figures: run python -m waferscale.book.diagrams chapters/figures"
    # negative control: a copy with one character changed in one file, and one file missing
    for k, v in drawn.items():
        (tmp_path / f"{k}.svg").write_text(v, encoding="utf-8")
    assert stale(tmp_path, drawn) == []
    path = tmp_path / "ring_allreduce.svg"
    path.write_text(path.read_text(encoding="utf-8").replace("step 1", "step 7", 1), encoding="utf-8")
    (tmp_path / "optics_path.svg").unlink()
    assert stale(tmp_path, drawn) == ["ring_allreduce", "optics_path"]


def test_checks_fail_on_doctored_svgs(drawn):
    good = drawn["ring_allreduce"]
    assert svg_problems(good) == []
    doctored = {
        "unclosed": good.replace("</svg>", ""),
        "no title": re.sub(r"<title[^>]*>.*?</title>", "", good),
        "empty desc": re.sub(r"(<desc[^>]*>).*?(</desc>)", r"\1 \2", good),
        "remote image": good.replace("</svg>", '<image href="http://example.com/a.png"/></svg>'),
        "web font": good.replace("</svg>", "<style>@import url(https://fonts.example/x.css);</style></svg>"),
        "tiny text": good.replace('font-size="20"', 'font-size="9"', 1),
    }
    for why, text in doctored.items():
        assert svg_problems(text), why


def test_numbers_come_from_the_catalog(data_copy):
    """Change a catalog row and the figure changes with it (the SRAM size in the pipeline figure)."""
    from waferscale.data import catalog as C

    path = data_copy / "systems.csv"
    text = path.read_text()
    row = next(line for line in text.splitlines() if line.startswith("wse3,sram_bytes,"))
    path.write_text(text.replace(row, row.replace("wse3,sram_bytes,44,", "wse3,sram_bytes,48,")))
    svg = D.DIAGRAMS["pipeline_wafers"](C.load(data_copy))
    assert "48 GB of SRAM" in svg and "44 GB" not in svg
    assert svg_problems(svg) == []


def test_write_all_and_main(tmp_path, drawn, capsys):
    paths = D.write_all(tmp_path)
    assert {p.name: p.read_text(encoding="utf-8") for p in paths} == {f"{k}.svg": v for k, v in drawn.items()}
    assert D.main([]) == 2 and "usage" in capsys.readouterr().out
    with pytest.raises(ValueError, match="folder"):
        D.write_all(tmp_path / "missing")


# -- the ring all-reduce the figure is drawn from ------------------------------------------------------------------
def test_ring_known_values():
    states = ring_states(4)
    assert len(states) == 7 and states[0][0] == [[1] * 4] * 4
    # after step 1, each GPU's received chunk sums two GPUs' data; GPU 1 gets chunk 4 from GPU 4
    assert states[1][1] == {(0, 3), (1, 0), (2, 1), (3, 2)}
    assert [row.index(4) for row in states[3][0]] == [1, 2, 3, 0]  # reduce-scatter done: one full chunk each


def test_ring_limit_case_two_devices():
    states = ring_states(2)
    assert len(states) - 1 == 2 and states[1][0] == [[1, 2], [2, 1]] and states[2][0] == [[2, 2], [2, 2]]


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=2, max_value=16))
def test_ring_property(n):
    states = ring_states(n)
    assert len(states) - 1 == 2 * (n - 1)
    for count, received in states[1:]:
        assert len(received) == n and {i for i, _ in received} == set(range(n))  # one chunk per device per step
    assert all(row.count(n) == 1 for row in states[n - 1][0])
    assert states[-1][0] == [[n] * n for _ in range(n)]


@pytest.mark.parametrize("bad", [1, 0, -3, 2.5, "4"])
def test_ring_rejects_bad_n(bad):
    with pytest.raises(ValueError, match="n = "):
        ring_states(bad)


# -- primitives ------------------------------------------------------------------------------------------------
def test_drawing_refuses_clipped_or_small_text():
    d = _svg.Drawing("t", 40, "T", "D")
    d.text(700, 30, "this label runs off the right edge")
    with pytest.raises(ValueError, match="runs off the view box"):
        d.svg()
    d = _svg.Drawing("t", 40, "T", "D")
    d.text(10, 30, "too wide for its box", max_width=50)
    with pytest.raises(ValueError, match="wider than its box"):
        d.svg()
    d = _svg.Drawing("t", 40, "T", "D")
    d.text(10, 30, "small", size=11)
    with pytest.raises(ValueError, match="size 11"):
        d.svg()
    with pytest.raises(ValueError, match="title and desc"):
        _svg.Drawing("t", 40, "T", " ")


def test_tint_and_num():
    assert _svg.tint("#000000", 0.5) == "#808080"
    with pytest.raises(ValueError, match="share"):
        _svg.tint("#000000", 1.5)
    assert _svg.num(1.2e15 / 1e15) == "1.2" and _svg.num(195) == "195" and _svg.num(0) == "0"


# -- PLACEMENT.md and the article page -------------------------------------------------------------------------
def figure_blocks(text: str) -> dict[str, str]:
    """``{figure file stem: the MyST figure block}`` for every ```{figure} block in ``text``."""
    blocks = re.findall(r"^```\{figure\} figures/(\w+)\.svg\n(.*?)^```$", text, re.S | re.M)
    return {stem: body for stem, body in blocks}


def test_placement_has_a_block_for_every_diagram():
    from waferscale.book.lint import prose_findings

    blocks = figure_blocks((FIGURES / "PLACEMENT.md").read_text(encoding="utf-8"))
    assert sorted(blocks) == sorted(D.DIAGRAMS)
    for stem, body in blocks.items():
        assert re.search(r"^:name: fig-[\w-]+$", body, re.M), stem
        alt = re.search(r"^:alt: (.+)$", body, re.M)
        assert alt and len(alt.group(1)) > 40, stem
        caption = "\n".join(line for line in body.splitlines() if not line.startswith(":")).strip()
        assert caption, f"{stem}: no caption"
        # the block is pasted into a notebook: its caption must pass the chapters' numbers lint
        assert prose_findings(caption) == [], (stem, prose_findings(caption))
    assert figure_blocks("```{figure} figures/x.svg\n:name: fig-x\n```\n") == {"x": ":name: fig-x\n"}


def test_article_page_lists_every_claim():
    from waferscale.claims.registry import CLAIMS

    page = (ROOT / "chapters" / "article.md").read_text(encoding="utf-8")
    assert re.search(r"\{cite(:\w+)?\}`investor2026cerebras`", page) and "shared/reference" not in page
    missing = [c.id for c in CLAIMS if not re.search(rf"^\| {c.id} \|.*{re.escape(c.quote)}", page, re.M)]
    assert missing == [], f"chapters/article.md lacks the rows of {missing}"
