"""
Task runner. CI runs ``tests`` (via the README command), ``lint``, ``typing``, ``docs`` and
``tests_lowest``; by hand: ``bench``, ``reliability`` and ``mutants`` (slow).
"""

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
def tests_lowest(session: nox.Session) -> None:
    """
    The test suite against the lowest versions pyproject.toml declares, on the oldest Python.

    uv's ``lowest-direct`` resolution installs each direct dependency (extras included) at the
    minimum its ``>=`` bound names, and whatever those pull in at its newest: a minimum that
    is no longer true fails here, not on a user's machine. Both anyio backends, one run.
    """
    session.install("uv")
    python = str(Path(session.bin) / "python")
    lowest = ("--python", python, "--resolution", "lowest-direct")
    session.run("uv", "pip", "install", *lowest, "-e", ".[test]")
    session.run("uv", "pip", "freeze", "--python", python)  # the versions tested, in the log
    session.run("python", "-m", "pytest", *session.posargs)


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
def docs(session: nox.Session) -> None:
    """
    The documentation site (mkdocs.yml), built with warnings as errors.

    The API reference is read from the source (griffe), not imported. ruff formats the long
    signatures. The site goes to a temporary folder; ``nox -s docs -- --site-dir site`` keeps it.
    """
    session.install("-e", ".[docs]", "ruff>=0.17,<0.18")
    site = str(Path(session.create_tmp()).resolve() / "site")
    env = {"NO_MKDOCS_2_WARNING": "1"}  # Material's notice of its 2027 end of life, not a problem
    session.run("mkdocs", "build", "--strict", "--site-dir", site, *session.posargs, env=env)


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


MUTATED = {
    "talkkit/middleware/retry.py": "talkkit.middleware.retry.*",
    "talkkit/bulk/_engine.py": "talkkit.bulk._engine.*",
    "talkkit/bulk/_journal.py": "talkkit.bulk._journal.*",
    # errors.py: the credential masking only; _headers.py: the Retry-After parsing only.
    "talkkit/middleware/errors.py": (
        "talkkit.middleware.errors.x_decode_error_safely__mutmut_*",
        "talkkit.middleware.errors.x_credentials_of__mutmut_*",
        "talkkit.middleware.errors.x__redact_error__mutmut_*",
        "talkkit.middleware.errors.x__redact__mutmut_*",
    ),
    "talkkit/_headers.py": (
        "talkkit._headers.x_parse_retry_after__mutmut_*",
        "talkkit._headers.x__finite__mutmut_*",
    ),
}
"""The modules `nox -s mutants` mutates, and the mutant names (fnmatch) it runs in each."""
MUTATION_TESTS = [
    "tests/middleware/test_retry.py",
    "tests/middleware/test_errors.py",
    "tests/core/test_headers.py",
    "tests/bulk",
    "tests/reliability/test_resume.py",
    "tests/talkover/test_safety.py",
    "tests/security",
]
"""The tests that guard those modules: the mutation run uses these only."""


@nox.session(python=PYTHONS[:1])
def mutants(session: nox.Session) -> None:
    """
    Mutation testing (mutmut) of retry, the bulk engine and journal, error masking, Retry-After.

    About an hour on 2 cores for every mutant; name a part to run only that, e.g.
    ``nox -s mutants -- "talkkit.middleware.retry.*"``. docs/mutation-report.md has the figures.
    """
    import shutil

    session.install("-e", ".[test]", "mutmut==3.8.1")
    # mutmut copies what it mutates into ./mutants: work in a copy, never in the tree.
    work = Path(session.create_tmp()).resolve() / "mutation"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for part in ("src", "tests", "reliability", "pyproject.toml"):
        if Path(part).is_dir():
            shutil.copytree(part, work / part)
        else:
            shutil.copy(part, work / part)
    files = "\n    ".join(f"src/{path}" for path in MUTATED)
    tests = "\n    ".join(MUTATION_TESTS)
    (work / "setup.cfg").write_text(
        "[mutmut]\n"
        "source_paths = src\n"
        f"only_mutate =\n    {files}\n"
        f"pytest_add_cli_args_test_selection =\n    {tests}\n"
        "also_copy =\n    reliability\n"  # tests/reliability's conftest imports it
        "use_git_change_detection = false\n"
    )
    names = session.posargs or [
        name
        for patterns in MUTATED.values()
        for name in ((patterns,) if isinstance(patterns, str) else patterns)
    ]
    session.chdir(work)
    # One anyio backend: mutmut forks a worker per mutant, and trio's thread cache does not
    # survive a fork.
    env = {"TALKKIT_TEST_BACKENDS": "asyncio"}
    session.run("mutmut", "run", *names, env=env)
    session.run("mutmut", "results", "--all", "true", env=env)
