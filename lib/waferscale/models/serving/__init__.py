"""The serving model: operating points, parallel-layout search, prefill and decode on GPUs, the wafer bottom up.

Modules: :mod:`.hardware` (the :class:`Hardware` record resolved from the catalog), :mod:`.point`
(:class:`OperatingPoint`, :class:`ServeParams`, :class:`Layout`), :mod:`.gpu` (one continuous-batching
iteration), :mod:`.wafer` (MeshGEMV-style decode on the mesh), :mod:`.power` (load-dependent wall power),
:mod:`.search` (:func:`serve`, :func:`frontier`).
"""

from .hardware import Hardware, gpu_systems, hardware, hardware_ids, system_links
from .point import Layout, OperatingPoint, ServeParams, accepted_per_step, acceptance_from_length
from .search import DoesNotFit, OutOfReach, Result, best_speed, chips_needed, evaluate, frontier, layouts, serve

__all__ = ["Hardware", "hardware", "hardware_ids", "gpu_systems", "system_links", "Layout", "OperatingPoint",
           "ServeParams", "accepted_per_step", "acceptance_from_length",
           "Result", "evaluate", "frontier", "layouts", "serve", "DoesNotFit", "OutOfReach", "chips_needed", "best_speed"]
