"""
talkkit's reliability suite: "never twice, never lost, never leaked", measured.

``python -m reliability --size full`` (or ``nox -s reliability``) runs, against an emulator
served on 127.0.0.1 with injected faults:

1. a chaos import of generated contacts through ``talkkit contacts import``, and one of
   companies through ``talkkit companies import`` (then ``--retry-failed`` creating the ones
   not placed);
2. chaos dialing through ``talkkit calls dial``, then ``--redial-not-placed`` runs (and
   ``talkkit calls reconcile``) until every valid number was called exactly once;
3. the preflight refusing a missing company or agent and a wrong token (exit 2, nothing sent);
   a wrong token with ``--no-preflight`` and a storm of server failures stopping a job, its
   rows ``not_sent``, and the resumed run sending them;
4. dialing that waits for every call to end (``--wait``, and the library's ``wait=True``),
   its statuses and talk time checked against the emulator's;
5. a contact import, dialing (through ``talkkit calls dial`` and through the library's
   ``calls.dial_many``) and a company import, each SIGKILLed at seeded points and resumed from
   its journal each time;
6. the fuzz tests (``tests/fuzz``) with the ``fuzz`` Hypothesis profile;
7. the secret-leak, bad-input and transport tests (``tests/security``, ``tests/reliability``);

and writes a Markdown report of the figures. Truth is counted on the emulator, row by row: every
create that reaches it is logged with the email, company name or number it was for, and the
company and kill scenarios run it with duplicate refusal off, so whatever the client sends twice
is stored twice. Each row's outcome (done, skipped, failed, unknown, not_sent, not_placed) is
read from the run's ``--results`` file and its journal, and must match that log. ``--size ci``
is the reduced size that ``tests/reliability`` runs in CI.
"""

from __future__ import annotations

from reliability._harness import Check, Scenario
from reliability._sizes import CHAOS, CI, FULL, SIZES, Size, chaos

__all__ = ["CHAOS", "CI", "FULL", "SIZES", "Check", "Scenario", "Size", "chaos"]
