"""Diagrams of data paths off the chip: weight streaming from external memory, and two ways to put a bit on fibre.

Capacities, bandwidths and energies written in the figures are read from the catalog.
"""

from __future__ import annotations

from ...data.catalog import Catalog
from ._svg import BLUE, GREEN, MUTED, ORANGE, PINK, Drawing, num, tint

__all__ = ["weight_streaming", "optics_path"]


def weight_streaming(cat: Catalog) -> str:
    """Weights resident in a wafer's SRAM, against weights streamed from MemoryX through SwarmX."""
    sram, sram_bw = cat.value("wse3", "sram_bytes"), cat.value("wse3", "sram_bytes_per_s")
    ext, io = cat.value("cs3", "external_memory_bytes"), cat.value("cs3", "io_bytes_per_s")
    d = Drawing("weight-streaming", 392, "Weights resident in SRAM against weights streamed from MemoryX",
                f"Left: for inference the weights stay resident in the wafer's {num(sram / 1e9)} GB of SRAM, read "
                f"at {num(sram_bw / 1e15)} PB/s; only tokens enter and leave. Right: in weight-streaming "
                f"training the weights live in MemoryX, external memory of up to {num(ext / 1e15)} PB. SwarmX "
                "broadcasts them, one layer at a time, to every CS-3 in the cluster, and sums the gradients that "
                "come back before MemoryX updates the weights. Each CS-3 has "
                f"{num(io / 1e9)} GB/s of I/O. Capacities and bandwidths from the catalog; three CS-3 drawn.")
    d.text(20, 28, "Weights resident", 22, weight=600)
    d.text(20, 52, "(inference)", fill=MUTED)
    d.rect(20, 72, 260, 220, fill=tint(BLUE, 0.12), stroke=BLUE, width=2)
    d.text(150, 100, "CS-3 wafer", anchor="middle", weight=600)
    d.rect(40, 116, 220, 80, fill=tint(GREEN, 0.25), stroke=GREEN, width=2)
    d.lines(150, 148, ["weights in SRAM,", f"{num(sram / 1e9)} GB"], anchor="middle", max_width=216)
    d.lines(150, 228, [f"read at {num(sram_bw / 1e15)} PB/s", "by the cores"], anchor="middle", max_width=250)
    d.line(100, 330, 100, 296, stroke=MUTED, width=3, arrow=True)
    d.line(200, 296, 200, 330, stroke=MUTED, width=3, arrow=True)
    d.text(150, 356, "only tokens in and out", anchor="middle")
    d.text(330, 28, "Weight streaming (training)", 22, weight=600)
    d.rect(330, 44, 370, 64, fill=tint(PINK, 0.25), stroke=PINK, width=2)
    d.lines(515, 70, ["MemoryX: external memory", f"weights, up to {num(ext / 1e15)} PB"],
            anchor="middle", max_width=366)
    d.rect(330, 156, 370, 64, fill=tint(ORANGE, 0.25), stroke=ORANGE, width=2)
    d.lines(515, 182, ["SwarmX: sends weights to all", "wafers, sums their gradients"], anchor="middle",
            max_width=366)
    d.line(400, 110, 400, 153, stroke=BLUE, width=4, arrow=True)
    d.line(630, 154, 630, 111, stroke=ORANGE, width=4, arrow=True)
    d.text(410, 140, "weights", fill=BLUE, weight=600)
    d.text(620, 140, "gradients", anchor="end", fill=ORANGE, weight=600)
    for k in range(3):
        x = 330 + k * 130
        d.line(x + 30, 222, x + 30, 265, stroke=BLUE, width=4, arrow=True)
        d.line(x + 80, 266, x + 80, 223, stroke=ORANGE, width=4, arrow=True)
        d.rect(x, 268, 110, 56, fill=tint(BLUE, 0.12), stroke=BLUE, width=2)
        d.text(x + 55, 303, "CS-3", anchor="middle")
    d.text(330, 356, f"each CS-3: {num(io / 1e9)} GB/s of I/O;", fill=MUTED)
    d.text(330, 380, "weights arrive layer by layer", fill=MUTED)
    return d.svg()


def optics_path(cat: Catalog) -> str:
    """A bit's path through pluggable optics (trace, retimer, module) against co-packaged optics."""
    plug_w, cpo_w = cat.value("pluggable_optics_1p6t", "port_power_w"), cat.value("cpo_nvidia", "port_power_w")
    plug_e, cpo_e = (cat.value(k, "energy_j_per_bit") for k in ("pluggable_optics_1p6t", "cpo_nvidia"))
    rate = cat.value("pluggable_optics_1p6t", "port_bytes_per_s_per_dir") * 8
    d = Drawing("optics-path", 400, "The path of a bit: pluggable optics against co-packaged optics",
                "Top: with pluggable optics, a bit leaves the switch or GPU chip through an electrical SerDes, "
                "crosses a long copper trace on the circuit board, is cleaned up by a retimer, and reaches a "
                "pluggable optical module at the front panel, whose DSP and laser put it on the fibre. Bottom: with "
                "co-packaged optics, the optical engine sits on the chip's own package, millimetres from the "
                "SerDes, so the long trace, the retimer and the module's DSP disappear. NVIDIA's figures in the "
                f"catalog for one {num(rate / 1e12)} Tb/s port: {num(plug_w)} W pluggable "
                f"({num(plug_e * 1e12)} pJ per bit) against {num(cpo_w)} W co-packaged "
                f"({num(cpo_e * 1e12)} pJ per bit).")
    chip = (tint(BLUE, 0.2), BLUE)
    d.text(20, 28, "Pluggable optics", 22, weight=600)
    d.rect(20, 48, 130, 90, fill=chip[0], stroke=chip[1], width=2)
    d.text(85, 76, "chip", anchor="middle", weight=600)
    d.rect(60, 90, 84, 36, fill="#ffffff", stroke=BLUE)
    d.text(102, 115, "SerDes", anchor="middle", max_width=84)
    wave = " ".join(f"Q{160 + 30 * k + 15} {108 if k % 2 else 78} {160 + 30 * (k + 1)} 93" for k in range(6))
    d.path(f"M144 108 L160 93 {wave}", stroke=ORANGE, width=3)
    d.lines(250, 160, ["long copper", "trace on board"], anchor="middle", fill=MUTED)
    d.rect(340, 66, 100, 54, fill=tint(ORANGE, 0.3), stroke=ORANGE, width=2)
    d.text(390, 99, "retimer", anchor="middle", max_width=100)
    d.line(440, 93, 478, 93, stroke=ORANGE, width=3, arrow=True)
    d.rect(476, 52, 140, 82, fill=tint(PINK, 0.25), stroke=PINK, width=2)
    d.lines(546, 84, ["module:", "DSP + laser"], anchor="middle", max_width=140)
    d.line(616, 93, 700, 93, stroke=GREEN, width=4, arrow=True)
    d.text(655, 80, "fibre", anchor="middle", fill=GREEN, weight=600)
    d.text(700, 160, f"{num(plug_w)} W per port: {num(plug_e * 1e12)} pJ/bit", anchor="end", weight=600)
    d.text(20, 228, "Co-packaged optics", 22, weight=600)
    d.rect(20, 246, 330, 100, fill="#f4f4f4", stroke=MUTED, width=2, dash="6 4")
    d.text(185, 370, "one package", anchor="middle", fill=MUTED)
    d.rect(34, 258, 130, 76, fill=chip[0], stroke=chip[1], width=2)
    d.text(99, 282, "chip", anchor="middle", weight=600)
    d.rect(74, 292, 84, 34, fill="#ffffff", stroke=BLUE)
    d.text(116, 316, "SerDes", anchor="middle", max_width=84)
    d.line(158, 309, 196, 309, stroke=ORANGE, width=3, arrow=True)
    d.rect(198, 266, 140, 68, fill=tint(PINK, 0.25), stroke=PINK, width=2)
    d.lines(268, 294, ["optical", "engine"], anchor="middle", max_width=140)
    d.line(338, 300, 700, 300, stroke=GREEN, width=4, arrow=True)
    d.text(520, 287, "fibre", anchor="middle", fill=GREEN, weight=600)
    d.text(700, 334, f"{num(cpo_w)} W per port: {num(cpo_e * 1e12)} pJ/bit", anchor="end", weight=600)
    d.text(700, 390, f"NVIDIA's figures for a {num(rate / 1e12)} Tb/s port", anchor="end", fill=MUTED)
    return d.svg()
