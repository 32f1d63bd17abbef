"""
The rows already seen in a job's input, by key, in about 12 bytes a slot.

A job skips a row that repeats an earlier row's key and names that row, so it must remember,
for every key of the input, where it first appeared. A ``dict`` of key strings would hold about
150 bytes a row (a million-row import: 150 MB); this table keeps a 64-bit fingerprint of each
key and the row in two flat arrays (open addressing, linear probing), 12 bytes a slot at most
two-thirds full.

Two different keys share a fingerprint with a probability of about n²/2⁶⁵ (1 in 37 million
for a million rows); the later row is then skipped as a repeat — never sent twice, the safe
side of the mistake.
"""

from __future__ import annotations

import hashlib
from array import array

__all__ = ["FirstRows"]

_ROW_LIMIT = 2**32  # rows up to here fit the compact array; beyond, it widens once


def _fingerprint(key: str) -> int:
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little") or 1  # 0 marks an empty slot


class FirstRows:
    """Where each key first appeared in the input (0-based positions)."""

    __slots__ = ("_count", "_fingerprints", "_mask", "_rows")

    def __init__(self, capacity: int = 1024) -> None:
        size = 1
        while size < capacity:
            size *= 2
        self._fingerprints = array("Q", bytes(8 * size))
        self._rows = array("I", bytes(4 * size))
        self._mask = size - 1
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def first(self, key: str, index: int) -> int | None:
        """
        The position of an earlier item with ``key``, or ``None`` when this is the first one
        (it is then remembered at ``index``).
        """
        fingerprint = _fingerprint(key)
        fingerprints = self._fingerprints
        mask = self._mask
        slot = fingerprint & mask
        while True:
            found = fingerprints[slot]
            if found == 0:
                break
            if found == fingerprint:
                return self._rows[slot]
            slot = (slot + 1) & mask
        if index >= _ROW_LIMIT and self._rows.typecode == "I":
            self._rows = array("Q", self._rows)
        fingerprints[slot] = fingerprint
        self._rows[slot] = index
        self._count += 1
        if 3 * self._count >= 2 * len(fingerprints):
            self._grow()
        return None

    def _grow(self) -> None:
        old_fingerprints, old_rows = self._fingerprints, self._rows
        size = 2 * len(old_fingerprints)
        fingerprints = array("Q", bytes(8 * size))
        rows = array(old_rows.typecode, bytes(old_rows.itemsize * size))
        mask = size - 1
        for fingerprint, row in zip(old_fingerprints, old_rows, strict=True):
            if fingerprint == 0:
                continue
            slot = fingerprint & mask
            while fingerprints[slot] != 0:
                slot = (slot + 1) & mask
            fingerprints[slot] = fingerprint
            rows[slot] = row
        self._fingerprints, self._rows, self._mask = fingerprints, rows, mask
