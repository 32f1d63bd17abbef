"""
Helpers for testing code that uses talkkit.

- `no_backoff`: make every retry wait zero seconds (Retry-After included) while active.
- `capture_logs`: collect the ``talkkit`` logger's records.
- The pytest plugin (`talkkit.pytest_plugin`, loaded automatically) builds on these.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from talkkit._constants import LOGGER_NAME
from talkkit.middleware import retry as _retry

__all__ = ["capture_logs", "no_backoff"]


@contextmanager
def no_backoff() -> Iterator[None]:
    """Within this block, retries happen immediately (no backoff, no Retry-After sleeps)."""
    previous = _retry._zero_waits
    _retry.set_testing(no_waits=True)
    try:
        yield
    finally:
        _retry.set_testing(no_waits=previous)


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def capture_logs(level: int = logging.DEBUG) -> Iterator[list[logging.LogRecord]]:
    """Collect the records the ``talkkit`` logger emits at ``level`` or above."""
    logger = logging.getLogger(LOGGER_NAME)
    handler = _ListHandler()
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(level)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
