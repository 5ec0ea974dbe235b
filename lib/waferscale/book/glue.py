"""The book's ``glue``: myst-nb's, with every float cut to the digits any CPU reproduces.

Notebooks write ``from waferscale.book.glue import glue`` instead of importing myst-nb's directly, so
that a glued number is stored with :data:`waferscale.core.digits.SIG_DIGITS` significant digits (the
prose formats it further, ``{eval}`glued.name(".1f")```). See :mod:`waferscale.core.digits` for why.

Each glued value is also kept in the kernel's ``glued`` namespace (:class:`Glued`), which the prose's
``{eval}`` roles read (:mod:`waferscale.book.evalprose`): ``glued.name`` displays what myst-nb's
``{glue:text}`name``` (or, for a Markdown value, ``{glue:md}`name```) shows, ``glued.name(".1f")`` what
``{glue:text}`name:.1f``` shows. JupyterLab (jupyterlab-myst) shows those displays in the prose; the book
hands the same key and format to myst-nb's glue roles.

Examples
--------
>>> from waferscale.core.digits import round_floats
>>> round_floats(8.215383501464252)   # what glue("c01", 8.215383501464252) stores
8.21538
>>> g = Glued()
>>> g._add("share", {"text/plain": "0.456789"})
>>> print(repr(g.share), repr(g.share(".0%")), g.share(".2f"))
0.456789 46% 0.46
"""

from __future__ import annotations

from typing import Any

from ..core.digits import round_floats

__all__ = ["glue", "glue_claim", "claim_key", "CLAIM_PARTS", "Glued", "GluedValue", "GluedText", "NAMESPACE"]


def glue(name: str, variable: Any, display: bool = True) -> None:
    """Store ``variable`` (floats rounded by :func:`waferscale.core.digits.round_floats`) under ``name``
    for the prose's ``{eval}`glued.name``` roles (and myst-nb's ``{glue:text}``), and keep it in the kernel's
    ``glued`` namespace; ``display`` as in :func:`myst_nb.glue`."""
    from IPython.core.formatters import format_display_data
    from myst_nb import glue as _glue

    value = round_floats(variable)
    _glue(name, value, display=display)
    _namespace()._add(name, format_display_data(value)[0])  # the bundle myst-nb's glue stores


#: the name of the :class:`Glued` namespace in the kernel (waferscale.book.evalprose.NAMESPACE)
NAMESPACE = "glued"
_LOCAL: dict = {}


def _namespace() -> "Glued":
    """The kernel's ``glued`` namespace, created on first use (outside IPython: one for the process)."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython comes with myst-nb
        shell = None
    ns = shell.user_ns if shell is not None else _LOCAL
    g = ns.get(NAMESPACE)
    if g is None:
        g = ns[NAMESPACE] = Glued()
    elif type(g).__name__ != "Glued":
        raise ValueError(f"{NAMESPACE}={g!r} is not allowed; allowed: the name {NAMESPACE!r} is kept for the "
                         "book's glued values (waferscale.book.glue.Glued); rename the notebook's variable")
    return g


class GluedText:
    """A glued value as the prose shows it: displays (``text/plain``, no quotes) its text."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text

    def _repr_pretty_(self, p, cycle: bool) -> None:
        p.text(self.text)


class GluedValue(GluedText):
    """One glued key: displays what ``{glue:text}`key``` shows (a Markdown value: its Markdown source, as
    ``text/plain``); called with a format spec, ``glued.key(".1f")``, what ``{glue:text}`key:.1f``` shows.

    No ``text/markdown``: jupyterlab-myst renders an inline expression's Markdown as a block of its own (the
    sentence breaks out of its paragraph) and logs "Host is not attached"; the book's Markdown values are plain
    sentences, which ``text/plain`` shows inline as the book does."""

    __slots__ = ("key", "bundle")

    def __init__(self, key: str, bundle: dict):
        from .evalprose import shown_text

        self.key, self.bundle = key, bundle
        super().__init__(shown_text(bundle, None))

    def __call__(self, fmt: str) -> GluedText:
        from .evalprose import shown_text

        if not isinstance(fmt, str) or not fmt:
            raise ValueError(f"fmt={fmt!r} is not allowed; allowed: a format spec such as '.1f'")
        if "text/markdown" in self.bundle:
            raise ValueError(f"fmt={fmt!r} is not allowed for {self.key!r}, a Markdown value; allowed: no format")
        return GluedText(shown_text(self.bundle, fmt))


class Glued:
    """The glued values of a notebook run, by key: ``glued.key``, ``glued["key"]`` (a :class:`GluedValue`).

    A key not glued (yet) is an ``AttributeError``/``KeyError`` naming it, so an ``{eval}`` role that quotes it
    shows that error in JupyterLab rather than a stale number.
    """

    def __init__(self) -> None:
        object.__setattr__(self, "_bundles", {})

    def _add(self, key: str, bundle: dict) -> None:
        self._bundles[key] = dict(bundle)

    def __getitem__(self, key: str) -> GluedValue:
        try:
            return GluedValue(key, self._bundles[key])
        except KeyError:
            raise KeyError(f"nothing is glued under {key!r} (yet): run the cell that glues it") from None

    def __getattr__(self, key: str) -> GluedValue:
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self[key]
        except KeyError as exc:
            raise AttributeError(exc.args[0]) from None

    def __setattr__(self, key: str, value) -> None:
        raise AttributeError("glued values are set by waferscale.book.glue.glue(key, value)")

    def __dir__(self) -> list[str]:
        return sorted(k for k in self._bundles if k.isidentifier())

    def __len__(self) -> int:
        return len(self._bundles)

    def __repr__(self) -> str:
        return f"<glued: {len(self._bundles)} values>"

    def _repr_pretty_(self, p, cycle: bool) -> None:
        p.text(repr(self))


#: The parts of a claim's verdict :func:`glue_claim` stores, each under ``claim_<ID>_<part>``.
CLAIM_PARTS = ("figure", "text", "label", "unit", "status", "sentence", "scenario", "detail")


def claim_key(claim_id: str, part: str) -> str:
    """The standard glue key of one part of a claim's verdict, e.g. ``claim_C12_figure``.

    >>> claim_key("C12", "text")
    'claim_C12_text'
    """
    if part not in CLAIM_PARTS:
        raise ValueError(f"part={part!r} is not allowed; allowed: {', '.join(CLAIM_PARTS)}")
    return f"claim_{claim_id}_{part}"


def glue_claim(claim_id: str, cat: Any = None, verdict: Any = None) -> Any:
    """Glue one claim's verdict under the standard keys (:func:`claim_key`) and return the verdict.

    The verdict is the ledger's (:func:`waferscale.claims.evaluate` on ``cat``) unless ``verdict`` is given
    (it must then be that evaluation, for a page that already holds it). Prose then quotes
    ``{eval}`glued.claim_C12_text``` (figure with unit), ``claim_C12_label``, ``claim_C12_sentence`` and so on,
    and ``tests/test_claim_pages.py`` checks every page's stored figure against the ledger's.
    """
    from .. import claims

    v = claims.evaluate(claim_id, cat) if verdict is None else verdict
    if not isinstance(v, claims.Verdict):
        raise ValueError(f"verdict={v!r} is not allowed; allowed: a waferscale.claims.Verdict")
    parts = {"figure": None if v.figure is None else float(v.figure), "text": v.figure_text, "label": v.label,
             "unit": v.unit, "status": v.status.value, "sentence": v.sentence, "scenario": v.scenario,
             "detail": v.detail}
    from IPython.display import Markdown

    for part, value in parts.items():
        # the sentence is prose: glued as Markdown (the book pastes it as {glue:md}), so it reads as text, not as
        # a bold number
        glue(claim_key(claim_id, part), Markdown(value) if part == "sentence" else value, display=False)
    return v
