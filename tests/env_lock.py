"""Keep environment.yml (conda/Binder) and requirements.lock (pip) on the same pins.

``python tests/env_lock.py --write`` regenerates environment.yml from the lock;
the test suite calls :func:`pins_from_lock` and :func:`pins_from_environment` and checks that they agree.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins_from_lock(path: Path = ROOT / "requirements.lock") -> dict[str, str]:
    """Package name -> pinned version, read from the pip lock file."""
    pins = {}
    for line in path.read_text().splitlines():
        m = _PIN.match(line.strip())
        if m:
            pins[_norm(m.group(1))] = m.group(2)
    return pins


def pins_from_environment(path: Path = ROOT / "environment.yml") -> dict[str, str]:
    """Package name -> pinned version, read from the pip section of environment.yml."""
    pins = {}
    for line in path.read_text().splitlines():
        m = re.match(r"^\s+-\s+([A-Za-z0-9_.\-]+)==(\S+)\s*$", line)
        if m:
            pins[_norm(m.group(1))] = m.group(2)
    return pins


def render_environment(pins: dict[str, str]) -> str:
    """environment.yml text: conda gives Python 3.11 and pip; pip installs the locked pins."""
    lines = [
        "# Generated from requirements.lock by `make lock` (tests/env_lock.py); do not edit by hand.",
        "# Binder / conda users: `conda env create -f environment.yml` (installs the pins and this package).",
        "name: waferscale-book",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        "  - python=3.11",
        "  - pip",
        "  - pip:",
    ]
    lines += [f"      - {name}=={version}" for name, version in sorted(pins.items())]
    lines.append("      - -e .")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if "--write" in sys.argv:
        (ROOT / "environment.yml").write_text(render_environment(pins_from_lock()))
        print("environment.yml written with", len(pins_from_lock()), "pins")
    else:
        lock, env = pins_from_lock(), pins_from_environment()
        print("agree" if lock == env else f"differ: {set(lock.items()) ^ set(env.items())}")
