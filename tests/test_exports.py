"""The public surface: complete sorted __all__, __module__ rewrite, version."""

from __future__ import annotations

import importlib
import pkgutil
from importlib.metadata import version

import talkkit

PUBLIC_MODULES = [
    "talkkit.errors",
    "talkkit.middleware",
    "talkkit.pagination",
    "talkkit.testing",
    "talkkit.typing",
    "talkkit.talkory",
    "talkkit.talkover",
    "talkkit.talkturo",
    "talkkit.redis",
    "talkkit.bulk",
]


def test_all_is_sorted_and_complete() -> None:
    """talkkit.__all__ is sorted (constants first, as ruff sorts it) and every name exists."""
    assert talkkit.__all__ == sorted(talkkit.__all__, key=lambda n: (not n.isupper(), n))
    for name in talkkit.__all__:
        assert hasattr(talkkit, name), name


def test_errors_are_all_reexported() -> None:
    """Every exception class in talkkit.errors is importable from talkkit."""
    from talkkit import errors

    for name in errors.__all__:
        obj = getattr(errors, name)
        if isinstance(obj, type):
            assert getattr(talkkit, name) is obj


def test_public_classes_show_as_talkkit() -> None:
    """Re-exported classes present themselves as talkkit.X."""
    assert talkkit.AsyncTalkory.__module__ == "talkkit"
    assert talkkit.OutcomeUnknownError.__module__ == "talkkit"


def test_every_module_declares_all() -> None:
    """Every module of the package (public or private) declares __all__."""
    missing = []
    for info in pkgutil.walk_packages(talkkit.__path__, "talkkit."):
        if info.name.startswith(("talkkit.emulator", "talkkit.cli")):
            continue  # optional extras, checked by their own tests
        module = importlib.import_module(info.name)
        if not hasattr(module, "__all__"):
            missing.append(info.name)
    assert missing == []


def test_public_modules_import() -> None:
    """The documented public modules import and list their names."""
    for name in PUBLIC_MODULES:
        module = importlib.import_module(name)
        assert module.__all__


def test_version_matches_metadata() -> None:
    """__version__ comes from the installed package metadata."""
    assert talkkit.__version__ == version("talkkit")
