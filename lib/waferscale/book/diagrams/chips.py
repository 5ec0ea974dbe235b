"""Diagrams of the silicon: the WSE tile and its repair, a defect map, chiplets with known-good-die testing.

Each function takes the catalog and returns one SVG document (a string); numbers written in a figure are read
from the catalog, anything else is illustrative and the figure's ``desc`` says so.
"""

from __future__ import annotations

import math
import random

from ...data.catalog import Catalog
from ._svg import BLUE, GREEN, INK, MUTED, ORANGE, VERMILLION, Drawing, num, tint

__all__ = ["wse_mesh_repair", "defect_map", "chiplets_kgd"]

_GOOD, _SPARE, _DEAD = tint(BLUE, 0.25), "#ffffff", tint(VERMILLION, 0.2)


def wse_mesh_repair(cat: Catalog) -> str:
    """A tile (core, SRAM, router) and a mesh whose row shifts into a spare past a dead core."""
    built, used = cat.value("wse3", "cores_physical"), cat.value("wse3", "cores_enabled")
    spare = 100 * (1 - used / built)
    neighbours = int(cat.value("wse3_fabric", "ports")) - 1  # the router's other port serves its own core
    d = Drawing("wse-mesh-repair", 440, "A wafer-scale engine's tile and mesh, repaired around a dead core",
                "Left: one tile of the wafer, a compute core with its own SRAM and a router linking it to its "
                f"{neighbours} neighbours. Right: an illustrative mesh of five columns of cores plus a column of "
                "spares. One core in the second row is dead: the cores to its right each shift one place along the row into "
                "the spare, and the router links bypass the dead core, so the program still sees a complete "
                f"mesh. Catalog figures for the WSE-3: {num(built)} cores built, {num(used)} enabled, so about "
                f"{num(spare, 2)} % are spares. The mesh size is illustrative.")
    # one tile
    d.text(20, 30, "One tile", 22, weight=600)
    d.rect(40, 50, 200, 230, fill=tint(BLUE, 0.08))
    for y, label, fill in ((66, "compute core", _GOOD), (136, "SRAM memory", tint(GREEN, 0.25)),
                           (206, "router", tint(ORANGE, 0.3))):
        d.rect(60, y, 160, 56, fill=fill)
        d.text(140, y + 35, label, anchor="middle", max_width=150)
    for x1, y1, x2, y2 in ((140, 50, 140, 36), (140, 280, 140, 294), (40, 165, 26, 165), (240, 165, 254, 165)):
        d.line(x1, y1, x2, y2, width=3)
    d.text(140, 318, f"links to {neighbours} neighbours", anchor="middle")
    # the mesh
    d.text(290, 26, "A row shifts past a dead core", 22, weight=600)
    pitch, size, x0, y0, dead_row, dead_col = 66, 50, 296, 64, 1, 2
    d.text(x0 + 5 * pitch + size / 2, y0 - 8, "spare", anchor="middle")
    for r in range(4):
        y = y0 + r * pitch
        d.line(x0 + size, y + size / 2, x0 + 5 * pitch, y + size / 2, width=2)
        for c in range(6):
            x = x0 + c * pitch
            if r == dead_row and c == dead_col:
                d.rect(x, y, size, size, fill=_DEAD, stroke=VERMILLION, width=2)
                d.cross(x + size / 2, y + size / 2, 14)
                continue
            logical = c + 1 - (r == dead_row and c > dead_col)
            moved = r == dead_row and c > dead_col
            if c == 5 and not moved:
                d.rect(x, y, size, size, fill=_SPARE, dash="5 4")
                continue
            d.rect(x, y, size, size, fill=tint(ORANGE, 0.45) if moved else _GOOD,
                   stroke=ORANGE if moved else MUTED, width=2.5 if moved else 1.5)
            d.text(x + size / 2, y + 32, str(logical), anchor="middle")
    yb = y0 + dead_row * pitch
    xa, xb = x0 + (dead_col - 1) * pitch + size / 2, x0 + (dead_col + 1) * pitch + size / 2
    d.path(f"M{xa} {yb} C{xa} {yb - 24} {xb} {yb - 24} {xb} {yb - 2}", stroke=ORANGE, width=3, arrow=True)
    for r in range(3):
        for c in range(6):
            d.line(x0 + c * pitch + size / 2, y0 + r * pitch + size, x0 + c * pitch + size / 2,
                   y0 + (r + 1) * pitch, width=2)
    # legend and catalog figures
    ly = 350
    for k, (fill, stroke, dash, label) in enumerate(((_GOOD, MUTED, None, "core: its place in the program"),
                                                      (tint(ORANGE, 0.45), ORANGE, None, "shifted one place"),
                                                      (_SPARE, MUTED, "5 4", "unused spare"))):
        d.rect(296, ly - 16 + 30 * k, 20, 20, fill=fill, stroke=stroke, dash=dash, width=2.5 if k == 1 else 1.5)
        d.text(324, ly + 30 * k, label)
    d.lines(20, ly, [f"WSE-3: {num(built)} cores", f"built, {num(used)} used:",
                     f"about {num(spare, 2)} % are spares"], weight=600, leading=1.35)
    d.text(20, ly + 82, "Mesh illustrative.", fill=MUTED)
    return d.svg()


def _defects(n: int, radius: float, seed: int = 7) -> list[tuple[float, float]]:
    """``n`` illustrative defect positions (mm from the wafer centre), uniform over the disc, reproducible."""
    rng, out = random.Random(seed), []
    while len(out) < n:
        x, y = (round(rng.uniform(-radius, radius)) for _ in range(2))
        if x * x + y * y < (radius - 6) ** 2:
            out.append((x, y))
    return out


def defect_map(cat: Catalog) -> str:
    """The same defects on a wafer diced into reticle-sized dies and on one wafer-scale chip."""
    diameter, reticle = cat.value("hp6e_example_large", "wafer_diameter_mm"), cat.value("reticle_field", "die_area_mm2")
    side = math.sqrt(cat.value("wse3", "die_area_mm2"))
    r = diameter / 2
    dw = 26.0  # the reticle field is 26 mm wide; its height follows from the catalog's area
    dh = reticle / dw
    defects = _defects(14, r)
    scale, cy = 1.0, 60 + r
    dies, lost = [], 0
    for i in range(-6, 6):
        for j in range(-5, 5):
            x, y = (i + 0.5) * dw - dw / 2, (j + 0.5) * dh - dh / 2
            if all(math.hypot(px, py) <= r - 3 for px in (x, x + dw) for py in (y, y + dh)):
                hit = any(x <= a < x + dw and y <= b < y + dh for a, b in defects)
                dies.append((x, y, hit))
                lost += hit
    inside = [p for p in defects if abs(p[0]) < side / 2 and abs(p[1]) < side / 2]
    d = Drawing("defect-map", 440, "The same defects on a wafer of reticle-sized dies and on one wafer-scale chip",
                f"Two {num(diameter)} mm wafers with the same {len(defects)} defects, drawn as red crosses at "
                f"illustrative positions. Left: the wafer is cut into {len(dies)} dies of {num(reticle)} square mm "
                f"each (one reticle field); {lost} of them contain a defect and are lost. Right: one square chip of "
                f"{num(side)} mm on a side, the WSE-3's size, covers most of the wafer; the {len(inside)} defects "
                "that fall on it each disable one tiny core, and spare cores take their place, so the chip works. "
                "The wafer, die and chip sizes come from the catalog; the defect positions are illustrative.")
    for cx, heading in ((190, "Cut into reticle-sized dies"), (530, "Kept whole: one chip")):
        d.text(cx, 32, heading, 22, anchor="middle", weight=600)
        d.circle(cx, cy, r * scale, fill="#f4f4f4", stroke=MUTED, width=2)
    for x, y, hit in dies:
        d.rect(190 + x, cy + y, dw, dh, fill=_DEAD if hit else _GOOD, stroke=VERMILLION if hit else MUTED,
               width=2 if hit else 1, rx=1)
    d.rect(530 - side / 2, cy - side / 2, side, side, fill=_GOOD, stroke=BLUE, width=2, rx=2)
    for cx in (190, 530):
        for a, b in defects:
            d.cross(cx + a, cy + b, 5, width=3)
    d.text(190, 400, f"{lost} of {len(dies)} dies of {num(reticle)} mm² lost", anchor="middle", max_width=340)
    d.text(530, 400, f"one {num(side)} mm square chip:", anchor="middle", max_width=340)
    d.text(530, 424, "spares replace the hit cores", anchor="middle", max_width=340)
    d.text(190, 424, "Defect positions illustrative", anchor="middle", fill=MUTED)
    return d.svg()


def chiplets_kgd(cat: Catalog) -> str:  # noqa: ARG001 - purely illustrative, takes the catalog like the rest
    """A monolith lost to one defect, against small dies tested (known good) before assembly."""
    d = Drawing("chiplets-kgd", 420, "A monolithic die against chiplets tested before assembly",
                "Top row: one large monolithic die with two defects goes to test and fails as a whole, unless it "
                "carries spare units that can stand in. Bottom row: a wafer of small dies with the same two "
                "defects; each die is tested on the wafer (known-good-die testing), the two bad dies are "
                "discarded, four good dies are assembled side by side on an interposer in one package, and the "
                "package is tested again. The die counts are illustrative.")
    d.text(20, 30, "Monolith: one big die", 22, weight=600)
    d.rect(20, 50, 110, 110, fill=_GOOD, stroke=BLUE, width=2)
    d.cross(55, 80, 8, width=3)
    d.cross(100, 135, 8, width=3)
    d.line(135, 105, 185, 105, width=3, arrow=True)
    d.rect(190, 80, 100, 50, fill="#ffffff")
    d.text(240, 112, "test", anchor="middle")
    d.line(295, 105, 345, 105, width=3, arrow=True)
    d.lines(355, 80, ["one defect anywhere:", "the whole die fails", "(unless it has spares)"])
    d.text(20, 220, "Chiplets: test each die, then assemble", 22, weight=600)
    cell, x0, y0, bad = 26, 20, 240, {(1, 0), (2, 3)}
    for i in range(4):
        for j in range(4):
            hit = (i, j) in bad
            d.rect(x0 + i * 28, y0 + j * 28, cell, cell, fill=_DEAD if hit else _GOOD, rx=2,
                   stroke=VERMILLION if hit else MUTED)
            if hit:
                d.cross(x0 + i * 28 + 13, y0 + j * 28 + 13, 7, width=3)
    d.line(135, 295, 160, 295, width=3, arrow=True)
    d.rect(165, 262, 110, 66, fill="#ffffff")
    d.lines(220, 290, ["test each", "die (KGD)"], anchor="middle")
    d.line(280, 295, 305, 295, width=3, arrow=True)
    for k in range(4):
        d.rect(312 + (k % 2) * 34, 268 + (k // 2) * 34, 30, 30, fill=_GOOD, rx=2)
    d.line(390, 295, 415, 295, width=3, arrow=True)
    d.rect(420, 258, 150, 80, fill=tint(ORANGE, 0.15), stroke=ORANGE, width=2)
    for k in range(4):
        d.rect(430 + k * 34, 272, 28, 34, fill=_GOOD, rx=2)
    d.text(495, 330, "interposer", anchor="middle", max_width=140)
    d.line(575, 295, 600, 295, width=3, arrow=True)
    d.rect(605, 262, 100, 66, fill="#ffffff")
    d.lines(655, 290, ["test the", "package"], anchor="middle")
    d.lines(20, 372, ["wafer of", "small dies"])
    d.lines(296, 372, ["only good", "dies kept"])
    d.lines(420, 372, ["assembled in", "one package"])
    return d.svg()
