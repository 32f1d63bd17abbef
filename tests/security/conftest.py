"""
A leak detector around every test of this folder.

The autouse `leaks` fixture records every log record (all loggers, DEBUG and up), everything the
test printed (file descriptors 1 and 2, subprocesses included) and whatever the test hands it
(exception texts and tracebacks, ``repr`` of clients and models, journal files, CLI output);
after the test it fails if any configured credential appears anywhere, naming where.
"""

from __future__ import annotations

import logging
import sqlite3
import traceback
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from talkkit.cli import _common
from talkkit.testing import capture_logs

TURO_TOKEN = "tk_test_sec_9f8e7d6c5b4a39281706"
OVER_TOKEN = "talq_sec_a1b2c3d4e5f6a7b8c9d0"
ORY_KEY = "tk_live_sec_k3y_55aa66bb77cc88dd99ee"
EXPIRED_TOKEN = "talq_sec_expired_4d3c2b1a0f9e"
WRONG_TOKENS = ("tk_test_sec_wrong_31415926535897", "talq_sec_wrong_27182818284590")
WEBHOOK_SECRET = "whsec_sec_16180339887498"
SECRETS = (TURO_TOKEN, OVER_TOKEN, ORY_KEY, EXPIRED_TOKEN, *WRONG_TOKENS, WEBHOOK_SECRET)
"""Every credential a test of this folder configures, right or wrong: none may be shown."""


@attrs.define
class LeakDetector:
    """What a test exposed; `assert_clean` fails if a secret is in any of it."""

    secrets: tuple[str, ...] = SECRETS
    seen: list[tuple[str, str]] = attrs.Factory(list)

    def see(self, where: str, value: object) -> None:
        """Record ``str`` and ``repr`` of a value (and, for an exception, everything about it)."""
        if isinstance(value, BaseException):
            self.see_exception(where, value)
            return
        self.seen.append((where, str(value)))
        self.seen.append((where + " (repr)", repr(value)))

    def see_exception(self, where: str, exc: BaseException) -> None:
        """Its text, repr, attributes, and the formatted traceback with its whole chain."""
        self.seen.append((where, str(exc)))
        self.seen.append((where + " (repr)", repr(exc)))
        self.seen.append((where + " (attributes)", repr(vars(exc))))
        self.seen.append((where + " (traceback)", "".join(traceback.format_exception(exc))))

    def see_file(self, where: str, path: Path) -> None:
        """A file's raw bytes; for a SQLite database also its SQL dump (and its -wal file)."""
        for part in (path, path.with_name(path.name + "-wal")):
            if part.exists():
                self.seen.append(
                    (f"{where}: {part.name} (bytes)", part.read_bytes().decode("latin-1"))
                )
        if path.exists() and path.read_bytes()[:16] == b"SQLite format 3\x00":
            with sqlite3.connect(path) as db:
                self.seen.append((f"{where} (SQL dump)", "\n".join(db.iterdump())))
            db.close()

    def leaks(self) -> list[str]:
        """``where: secret`` for every place a secret (or its random tail) appears."""
        found = []
        for where, text in self.seen:
            for secret in self.secrets:
                if secret in text or secret[-12:] in text:  # whole, or its random tail
                    found.append(f"{where}: {secret[:8]}… in {text[:300]!r}")
        return found

    def assert_clean(self) -> None:
        """Fail listing every leak."""
        found = self.leaks()
        assert not found, "credentials leaked:\n" + "\n".join(found)


@pytest.fixture(autouse=True)
def leaks(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[LeakDetector]:
    """Watch everything a test exposes; fail it if a credential shows up."""
    # The CLI masks credentials from the environment as a second line of defence; switched
    # off here, so that a leak in the first line (the SDK itself) shows.
    monkeypatch.setattr(_common, "_SECRET_ENVS", ())
    talkkit_logger = logging.getLogger("talkkit")
    talkkit_previous = talkkit_logger.level
    talkkit_logger.setLevel(logging.DEBUG)
    detector = LeakDetector()
    try:
        with capture_logs(logging.DEBUG, logger_name="") as records:  # every library's
            yield detector
    finally:
        talkkit_logger.setLevel(talkkit_previous)
    for record in records:
        where = f"log {record.name}:{record.levelname}"
        detector.seen.append((where, record.getMessage()))
        detector.seen.append((where + " (args)", repr(record.args)))
        if record.exc_info and record.exc_info[1] is not None:
            detector.see_exception(where + " exc_info", record.exc_info[1])
    out, err = capfd.readouterr()
    detector.seen += [("stdout", out), ("stderr", err)]
    assert records or detector.seen, "the detector saw nothing"
    detector.assert_clean()
