"""The emulator's and the CLI's public surface and module hygiene."""

from __future__ import annotations

import importlib
import pkgutil

import talkkit.cli
import talkkit.emulator


def _modules() -> list[str]:
    names = ["talkkit.emulator", "talkkit.cli"]
    for package in (talkkit.emulator, talkkit.cli):
        names += [
            m.name
            for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
            if not m.name.endswith(".__main__")  # an entry point runs on import
        ]
    return names


def test_every_module_declares_a_sorted_all() -> None:
    """Every emulator and CLI module declares __all__, sorted, naming things that exist."""
    for name in _modules():
        module = importlib.import_module(name)
        exported = module.__all__
        assert exported == sorted(exported, key=lambda n: (not n.isupper(), n)), name
        for attribute in exported:
            assert hasattr(module, attribute), f"{name}.{attribute}"


def test_public_names() -> None:
    """The documented public names are importable from talkkit.emulator."""
    expected = {
        "CallFate",
        "Emulator",
        "FaultRule",
        "RateLimitSpec",
        "TALKTURO_TOKEN",
        "TALKOVER_TOKEN",
        "TALKORY_KEY",
        "TALKTURO_ACCOUNT_SLUG",
        "TALKTURO_TEAM_ID",
        "serve",
    }
    assert expected <= set(talkkit.emulator.__all__)
    key = talkkit.emulator.TALKORY_KEY
    assert key.startswith("tk_live_")
    tail = key.removeprefix("tk_live_")
    assert len(tail) == 32
    assert tail.isalnum()
    assert tail == tail.lower()
