"""The ``talkkit`` logger: one line per attempt, enabled by ``TALKKIT_LOG=info|debug``."""

from __future__ import annotations

import logging
import os

import httpx

from talkkit._constants import LOG_ENV, LOGGER_NAME
from talkkit._request import CallContext

__all__ = ["configure_from_env", "log_attempt", "logger"]

logger = logging.getLogger(LOGGER_NAME)
logger.addHandler(logging.NullHandler())  # a library never prints unless asked to
_configured = False


def configure_from_env() -> None:
    """Apply ``TALKKIT_LOG`` once: set the level and, if nothing handles it, log to stderr."""
    global _configured
    if _configured:
        return
    _configured = True
    level = os.environ.get(LOG_ENV, "").strip().upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        return
    logger.setLevel(level)
    if not logging.getLogger().handlers and all(
        isinstance(h, logging.NullHandler) for h in logger.handlers
    ):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logger.addHandler(handler)


def log_attempt(
    request: httpx.Request,
    ctx: CallContext,
    status: int | None,
    elapsed: float,
    error: BaseException | None = None,
) -> None:
    """
    Log one attempt: method, path, status, attempt, elapsed ms, request id.

    Never logs headers or bodies, so the Authorization header cannot leak. Costs one level
    check when logging is off.
    """
    level = (
        logging.INFO if error is None and status is not None and status < 400 else logging.WARNING
    )
    if not logger.isEnabledFor(level):
        return
    outcome = str(status) if status is not None else f"failed ({type(error).__name__})"
    logger.log(
        level,
        "%s %s %s attempt=%d elapsed_ms=%.1f request_id=%s platform=%s",
        request.method,
        request.url.path,
        outcome,
        ctx.attempt,
        elapsed * 1000.0,
        ctx.request_id,
        ctx.platform,
    )
