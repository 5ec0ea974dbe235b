"""Execute notebooks the one canonical way, so that the committed file *is* a fresh run.

``python tests/notebook_exec.py chapters/*.ipynb`` re-executes in place (``make execute``).
The determinism test calls :func:`execute_to_text` and compares the result byte for byte with
the committed notebook: the committed outputs were produced by one execution, the test's by
another, so equality shows that two executions give identical bytes.

After the last cell, while the kernel still runs, each markdown cell's ``{eval}`` expressions (the prose's
glued numbers, :mod:`waferscale.book.evalprose`) are sent to the kernel as ``user_expressions``, as
jupyterlab-myst does when a reader runs the cell, and the replies are stored in the cell's metadata
(``user_expressions``): JupyterLab then shows the numbers from a fresh clone, before anything is run. An
expression the kernel cannot evaluate (a key never glued) fails the run, naming the cell.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.util import ensure_async, run_sync

from waferscale.book.evalprose import eval_expressions

KERNEL = "python3"


class _Client(NotebookClient):
    """nbclient's run (``NotebookClient.async_execute``), plus the markdown cells' user expressions at the end."""

    async def async_execute(self, reset_kc: bool = False, **kwargs):
        if reset_kc and self.owns_km:
            await self._async_cleanup_kernel()
        self.reset_execution_trackers()
        async with self.async_setup_kernel(**kwargs):
            msg_id = await ensure_async(self.kc.kernel_info())
            info = await self.async_wait_for_reply(msg_id)
            self.nb.metadata["language_info"] = info["content"]["language_info"]
            for index, cell in enumerate(self.nb.cells):
                await self.async_execute_cell(cell, index, execution_count=self.code_cells_executed + 1)
            for index, cell in enumerate(self.nb.cells):
                if cell.cell_type == "markdown":
                    await self._user_expressions(index, cell)
            self.set_widgets_metadata()
        return self.nb

    async def _user_expressions(self, index: int, cell) -> None:
        exprs = eval_expressions(cell.source)
        if not exprs:
            cell.metadata.pop("user_expressions", None)
            return
        msg_id = await ensure_async(self.kc.execute("", silent=True, store_history=False,
                                                    user_expressions={str(i): e for i, e in enumerate(exprs)}))
        reply = (await self.async_wait_for_reply(msg_id))["content"]
        results = reply.get("user_expressions", {})
        out = []
        for i, e in enumerate(exprs):
            r = results.get(str(i), {})
            if r.get("status") != "ok":
                raise RuntimeError(f"markdown cell {index}: {{eval}}`{e}` failed in the kernel: "
                                   f"{r.get('ename', '')}: {r.get('evalue', r)}")
            out.append({"expression": e, "result": {"status": "ok", "data": r["data"], "metadata": r["metadata"]}})
        cell.metadata["user_expressions"] = out

    execute = run_sync(async_execute)  # nbclient binds its own async_execute to execute


def execute_to_text(path: str | Path, timeout: int = 600, env: dict[str, str] | None = None) -> str:
    """Run ``path`` top to bottom in a fresh kernel (cwd = its folder) and return the notebook JSON.

    ``env``, if given, is the kernel's whole environment (e.g. :func:`portable_env.baseline_env`).
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": KERNEL}
    client = _Client(
        nb, timeout=timeout, kernel_name=KERNEL, record_timing=False, allow_errors=False,
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    client.execute(**({} if env is None else {"env": env}))
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    return nbformat.writes(nb) + "\n"


def main(paths: list[str]) -> int:
    for p in paths:
        text = execute_to_text(p)
        Path(p).write_text(text, encoding="utf-8")
        print(f"executed {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
