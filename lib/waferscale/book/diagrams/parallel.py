"""Diagrams of parallel work: a ring all-reduce, tensor parallelism in a layer, a model pipelined over wafers.

The ring's cells are computed by simulating the algorithm (:func:`ring_states`), so the figure cannot drift
from it; the pipeline's wafer count and layer split are computed from the catalog.
"""

from __future__ import annotations

import math

from ...data.catalog import Catalog
from ._svg import BLUE, GREEN, MUTED, ORANGE, PINK, Drawing, num, tint

__all__ = ["ring_states", "ring_allreduce", "tensor_parallel", "pipeline_wafers"]

_SHADES = (0.15, 0.4, 0.7, 1.0)  # chunk holding the sum of 1, 2, 3, 4 devices' data


def ring_states(n: int) -> list[tuple[list[list[int]], set[tuple[int, int]]]]:
    """The ring all-reduce on ``n`` devices, state by state.

    Entry 0 is the start; entry ``s`` the state after step ``s`` (``2(n-1)`` steps: reduce-scatter, then
    all-gather). A state is ``(count, received)``: ``count[i][j]`` = how many devices' data chunk ``j`` on device
    ``i`` sums, ``received`` = the ``(device, chunk)`` pairs written in that step.

    >>> states = ring_states(4)
    >>> len(states) - 1, [row.count(4) for row in states[3][0]], states[-1][0] == [[4] * 4] * 4
    (6, [1, 1, 1, 1], True)
    """
    if not isinstance(n, int) or n < 2:
        raise ValueError(f"n = {n!r} devices is outside the allowed range: an integer >= 2")
    parts = [[{i} for _ in range(n)] for i in range(n)]
    states: list[tuple[list[list[int]], set[tuple[int, int]]]] = [([[1] * n for _ in range(n)], set())]
    for step in range(2 * (n - 1)):
        gather = step >= n - 1
        s = step - (n - 1) if gather else step
        sends = [(i, (i + 1 - s) % n if gather else (i - s) % n) for i in range(n)]
        payload = [set(parts[i][j]) for i, j in sends]
        received = set()
        for (i, j), data in zip(sends, payload):
            dst = (i + 1) % n
            parts[dst][j] = data if gather else parts[dst][j] | data
            received.add((dst, j))
        states.append(([[len(c) for c in row] for row in parts], received))
    return states


def ring_allreduce(cat: Catalog) -> str:  # noqa: ARG001 - illustrative; takes the catalog like the rest
    """A ring all-reduce on 4 GPUs: each GPU's 4 chunks over the 2(N-1) = 6 steps."""
    n = 4
    states = ring_states(n)
    d = Drawing("ring-allreduce", 356, "A ring all-reduce on four GPUs: reduce-scatter, then all-gather",
                f"Four GPUs in a ring each start with their own data, cut into {n} chunks. The grid shows every "
                f"GPU's chunks at the start and after each of the 2(N-1) = {2 * (n - 1)} steps; the darker a "
                "chunk, the more GPUs' data it sums, and an orange outline marks the chunk received in that step. "
                "In every step each GPU sends one chunk, a quarter of its data, to the next GPU round the ring. "
                f"After the {n - 1} reduce-scatter steps each GPU holds one chunk fully summed; the {n - 1} "
                "all-gather steps then copy the summed chunks round the ring until every GPU has all of them. "
                "Illustrative: four GPUs.")
    x0, pitch, y0, row = 84, 90, 96, 36
    d.text(x0 + pitch * 2 + 40, 26, f"reduce-scatter: {n - 1} steps", anchor="middle", weight=600)
    d.text(x0 + pitch * 5 + 40, 26, f"all-gather: {n - 1} steps", anchor="middle", weight=600)
    d.line(x0 + pitch * 4 - 5, 8, x0 + pitch * 4 - 5, y0 + row * n, dash="6 5")
    for k, (count, received) in enumerate(states):
        x = x0 + k * pitch
        d.text(x + 40, 66, "start" if k == 0 else f"step {k}", anchor="middle", max_width=pitch)
        for i in range(n):
            for j in range(n):
                got = (i, j) in received
                d.rect(x + j * 21, y0 + i * row, 18, 22, fill=tint(BLUE, _SHADES[count[i][j] - 1]), rx=2,
                       stroke=ORANGE if got else MUTED, width=3 if got else 1)
    for i in range(n):
        d.text(8, y0 + i * row + 18, f"GPU {i + 1}")
    ly = y0 + row * n + 30
    d.text(8, ly, "chunk sums the data of")
    for k, share in enumerate(_SHADES):
        d.rect(290 + k * 80, ly - 17, 22, 22, fill=tint(BLUE, share), rx=2)
        d.text(318 + k * 80, ly, str(k + 1))
    d.text(600, ly, "GPUs", anchor="start")
    d.rect(8, ly + 13, 22, 22, fill="#ffffff", stroke=ORANGE, width=3, rx=2)
    d.text(40, ly + 30, "received in this step: 1/N of the data")
    d.text(8, ly + 62, "Each GPU sends to the next, GPU 4 to GPU 1.")
    return d.svg()


def tensor_parallel(cat: Catalog) -> str:  # noqa: ARG001
    """A transformer MLP block split over 2 GPUs (A by columns, B by rows), and a layer's two all-reduces."""
    gpu = {1: (tint(BLUE, 0.25), BLUE), 2: (tint(ORANGE, 0.3), ORANGE)}
    d = Drawing("tensor-parallel", 430, "Tensor parallelism: one transformer layer split over two GPUs",
                "Top: the MLP block Y = GeLU(X A) B on two GPUs. Both GPUs hold the input X. The first weight "
                "matrix A is split by columns, so GPU 1 computes X A1 and GPU 2 computes X A2 with no "
                "communication, and each applies GeLU to its own half. The second matrix B is split by rows, so "
                "each GPU's product is a partial sum, Y1 or Y2; one all-reduce adds them into Y on both GPUs. "
                "Bottom: a whole layer in the forward pass is an attention block (its heads split over the GPUs) "
                "followed by an all-reduce, then the MLP block followed by a second all-reduce: two all-reduces "
                "per layer, and two more in the backward pass when training. Illustrative: two GPUs.")
    for x, top, bottom in ((199, "A split by", "columns"), (311, "each GPU", "alone"), (425, "B split", "by rows"),
                           (568, "GPUs talk", "once")):
        d.lines(x, 28, [top, bottom], anchor="middle", fill=MUTED)
    d.rect(84, 95, 36, 130, fill="#ffffff")
    d.text(102, 168, "X", 22, anchor="middle", weight=600)
    for k, y in ((1, 80), (2, 180)):
        fill, stroke = gpu[k]
        d.line(120, 160, 140, y + 30, width=2.5, arrow=True)
        sub = "₁" if k == 1 else "₂"
        boxes = ((144, 110, f"X·A{sub}"), (276, 70, "GeLU"), (370, 110, f"·B{sub} = Y{sub}"))
        for x, w, label in boxes:
            d.rect(x, y, w, 60, fill=fill, stroke=stroke, width=2)
            d.text(x + w / 2, y + 37, label, anchor="middle", max_width=w)
        for (xa, wa, _), (xb, _, _) in zip(boxes, boxes[1:] + ((508, 0, ""),)):
            d.line(xa + wa, y + 30, xb - 2, y + 30, width=2.5, arrow=True)
        d.text(8, y + 36, f"GPU {k}", fill=stroke, weight=600)
    d.rect(508, 80, 120, 160, fill=tint(GREEN, 0.25), stroke=GREEN, width=2)
    d.lines(568, 150, ["all-reduce", "Y = Y₁+Y₂"], anchor="middle", max_width=120)
    d.line(628, 160, 646, 160, width=2.5, arrow=True)
    d.rect(648, 130, 50, 60, fill="#ffffff")
    d.text(673, 168, "Y", 22, anchor="middle", weight=600)
    d.text(20, 290, "One layer, forward pass:", weight=600)
    for x, w, rows, fill, stroke in ((20, 150, ["attention", "heads split"], "#f4f4f4", MUTED),
                                     (200, 140, ["all-reduce", "1"], tint(GREEN, 0.25), GREEN),
                                     (370, 150, ["MLP", "as above"], "#f4f4f4", MUTED),
                                     (550, 150, ["all-reduce", "2"], tint(GREEN, 0.25), GREEN)):
        d.rect(x, 305, w, 66, fill=fill, stroke=stroke, width=2)
        d.lines(x + w / 2, 332, rows, anchor="middle", max_width=w)
        if x > 20:
            d.line(x - 28, 338, x - 3, 338, width=2.5, arrow=True)
    d.text(20, 408, "Backward pass adds two more. Illustrative: 2 GPUs.", fill=MUTED)
    return d.svg()


def pipeline_wafers(cat: Catalog) -> str:
    """Llama 3.1 70B's layers pipelined over as many CS-3 as its 16-bit weights need, activations handed over."""
    params, layers = cat.value("llama3_1_70b", "params_total"), int(cat.value("llama3_1_70b", "layers"))
    sram, io = cat.value("wse3", "sram_bytes"), cat.value("cs3", "io_bytes_per_s")
    weights = params * 2  # 16-bit weights: 2 bytes each
    wafers = math.ceil(weights / sram)
    per = math.ceil(layers / wafers)
    d = Drawing("pipeline-wafers", 330 + wafers * 36, f"A model's layers pipelined over {wafers} CS-3 systems",
                f"Llama 3.1 70B has {num(params / 1e9)} billion parameters; at 2 bytes each its weights take "
                f"{num(weights / 1e9)} GB, more than the {num(sram / 1e9)} GB of SRAM on one wafer, so its "
                f"{layers} layers are split over {wafers} CS-3 systems, {per} layers each, with the weights "
                "resident in each wafer's SRAM. Each wafer hands its activations to the next over its off-wafer "
                f"links ({num(io / 1e9)} GB/s of I/O per CS-3 in the catalog). Below, a timeline: with several "
                "requests in flight, each wafer works on a different request at the same time. Sizes from the "
                "catalog; the timeline is illustrative.")
    d.text(20, 28, f"Llama 3.1 70B: {num(params / 1e9)} B parameters × 2 bytes = {num(weights / 1e9)} GB;",
           weight=600)
    d.text(20, 54, f"one wafer holds {num(sram / 1e9)} GB of SRAM, so {wafers} wafers, {per} layers each")
    w, gap = 150, (700 - 20 - wafers * 150) / max(wafers - 1, 1)
    colours = (BLUE, ORANGE, GREEN, PINK)
    for k in range(wafers):
        x = 20 + k * (w + gap)
        d.rect(x, 76, w, 96, fill=tint(BLUE, 0.12), stroke=BLUE, width=2)
        d.lines(x + w / 2, 104, [f"CS-3 {k + 1}", f"layers {k * per + 1}–{min((k + 1) * per, layers)}",
                                 "its weights"], anchor="middle", max_width=w)
        if k:
            d.line(x - gap + 2, 124, x - 3, 124, stroke=ORANGE, width=4, arrow=True)
    d.text(20, 204, "orange arrows: activations go to the next wafer over", fill=MUTED)
    d.text(20, 228, f"its off-wafer links, {num(io / 1e9)} GB/s of I/O per CS-3", fill=MUTED)
    d.text(20, 272, "Requests in flight: each wafer serves a different one", weight=600)
    slot, y0, row, requests = 70, 288, 36, min(wafers, 4)
    for s in range(wafers):
        d.text(20, y0 + s * row + 23, f"CS-3 {s + 1}")
        for r in range(requests):
            x = 110 + (r + s) * slot
            d.rect(x, y0 + s * row, slot - 4, row - 6, fill=tint(colours[r % 4], 0.35), stroke=colours[r % 4], rx=3)
            d.text(x + (slot - 4) / 2, y0 + s * row + 22, f"R{r + 1}", anchor="middle")
    d.line(110, y0 + wafers * row + 4, 110 + (wafers + requests - 1) * slot, y0 + wafers * row + 4, arrow=True)
    d.text(110, y0 + wafers * row + 30, "time; R1 to R4 = requests (illustrative)", fill=MUTED)
    return d.svg()
