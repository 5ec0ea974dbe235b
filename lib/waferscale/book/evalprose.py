"""Glued numbers in prose as ``{eval}`` roles, so that JupyterLab shows them as the book does.

The book's prose quotes glued values. myst-nb's roles for that (``{glue:text}`n_facts```,
``{glue:text}`share:.0f```, ``{glue:md}`claim_C12_sentence```) mean nothing to jupyterlab-myst, which would
show the key. jupyterlab-myst does render MyST's inline ``{eval}`` role: from the markdown cell's
``user_expressions`` metadata when the notebook is opened (plain text is shown even in an untrusted
notebook), and from the kernel when the cell is run. So the prose writes each glued value as a Python
expression on the kernel's ``glued`` namespace (:class:`waferscale.book.glue.Glued`):

==========================================  ==========================================
myst-nb role                                ``{eval}`` role (this module's form)
==========================================  ==========================================
``{glue:text}`n_facts```                    ``{eval}`glued.n_facts```
``{glue:text}`share:.0f```                  ``{eval}`glued.share(".0f")```
``{glue:md}`claim_C12_sentence```           ``{eval}`glued.claim_C12_sentence```
==========================================  ==========================================

Three readers agree on what such a role shows:

* the kernel: ``glued.share(".0f")`` displays (``text/plain``) the text myst-nb's ``{glue:text}`share:.0f```
  shows, and a Markdown value displays its Markdown (``text/markdown``, and as ``text/plain``);
* ``tests/notebook_exec.py`` (``make execute``) asks the kernel for each markdown cell's expressions after the
  run and stores the replies as the cell's ``user_expressions``, as jupyterlab-myst would;
* the book: ``waferscale.book._sphinx`` registers an ``eval`` role that reads the expression with
  :func:`parse` (only the forms above; anything else is a build error) and hands the key and format to
  myst-nb's own glue roles, so the HTML is what ``{glue:text}``/``{glue:md}`` gave.

``python -m waferscale.book.evalprose chapters/*.ipynb`` rewrites the glue roles of markdown cells into this
form (idempotent: a converted notebook is left as it is); run ``make execute`` afterwards to store the
``user_expressions``.

Examples
--------
>>> convert_text("The catalog holds {glue:text}`n_facts` rows, {glue:text}`share:.0f` % of them.")
'The catalog holds {eval}`glued.n_facts` rows, {eval}`glued.share(".0f")` % of them.'
>>> parse('glued.share(".0f")'), parse("glued.n_facts"), parse('glued["n-facts"]')
(('share', '.0f'), ('n_facts', None), ('n-facts', None))
"""
from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

__all__ = ["NAMESPACE", "GLUE_ROLE", "EVAL_ROLE", "parse", "expression", "convert_text", "convert_notebook",
           "eval_expressions", "glue_roles", "shown_text", "glued_bundles"]

#: the kernel name of :class:`waferscale.book.glue.Glued`
NAMESPACE = "glued"
#: a myst-nb glue role in markdown: its type (``text``, ``md``, or none for ``{glue}``) and content
GLUE_ROLE = re.compile(r"\{glue(?::(?P<type>[a-z]+))?\}`(?P<content>[^`]*)`")
#: an ``{eval}`` role in markdown and its expression
EVAL_ROLE = re.compile(r"\{eval\}`(?P<expr>[^`]*)`")
_FORMS = 'glued.KEY, glued.KEY("FORMAT"), glued["KEY"] or glued["KEY"]("FORMAT")'
_FORMAT = re.compile(r"[^`\"'\\:\n]*")


def parse(expr: str) -> tuple[str, str | None]:
    """The glue key and format spec (``None``: none given) of an ``{eval}`` expression of this module's form.

    >>> parse('glued.bw(".2f")')
    ('bw', '.2f')
    >>> parse("bw * 2")
    Traceback (most recent call last):
    ...
    ValueError: expression='bw * 2' is not allowed; allowed: glued.KEY, glued.KEY("FORMAT"), glued["KEY"] or glued["KEY"]("FORMAT")
    """
    def bad(why: str = "") -> ValueError:
        return ValueError(f"expression={expr!r} is not allowed{why}; allowed: {_FORMS}")

    try:
        node = ast.parse(expr.strip(), mode="eval").body
    except SyntaxError:
        raise bad() from None
    fmt = None
    if isinstance(node, ast.Call):
        if node.keywords or len(node.args) != 1 or not (
                isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            raise bad(" (the format is one string literal)")
        fmt = node.args[0].value
        if not fmt or not _FORMAT.fullmatch(fmt):
            raise bad(f" (format {fmt!r}: a Python format spec such as '.0f')")
        node = node.func
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == NAMESPACE:
        key = node.attr
    elif (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == NAMESPACE
          and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)):
        key = node.slice.value
    else:
        raise bad()
    if key.startswith("_") or not key:
        raise bad(f" (key {key!r} starts with '_')")
    return key, fmt


def expression(key: str, fmt: str | None = None) -> str:
    """The ``{eval}`` expression for glue ``key`` shown with format spec ``fmt`` (the inverse of :func:`parse`).

    >>> expression("eta", ".3f"), expression("n-fit")
    ('glued.eta(".3f")', 'glued["n-fit"]')
    """
    head = f"{NAMESPACE}.{key}" if key.isidentifier() and not key.startswith("_") else f'{NAMESPACE}["{key}"]'
    text = head if fmt is None else f'{head}("{fmt}")'
    if parse(text) != (key, fmt):
        raise ValueError(f"key={key!r} fmt={fmt!r} is not allowed; allowed: a key and format spec without quotes")
    return text


def _convert(m: re.Match) -> str:
    kind, content = m.group("type"), m.group("content")
    if "::" in content:
        raise ValueError(f"role={m.group(0)!r} is not allowed; allowed: a key of this notebook (no 'page::key')")
    if kind == "text":
        key, _, fmt = content.rpartition(":") if ":" in content else (content, "", "")
        return "{eval}`" + expression(key, fmt or None) + "`"
    if kind == "md" and ":" not in content:
        return "{eval}`" + expression(content) + "`"
    raise ValueError(f"role={m.group(0)!r} is not allowed; allowed: {{glue:text}}`key`, {{glue:text}}`key:fmt`, "
                     f"{{glue:md}}`key`")


#: what the converter leaves as it is: code fences (not ```{directive} blocks, whose prose is converted), other
#: roles, inline code; and the glue roles it rewrites. The leftmost match wins, so a role written inside inline
#: code (`` `{glue:text}` ``) is code.
_TOKENS = re.compile(r"(?P<fence>^(?P<f>```+|~~~+)(?!\{)[^\n]*\n.*?^(?P=f)[ \t]*$)"
                     r"|(?P<glue>" + GLUE_ROLE.pattern.replace("(?P<", "(?P<g_") + r")"
                     r"|(?P<role>\{[\w:.-]+\}`[^`]*`)|(?P<code>(?P<t>`+)[^`].*?(?P=t))", re.M | re.S)


def convert_text(text: str) -> str:
    """``text`` with every ``{glue:text}``/``{glue:md}`` role written as the ``{eval}`` role that shows the same
    (roles inside code are code, and stay).

    >>> convert_text("Run `{glue:text}`, or {glue:md}`claim_C01_sentence`.")
    'Run `{glue:text}`, or {eval}`glued.claim_C01_sentence`.'
    """
    def sub(m: re.Match) -> str:
        if m.group("glue") is None:
            return m.group(0)
        return _convert(GLUE_ROLE.fullmatch(m.group("glue")))

    return _TOKENS.sub(sub, text)


def convert_notebook(path: str | Path) -> int:
    """Rewrite the glue roles of ``path``'s markdown cells in place; the number of roles rewritten."""
    path = Path(path)
    nb = json.loads(path.read_text(encoding="utf-8"))
    n = 0
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        src = "".join(cell["source"])
        try:
            new = convert_text(src)
        except ValueError as exc:
            raise ValueError(f"{path} cell {i}: {exc}") from None
        if new != src:
            n += len(glue_roles(src))
            cell["source"] = new.splitlines(keepends=True) if isinstance(cell["source"], list) else new
    if n:
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    return n


def eval_expressions(source: str) -> list[str]:
    """The ``{eval}`` expressions of a markdown cell's source, outside code, in order (repeats kept, as
    jupyterlab-myst asks the kernel).

    >>> eval_expressions('{eval}`glued.a` and `{eval}`, then {eval}`glued.b(".1f")` and {eval}`glued.a`')
    ['glued.a', 'glued.b(".1f")', 'glued.a']
    """
    return [EVAL_ROLE.fullmatch(m.group("role")).group("expr") for m in _TOKENS.finditer(source)
            if m.group("role") and EVAL_ROLE.fullmatch(m.group("role"))]


def glue_roles(source: str) -> list[str]:
    """The myst-nb glue roles left in a markdown cell's source, outside code (a chapter should have none)."""
    return [m.group("glue") for m in _TOKENS.finditer(source) if m.group("glue")]


def glued_bundles(nb: dict) -> dict[str, dict]:
    """Every glued key of a notebook (its JSON) and the MIME bundle stored for it, prefix removed."""
    out: dict[str, dict] = {}
    for cell in nb["cells"]:
        for o in cell.get("outputs", []) if cell["cell_type"] == "code" else []:
            sb = o.get("metadata", {}).get("scrapbook")
            if sb:
                pre = sb.get("mime_prefix", "")
                out[sb["name"]] = {k[len(pre):]: "".join(v) if isinstance(v, list) else v
                                   for k, v in o.get("data", {}).items() if k.startswith(pre)}
    return out


def shown_text(bundle: dict, fmt: str | None) -> str:
    """The text the book shows for a glued value's ``bundle`` with format ``fmt``: myst-nb's ``{glue:md}`` source
    for a Markdown value (no format), else its ``{glue:text}`` (format ``s`` when none is given).

    >>> shown_text({"text/plain": "0.4567"}, ".0%"), shown_text({"text/plain": "'WSE-3'"}, None)
    ('46%', 'WSE-3')
    """
    if fmt is None and "text/markdown" in bundle:
        return bundle["text/markdown"]
    from myst_nb.core.variables import format_plain_text

    if "text/plain" not in bundle:
        raise ValueError(f"bundle={sorted(bundle)!r} is not allowed; allowed: a glued value with text/plain")
    return format_plain_text(bundle["text/plain"], "s" if fmt is None else fmt)


def main(argv: list[str]) -> int:
    if not argv or any(a.startswith("-") for a in argv):
        print("usage: python -m waferscale.book.evalprose NOTEBOOK.ipynb ...  (then `make execute`)")
        return 2
    for p in argv:
        n = convert_notebook(p)
        print(f"{p}: {n} glue role(s) rewritten as {{eval}}" if n else f"{p}: nothing to rewrite")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
