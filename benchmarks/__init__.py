"""
talkkit's benchmark suite: ``python -m benchmarks`` (or ``nox -s bench``).

Each section compares talkkit with baselines measured in the same run, against a minimal
local HTTP server (`benchmarks.server`) in its own process: per-request overhead,
bulk-like throughput, peak memory, rate-limit use and import time. See ``--help``.
"""
