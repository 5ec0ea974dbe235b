"""Print the seconds a clean build takes, step by step.

Run from the repository root: ``python benchmarks/build_times.py`` (``make bench``). It times, in a
temporary clone of the committed tree so that nothing local is reused:

* environment set-up: ``make venv`` (a fresh .venv from requirements.lock);
* the book build: ``make book``;
* strict nbval over all notebooks;
* each notebook's execution on its own.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd: list[str], cwd: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "book"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        rows = [("environment set-up (make venv)", timed(["make", "venv"], clone))]
        rows.append(("book build (make book)", timed(["make", "book"], clone)))
        py = str(clone / ".venv" / "bin" / "python")
        rows.append(("strict nbval, all notebooks",
                     timed([py, "-m", "pytest", "--nbval", "chapters", "-q", "-p", "no:cacheprovider"], clone)))
        for nb in sorted((clone / "chapters").glob("*.ipynb")):
            code = ("import sys; sys.path.insert(0, 'tests'); from notebook_exec import execute_to_text; "
                    f"execute_to_text('chapters/{nb.name}')")
            rows.append((f"execute {nb.name}", timed([py, "-c", code], clone)))
    width = max(len(r[0]) for r in rows)
    print(f"{'step'.ljust(width)}  seconds")
    for name, sec in rows:
        print(f"{name.ljust(width)}  {sec:7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
