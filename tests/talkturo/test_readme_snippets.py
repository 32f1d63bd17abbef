"""The ```python blocks of the docs run, in order, against the in-process emulator."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

import talkkit._client
from talkkit import BaseClient
from talkkit.emulator import TALKORY_KEY, TALKOVER_TOKEN, TALKTURO_TOKEN, Emulator

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "talkturo.md"

_FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def python_blocks(path: Path) -> list[tuple[int, str]]:
    """Every fenced ```python block of a Markdown file, with the line where its code starts."""
    text = path.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start(1)) + 1, m.group(1)) for m in _FENCE.finditer(text)]


async def run_blocks(path: Path, namespace: dict[str, Any]) -> int:
    """
    Run a file's ```python blocks in one namespace, in order; top-level ``await`` is allowed.

    Clients the blocks leave open are closed afterwards. Returns how many blocks ran.
    """
    blocks = python_blocks(path)
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
    monkeypatch.setattr(talkkit._client, "default_transport", lambda limits: emu.transport())
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


async def test_talkturo_doc_snippets_run(
    emulated_env: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """The five Talkturo tasks run against the emulator and do what they say."""
    assert await run_blocks(DOC, {"__name__": "__snippets__"}) == 5
    state = emulated_env.talkturo
    (campaign,) = state.campaigns.values()
    assert campaign["status"] == "running"
    assert state.campaign_contacts[campaign["id"]]
    assert len(state.phone_numbers) == 1
    out = capsys.readouterr().out
    assert "billing: invoice.paid in_1" in out
    assert "+12025550143 normal_clearing" in out
