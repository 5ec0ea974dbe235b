"""Execute notebooks the one canonical way, so that the committed file *is* a fresh run.

``python tests/notebook_exec.py chapters/*.ipynb`` re-executes in place (``make execute``).
The determinism test calls :func:`execute_to_text` and compares the result byte for byte with
the committed notebook: the committed outputs were produced by one execution, the test's by
another, so equality shows that two executions give identical bytes.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

KERNEL = "python3"


def execute_to_text(path: str | Path, timeout: int = 600, env: dict[str, str] | None = None) -> str:
    """Run ``path`` top to bottom in a fresh kernel (cwd = its folder) and return the notebook JSON.

    ``env``, if given, is the kernel's whole environment (e.g. :func:`portable_env.baseline_env`).
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": KERNEL}
    client = NotebookClient(
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
