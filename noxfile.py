"""Task runner: ``nox -s tests``, ``nox -s lint``, ``nox -s typing``, ``nox -s bench``."""

from __future__ import annotations

import tomllib
from pathlib import Path

import nox

nox.options.sessions = ["tests", "lint", "typing"]
nox.options.default_venv_backend = "venv"

_PYPROJECT = tomllib.loads(Path("pyproject.toml").read_text())
PYTHONS = [
    c.rsplit(" :: ", 1)[-1]
    for c in _PYPROJECT["project"]["classifiers"]
    if c.startswith("Programming Language :: Python :: 3.")
]


@nox.session(python=PYTHONS[:1])
@nox.parametrize("backend", ["asyncio", "trio"])
def tests(session: nox.Session, backend: str) -> None:
    """The test suite on one anyio backend."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs, env={"TALKKIT_TEST_BACKENDS": backend})


@nox.session(python=PYTHONS[:1])
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("ruff>=0.17,<0.18")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHONS[:1])
def typing(session: nox.Session) -> None:
    """mypy --strict over src/ and the typing test file."""
    session.install("-e", ".[dev]")
    session.run("mypy")


@nox.session(python=PYTHONS[:1])
def bench(session: nox.Session) -> None:
    """The benchmark suite (ratios against baselines in the same run)."""
    session.install("-e", ".[dev]", "matplotlib")
    session.run("python", "-m", "benchmarks", *session.posargs)


@nox.session(python=PYTHONS[:1])
def reliability(session: nox.Session) -> None:
    """The reliability suite at full size; writes reliability/REPORT-<date>.md (--size ci: smaller)."""
    session.install("-e", ".[test,fast]")
    session.run("python", "-m", "reliability", "--size", "full", *session.posargs)
