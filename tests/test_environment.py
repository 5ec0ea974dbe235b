"""The set-up: one lock, the same pins for conda users, and CI running the README's test command."""
from __future__ import annotations

from env_lock import pins_from_environment, pins_from_lock

from conftest import ROOT


def test_environment_yml_matches_the_lock():
    lock, env = pins_from_lock(), pins_from_environment()
    assert lock, "no pins in requirements.lock"
    assert env == lock, set(lock.items()) ^ set(env.items())


def test_lock_is_hashed_and_pins_jupyter_book_1():
    text = (ROOT / "requirements.lock").read_text()
    assert "--hash=sha256:" in text
    major = int(pins_from_lock()["jupyter-book"].split(".")[0])
    assert major == 1


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make book" in readme
    commands = [ln.strip() for ln in ci.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    assert "make test" in commands


def test_test_target_runs_strict_nbval_and_the_warning_free_build():
    """The book shows committed outputs (execute_notebooks: off) only because the test command re-runs
    every notebook: strict nbval, and the byte-for-byte reduced-SIMD leg of tests/test_notebooks.py."""
    mk = (ROOT / "Makefile").read_text()
    assert "--nbval" in mk and "--nbval-lax" not in mk
    assert 'execute_notebooks: "off"' in (ROOT / "_config.yml").read_text()
    assert "--warningiserror" in mk and (ROOT / "tests" / "test_notebooks.py").exists()
