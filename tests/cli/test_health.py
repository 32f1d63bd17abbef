"""`talkkit health`: each configured platform checked, the others said to be skipped."""

from __future__ import annotations

import json

from .conftest import ORY_KEY, Cli

ONLY_TALKOVER = {"TALKTURO_TOKEN": None, "TALKTURO_BASE_URL": None}


def test_one_platform_configured(cli: Cli) -> None:
    """Only Talkover configured: it is checked (GET /health), the two others are skipped."""
    result = cli.run("health", env=ONLY_TALKOVER)
    assert result.exit_code == 0, result.output
    lines = {line.split("│")[1].strip(): line for line in result.output.splitlines() if "│" in line}
    assert "ok" in lines["Talkover"]
    assert "GET /health" in lines["Talkover"]
    assert "not configured (TALKTURO_TOKEN is not set)" in lines["Talkturo"]
    assert "skipped" in lines["Talkory"]
    paths = [r.path for r in cli.emu.request_log]
    assert paths == ["/api/v1/health"]


def test_all_three_platforms(cli: Cli) -> None:
    """With all three configured, each is checked by its cheap authenticated read (--json)."""
    env = {"TALKORY_API_KEY": ORY_KEY, "TALKORY_BASE_URL": cli.served.url}
    result = cli.run("health", "--json", env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {name: r["status"] for name, r in report.items()} == {
        "talkturo": "ok",
        "talkover": "ok",
        "talkory": "ok",
    }
    assert report["talkturo"]["endpoint"] == "GET /api/crm/campaigns?limit=1"
    assert sorted(r.path for r in cli.emu.request_log) == [
        "/api/crm/campaigns",
        "/api/v1/health",
        "/v1/health/llm",
    ]


def test_a_failing_platform_exits_1(cli: Cli) -> None:
    """A refused token fails its platform's check (exit 1); the token is never printed."""
    result = cli.run("health", env={"TALKOVER_TOKEN": "talq_refused_secret_0042"})
    assert result.exit_code == 1
    assert "failed" in result.output
    assert "401" in result.output


def test_talkturo_needs_a_team(cli: Cli) -> None:
    """Talkturo's check lists one campaign of the team: without a team it fails, saying so."""
    result = cli.run("health", "--json", env={"TALKTURO_TEAM_ID": None})
    assert result.exit_code == 1
    assert "TALKTURO_TEAM_ID" in json.loads(result.stdout)["talkturo"]["detail"]


def test_nothing_configured_exits_2(cli: Cli) -> None:
    """No credentials at all: a usage error naming the variables to set."""
    result = cli.run("health", env={**ONLY_TALKOVER, "TALKOVER_TOKEN": None})
    assert result.exit_code == 2
    assert "No platform is configured" in result.stderr
