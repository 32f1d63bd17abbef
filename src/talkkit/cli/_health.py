"""
``talkkit health``: check each platform whose credentials are configured.

- Talkory: ``GET /v1/health/llm`` (`AsyncTalkory.health.llm`).
- Talkover: ``GET /health`` (`AsyncTalkover.health.check`), the documented token smoke test.
- Talkturo: ``GET /api/crm/campaigns?teamId=…&limit=1`` (listing one campaign): Talkturo has no
  health endpoint an API key may call, and this is the cheapest authenticated read.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import attrs
import click

from talkkit._config import RetryPolicy
from talkkit.cli._common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, console, safe
from talkkit.errors import TalkkitError

__all__ = ["health"]


@attrs.frozen
class _Platform:
    name: str
    token_env: str
    base_url_env: str
    endpoint: str


_TALKORY = _Platform("Talkory", "TALKORY_API_KEY", "TALKORY_BASE_URL", "GET /v1/health/llm")
_TALKOVER = _Platform("Talkover", "TALKOVER_TOKEN", "TALKOVER_BASE_URL", "GET /health")
_TALKTURO = _Platform(
    "Talkturo", "TALKTURO_TOKEN", "TALKTURO_BASE_URL", "GET /api/crm/campaigns?limit=1"
)


@attrs.frozen
class _Result:
    platform: _Platform
    status: str  # ok, degraded, failed, skipped
    detail: str
    millis: float | None = None


async def _talkory(options: dict[str, Any], team_id: str | None) -> str:
    from talkkit.talkory import AsyncTalkory

    async with AsyncTalkory(**options) as client:
        llm = await client.health.llm()
    providers = ", ".join(f"{name} {p.status}" for name, p in sorted(llm.providers.items()))
    return f"{llm.status}" + (f" ({providers})" if providers else "")


async def _talkover(options: dict[str, Any], team_id: str | None) -> str:
    from talkkit.talkover import AsyncTalkover

    async with AsyncTalkover(**options) as client:
        result = await client.health.check()
    return f"token accepted (status {result.status or 'not given'})"


async def _talkturo(options: dict[str, Any], team_id: str | None) -> str:
    from talkkit.talkturo import AsyncTalkturo

    if not team_id:
        raise _Unusable("set TALKTURO_TEAM_ID (or --team-id): the check lists one of its campaigns")
    async with AsyncTalkturo(team_id=team_id, **options) as client:
        page = await client.campaigns.list(limit=1, max_items=1).first_page()
    return f"token accepted (team {team_id}: {len(page.items)} campaign listed)"


class _Unusable(Exception):
    """The platform is configured but cannot be checked as it is."""


_CHECKS: tuple[tuple[_Platform, Callable[[dict[str, Any], str | None], Awaitable[str]]], ...] = (
    (_TALKTURO, _talkturo),
    (_TALKOVER, _talkover),
    (_TALKORY, _talkory),
)


async def _check(
    platform: _Platform,
    probe: Callable[[dict[str, Any], str | None], Awaitable[str]],
    timeout: float,
    team_id: str | None,
) -> _Result:
    options: dict[str, Any] = {
        "timeout": timeout,
        "retry": RetryPolicy(max_retries=1, deadline=timeout),
    }
    started = time.perf_counter()
    try:
        with anyio.fail_after(timeout * 2):
            detail = await probe(options, team_id)
    except TimeoutError:
        return _Result(platform, "failed", f"no answer within {timeout * 2:g}s")
    except (TalkkitError, _Unusable) as exc:
        return _Result(platform, "failed", str(exc))
    millis = (time.perf_counter() - started) * 1000
    status = "degraded" if detail.startswith("degraded") else "ok"
    return _Result(platform, status, detail, millis)


async def _check_all(timeout: float, team_id: str | None) -> list[_Result]:
    import talkkit.talkory
    import talkkit.talkover
    import talkkit.talkturo  # noqa: F401  (imported before the clocks start)

    results: dict[str, _Result] = {}

    async def one(platform: _Platform, probe: Any) -> None:
        results[platform.name] = await _check(platform, probe, timeout, team_id)

    async with anyio.create_task_group() as tg:
        for platform, probe in _CHECKS:
            if (os.environ.get(platform.token_env) or "").strip():
                tg.start_soon(one, platform, probe)
            else:
                results[platform.name] = _Result(
                    platform, "skipped", f"not configured ({platform.token_env} is not set)"
                )
    return [results[p.name] for p, _ in _CHECKS]


_STYLE = {"ok": "green", "degraded": "yellow", "failed": "bold red", "skipped": "dim"}


@click.command()
@click.option("--team-id", envvar="TALKTURO_TEAM_ID", help="Talkturo team for its check.")
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(0.1, 120))
@click.option("--json", "as_json", is_flag=True, help="Print the results as one JSON object.")
def health(team_id: str | None, timeout: float, as_json: bool) -> None:
    """
    Check every platform whose credentials are configured.

    Talkturo: TALKTURO_TOKEN, TALKTURO_BASE_URL and TALKTURO_TEAM_ID (lists one campaign).
    Talkover: TALKOVER_TOKEN (GET /health). Talkory: TALKORY_API_KEY (GET /v1/health/llm).
    Exit status 1 when a configured platform fails, 2 when none is configured.
    """
    results = anyio.run(_check_all, timeout, team_id)
    checked = [r for r in results if r.status != "skipped"]
    failed = [r for r in checked if r.status == "failed"]
    if as_json:
        click.echo(
            safe(
                json.dumps(
                    {
                        r.platform.name.lower(): {
                            "status": r.status,
                            "endpoint": r.platform.endpoint,
                            "detail": r.detail,
                            "latency_ms": None if r.millis is None else round(r.millis, 1),
                        }
                        for r in results
                    }
                )
            )
        )
    else:
        _print_table(results)
    if not checked:
        click.echo(
            "No platform is configured: set TALKTURO_TOKEN, TALKOVER_TOKEN or TALKORY_API_KEY.",
            err=True,
        )
        raise SystemExit(EXIT_USAGE)
    raise SystemExit(EXIT_FAILED if failed else EXIT_OK)


def _print_table(results: list[_Result]) -> None:
    from rich.table import Table

    table = Table(title="talkkit health", title_justify="left", title_style="bold")
    for name in ("platform", "status", "check", "latency", "detail"):
        table.add_column(name, justify="right" if name == "latency" else "left")
    for r in results:
        table.add_row(
            r.platform.name,
            f"[{_STYLE[r.status]}]{r.status}[/]",
            r.platform.endpoint,
            "" if r.millis is None else f"{r.millis:,.0f} ms",
            safe(r.detail).replace("[", r"\["),
        )
    console().print(table)
