"""README.md's code runs: every ```python block against the emulator, the plugin example in pytest."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

import talkkit._client
from talkkit import BaseClient
from talkkit.emulator import TALKORY_KEY, TALKOVER_TOKEN, TALKTURO_TOKEN, Emulator

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PYTEST_EXAMPLE = "# test_"  # a block that is a user's test file, run by pytest itself

_FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def python_blocks(path: Path) -> list[tuple[int, str]]:
    """Every fenced ```python block of a Markdown file, with the line where its code starts."""
    text = path.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start(1)) + 1, m.group(1)) for m in _FENCE.finditer(text)]


async def run_blocks(blocks: list[tuple[int, str]], path: Path, namespace: dict[str, Any]) -> int:
    """
    Run ```python blocks in one namespace, in order; top-level ``await`` is allowed.

    Clients the blocks leave open are closed afterwards. Returns how many blocks ran.
    """
    try:
        for line, source in blocks:
            padded = "\n" * (line - 1) + source  # tracebacks point at the Markdown line
            code = compile(padded, str(path), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
            result = eval(code, namespace)
            if result is not None:
                await result
    finally:
        for value in namespace.values():
            if isinstance(value, BaseClient):
                await value.aclose()
    return len(blocks)


@pytest.fixture
def emulated_env(monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """Point every client built from env vars (all three platforms) at one emulator."""
    emu = Emulator()
    monkeypatch.setattr(talkkit._client, "default_transport", lambda limits, **_: emu.transport())
    for name, value in {
        "TALKTURO_TOKEN": TALKTURO_TOKEN,
        "TALKTURO_BASE_URL": "http://localhost/api",
        "TALKOVER_TOKEN": TALKOVER_TOKEN,
        "TALKOVER_BASE_URL": "http://localhost/api/v1",
        "TALKORY_API_KEY": TALKORY_KEY,
        "TALKORY_BASE_URL": "http://localhost",
    }.items():
        monkeypatch.setenv(name, value)
    return emu


def test_blocks_are_found(tmp_path: Path) -> None:
    """Only ```python fences are extracted, with the line their code starts on."""
    doc = tmp_path / "doc.md"
    doc.write_text("# t\n\n```python\nx = 1\n```\n\n```bash\nls\n```\n```python\ny = 2\n```\n")
    assert python_blocks(doc) == [(4, "x = 1\n"), (11, "y = 2\n")]


@pytest.mark.anyio
async def test_readme_snippets_run(
    emulated_env: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's snippets run in order against the emulator and do what they say."""
    blocks = [
        (line, code) for line, code in python_blocks(README) if not code.startswith(PYTEST_EXAMPLE)
    ]
    assert await run_blocks(blocks, README, {"__name__": "__readme__"}) >= 10
    out = capsys.readouterr().out
    state = emulated_env.talkturo
    (campaign,) = state.campaigns.values()
    assert campaign["status"] == "running"
    assert state.campaign_contacts[campaign["id"]]
    assert len(state.phone_numbers) == 1
    assert "billing: invoice.paid in_1" in out
    assert "+12025550143 normal_clearing" in out
    assert "404 not_found True" in out
    assert "phone - must be in E.164 form" in out
    assert "row 3: first_name" in out
    assert len(emulated_env.placed_calls) == 2


@pytest.mark.parametrize(
    ("name", "tests"), [("test_signup", 1), ("test_with_respx", 2)], ids=["plugin", "respx"]
)
def test_pytest_examples_pass_as_a_users_tests(
    pytester: pytest.Pytester, name: str, tests: int
) -> None:
    """The README's pytest examples, copied into a project, pass as written."""
    (example,) = [
        code
        for _, code in python_blocks(README)
        if code.startswith(f"{PYTEST_EXAMPLE}{name[5:]}.py")
    ]
    pytester.makepyfile(**{name: example})
    result = pytester.runpytest_inprocess("-p", "no:asyncio", "-W", "error")
    result.assert_outcomes(passed=tests)
