"""
talkkit's reliability suite: "never twice, never lost, never leaked", measured.

``python -m reliability --size full`` (or ``nox -s reliability``) runs, against an emulator
served on 127.0.0.1 with injected faults:

1. a chaos import of generated contacts through ``talkkit contacts import``;
2. chaos dialing through ``talkkit calls dial``;
3. an import SIGKILLed at seeded points and resumed from its journal each time;
4. the fuzz tests (``tests/fuzz``) with the ``fuzz`` Hypothesis profile;
5. the secret-leak, bad-input and transport tests (``tests/security``, ``tests/reliability``);

and writes a Markdown report of the figures. ``--size ci`` is the reduced size that
``tests/reliability`` runs in CI.
"""

from __future__ import annotations

from reliability._harness import Check, Scenario
from reliability._sizes import CHAOS, CI, FULL, SIZES, Size, chaos

__all__ = ["CHAOS", "CI", "FULL", "SIZES", "Check", "Scenario", "Size", "chaos"]
