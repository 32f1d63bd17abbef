"""`talkkit webhooks listen`: receive webhooks on a local port and print the verified events."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import click

__all__ = ["webhooks"]

_F = TypeVar("_F", bound=Callable[..., Any])
_MULTIPLE = "Repeat, or separate several with spaces in the variable, to accept any of them."


def _keys(flag: str, envvar: str, what: str) -> Callable[[_F], _F]:
    """A secret or key option: repeatable, or several in its environment variable."""
    return click.option(flag, multiple=True, envvar=envvar, help=f"{what} {_MULTIPLE}")


@click.group()
def webhooks() -> None:
    """Receive webhooks from Talkturo and Talkover."""


@webhooks.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8790, show_default=True, type=click.IntRange(1, 65535))
@_keys(
    "--talkover-secret", "TALKOVER_WEBHOOK_SECRET", "The webhook_secret of your Talkover webhooks."
)
@_keys("--talkturo-public-key", "TALKTURO_WEBHOOK_PUBLIC_KEY", "Talkturo's Ed25519 key (base64).")
@_keys("--talkturo-billing-secret", "TALKTURO_WEBHOOK_SECRET", "The Talkturo billing secret.")
@click.option(
    "--tolerance",
    default=300.0,
    show_default=True,
    type=click.FloatRange(0.0),
    help="Seconds a signed timestamp may differ from now.",
)
@click.option("--json", "as_json", is_flag=True, help="Print each event's body as one JSON line.")
def listen(
    host: str,
    port: int,
    talkover_secret: tuple[str, ...],
    talkturo_public_key: tuple[str, ...],
    talkturo_billing_secret: tuple[str, ...],
    tolerance: float,
    as_json: bool,
) -> None:
    """
    Print verified webhook events as they arrive, until Ctrl-C.

    POST deliveries to any path. Each one is verified, de-duplicated by event id and printed
    once; refusals (bad signature, stale timestamp...) are logged to stderr with the reason.
    """
    try:
        import uvicorn

        from talkkit.errors import ConfigurationError
        from talkkit.webhooks import Event, app
    except ImportError as exc:
        raise click.ClickException(
            f"{exc}; listening needs the 'emulator' extra (uvicorn): "
            "pip install 'talkkit[emulator,webhooks]'"
        ) from exc

    if not (talkover_secret or talkturo_public_key or talkturo_billing_secret):
        raise click.UsageError(
            "give --talkover-secret, --talkturo-public-key or --talkturo-billing-secret "
            "(or their environment variables): nothing can be verified without one"
        )

    async def show(event: Event) -> None:
        click.echo(json.dumps(event.raw, separators=(",", ":")) if as_json else describe(event))

    try:
        receiver = app(
            show,
            talkover_secret=list(talkover_secret) or None,
            talkturo_public_key=list(talkturo_public_key) or None,
            talkturo_billing_secret=list(talkturo_billing_secret) or None,
            tolerance=tolerance,
            workers=1,  # one printer: lines stay in arrival order
        )
    except (ValueError, ConfigurationError) as exc:
        raise click.UsageError(str(exc)) from exc
    _log_refusals()
    click.echo(f"talkkit webhooks listening on http://{host}:{port} (Ctrl-C to stop)", err=True)
    config = uvicorn.Config(
        receiver,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="on",  # runs the receiver's worker
        timeout_graceful_shutdown=3,
    )
    # uvicorn re-raises the captured SIGINT after its graceful shutdown; we are done then.
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run()


def describe(event: Any) -> str:
    """One line for an event: its type, id and, for call events, the call and its status."""
    parts = [str(event.type), f"id={event.id}"]
    for label, name in (
        ("call", "call_id"),
        ("call", "call_control_id"),
        ("status", "call_status"),
        ("campaign", "campaign_id"),
    ):
        value = getattr(event, name, None)
        if value is not None:
            parts.append(f"{label}={value}")
    return "  ".join(parts)


def _log_refusals() -> None:
    """Show the receiver's refusal lines (warnings of the ``talkkit`` logger) on stderr."""
    logger = logging.getLogger("talkkit")
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.setLevel(logging.WARNING)
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.WARNING:
        logger.setLevel(logging.WARNING)
