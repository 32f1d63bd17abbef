"""The `talkkit emulator serve` command and the guarded optional extras."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from click.testing import CliRunner

import talkkit
import talkkit.emulator
from talkkit.cli import build_cli, main
from talkkit.emulator import TALKOVER_TOKEN, TALKTURO_TOKEN, Emulator, FaultRule


def _run(monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[Any, dict[str, Any]]:
    served: dict[str, Any] = {}

    def fake_serve(**kwargs: Any) -> None:
        served.update(kwargs)

    monkeypatch.setattr(talkkit.emulator, "serve", fake_serve)
    result = CliRunner().invoke(build_cli(), ["emulator", "serve", *args])
    return result, served


def test_serve_prints_urls_and_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command prints the three base URLs and paste-able exports, then serves."""
    result, served = _run(monkeypatch, "--port", "9123", "--seed", "5")
    assert result.exit_code == 0, result.output
    assert "export TALKTURO_BASE_URL=http://127.0.0.1:9123/api " in result.output
    assert f"TALKTURO_TOKEN={TALKTURO_TOKEN}" in result.output
    assert (
        f"export TALKOVER_BASE_URL=http://127.0.0.1:9123/api/v1 TALKOVER_TOKEN={TALKOVER_TOKEN}"
        in (result.output)
    )
    assert "export TALKORY_BASE_URL=http://127.0.0.1:9123 " in result.output
    assert (served["host"], served["port"]) == ("127.0.0.1", 9123)
    emu = served["emulator"]
    assert isinstance(emu, Emulator)
    assert emu.seed == 5
    assert emu.faults.rules == ()


def test_fault_options_become_one_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault options build one FaultRule on the given route; rate limits can be disabled."""
    result, served = _run(
        monkeypatch,
        "--fault-route",
        "POST /v1/*",
        "--error-rate",
        "0.25",
        "--latency",
        "0.1",
        "--no-rate-limits",
    )
    assert result.exit_code == 0, result.output
    emu = served["emulator"]
    assert emu.faults.rules == (FaultRule("POST /v1/*", latency=0.1, error_rate=0.25),)
    assert emu.rate_limiter.specs == {"talkturo": None, "talkover": None, "talkory": None}
    bad, _ = _run(monkeypatch, "--error-rate", "0.8", "--drop-rate", "0.8")
    assert bad.exit_code == 2
    assert "more than 1" in bad.output


def test_allow_duplicates_turns_refusal_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """--allow-duplicates (or its environment variable) serves an emulator that stores duplicates."""
    result, served = _run(monkeypatch)
    assert result.exit_code == 0, result.output
    assert served["emulator"].refuse_duplicates is True
    result, served = _run(monkeypatch, "--allow-duplicates")
    assert result.exit_code == 0, result.output
    assert served["emulator"].refuse_duplicates is False
    monkeypatch.setenv("TALKKIT_EMULATOR_ALLOW_DUPLICATES", "1")
    result, served = _run(monkeypatch)
    assert served["emulator"].refuse_duplicates is False


def test_python_m_emulator_takes_allow_duplicates(monkeypatch: pytest.MonkeyPatch) -> None:
    """`python -m talkkit.emulator --allow-duplicates` and its environment variable both work."""
    from talkkit.emulator import __main__ as entry

    served: list[Emulator] = []
    monkeypatch.setattr(entry, "serve", lambda **kwargs: served.append(kwargs["emulator"]))
    monkeypatch.delenv(entry.ALLOW_DUPLICATES_ENV, raising=False)
    entry.main([])
    entry.main(["--allow-duplicates"])
    monkeypatch.setenv(entry.ALLOW_DUPLICATES_ENV, "true")
    entry.main([])
    assert [emu.refuse_duplicates for emu in served] == [True, False, False]


def test_missing_cli_extra_names_the_install_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without click, `talkkit` explains which extra to install and exits 1."""
    monkeypatch.setitem(sys.modules, "click", None)
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 1
    assert "pip install 'talkkit[cli]'" in capsys.readouterr().err


def test_missing_emulator_extra_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without starlette, `talkkit emulator serve` fails with the emulator extra's command."""
    monkeypatch.setitem(sys.modules, "starlette", None)
    for name in [n for n in sys.modules if n.startswith("talkkit.emulator")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.delattr(talkkit, "emulator")
    result = CliRunner().invoke(build_cli(), ["emulator", "serve"])
    assert result.exit_code == 1
    assert "pip install 'talkkit[emulator]'" in result.output


def test_python_m_emulator_takes_a_call_time_scale(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--call-time-scale X` or its environment variable sets how fast calls move; bad is 2."""
    from talkkit.emulator import __main__ as entry

    served: list[Emulator] = []
    monkeypatch.setattr(entry, "serve", lambda **kwargs: served.append(kwargs["emulator"]))
    monkeypatch.delenv(entry.CALL_TIME_SCALE_ENV, raising=False)
    entry.main([])
    entry.main(["--call-time-scale", "0.01"])
    monkeypatch.setenv(entry.CALL_TIME_SCALE_ENV, "0")
    entry.main([])
    assert [emu.call_time_scale for emu in served] == [1.0, 0.01, 0.0]
    with pytest.raises(SystemExit) as exit_info:
        entry.main(["--call-time-scale", "-1"])
    assert exit_info.value.code == 2
    assert "call_time_scale must be 0 or more" in capsys.readouterr().err


def test_talkturo_webhook_url_prints_the_public_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """--talkturo-webhook-url configures the emulator and prints the key that verifies it."""
    plain, _ = _run(monkeypatch)
    assert "TALKTURO_WEBHOOK_PUBLIC_KEY" not in plain.output
    url = "http://127.0.0.1:8790/talkturo"
    result, served = _run(monkeypatch, "--talkturo-webhook-url", url)
    assert result.exit_code == 0, result.output
    emu = served["emulator"]
    assert emu.talkturo_call_webhook_url == url
    assert f"Talkturo call webhooks go to {url}" in result.output
    assert f"export TALKTURO_WEBHOOK_PUBLIC_KEY={emu.talkturo_webhook_public_key}\n" in (
        result.output
    )
    bad, _ = _run(monkeypatch, "--talkturo-webhook-url", "hooks.example")
    assert bad.exit_code == 2
    assert "http(s) URL" in bad.output
