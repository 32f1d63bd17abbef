"""Serve the emulator over real sockets with uvicorn."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from talkkit.emulator._constants import (
    TALKORY_KEY,
    TALKOVER_TOKEN,
    TALKTURO_ACCOUNT_SLUG,
    TALKTURO_TEAM_ID,
    TALKTURO_TOKEN,
)

if TYPE_CHECKING:
    from talkkit.emulator._emulator import Emulator

__all__ = ["banner", "environment", "serve"]


def environment(root: str) -> dict[str, str]:
    """
    The environment variables that point talkkit (the SDK and the CLI) at an emulator served
    at ``root`` (``http://127.0.0.1:8765``): each platform's base URL and credentials.
    """
    return {
        "TALKTURO_BASE_URL": f"{root}/api",
        "TALKTURO_TOKEN": TALKTURO_TOKEN,
        "TALKTURO_ACCOUNT_SLUG": TALKTURO_ACCOUNT_SLUG,
        "TALKTURO_TEAM_ID": TALKTURO_TEAM_ID,
        "TALKOVER_BASE_URL": f"{root}/api/v1",
        "TALKOVER_TOKEN": TALKOVER_TOKEN,
        "TALKORY_BASE_URL": root,
        "TALKORY_API_KEY": TALKORY_KEY,
    }


def banner(host: str, port: int, emulator: Emulator | None = None) -> str:
    """
    The base URLs and credentials to use, as shell lines users can paste.

    With an ``emulator`` that has a Talkturo call webhook URL, also where those webhooks go
    and the public key that verifies them (as ``TALKTURO_WEBHOOK_PUBLIC_KEY``, which
    ``talkkit webhooks listen`` reads).
    """
    root = f"http://{host}:{port}"
    pairs = [f"{name}={value}" for name, value in environment(root).items()]
    exports = [f"export {a} {b}" for a, b in zip(pairs[::2], pairs[1::2], strict=True)]
    hooks = []
    if emulator is not None and (url := emulator.talkturo_call_webhook_url) is not None:
        hooks = [
            f"Talkturo call webhooks go to {url}, signed with Ed25519; verify them with:",
            f"export TALKTURO_WEBHOOK_PUBLIC_KEY={emulator.talkturo_webhook_public_key}",
            "",
        ]
    return "\n".join(
        [
            f"talkkit emulator listening on {root}",
            f"  Talkturo  {root}/api",
            f"  Talkover  {root}/api/v1",
            f"  Talkory   {root}",
            "",
            *exports,
            "",
            *hooks,
            "Press Ctrl-C to stop.",
        ]
    )


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    emulator: Emulator | None = None,
    log_level: str = "warning",
) -> None:
    """
    Serve an emulator with uvicorn until Ctrl-C (SIGINT) or SIGTERM, then return.

    While it serves, calls move along and webhooks (those registered through the API, and
    Talkturo call webhooks when the emulator has a URL for them) are delivered in the
    background (`Emulator.deliver_webhooks`).

    Args:
        host: Interface to bind; keep the default loopback address unless you need more.
        port: TCP port to listen on.
        emulator: The emulator to serve; a fresh default `Emulator()` when omitted.
        log_level: uvicorn's log level.
    """
    try:
        import uvicorn
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise ImportError(
            "serving the emulator needs the 'emulator' extra: pip install 'talkkit[emulator]'"
        ) from exc

    from talkkit.emulator._emulator import Emulator

    config = uvicorn.Config(
        (emulator or Emulator()).app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        lifespan="on",  # runs the background webhook deliveries
        timeout_graceful_shutdown=3,
    )
    # uvicorn re-raises the captured SIGINT after its graceful shutdown; we are done then.
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run()
