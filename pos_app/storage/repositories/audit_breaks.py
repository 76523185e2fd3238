"""Where the audit chain first breaks, and what kind of tampering that looks like.

This module finds the first place the stored log differs from an untouched chain and names
it in the terms an owner thinks in: an entry was edited, entries are missing, an entry
was inserted, or entries are out of order. The evidence is the chain itself: each genuine
entry's hash fixes its own number and the hash of the entry it followed, so a genuine entry
found under another number was moved, one whose predecessor is gone follows deleted entries,
and one that matches no number at all was written or changed by hand.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.storage.models import AuditHeadRow, AuditRow
from pos_app.storage.repositories.audit import (
    GENESIS_HASH,
    AuditEntry,
    entry_from_row,
    row_hash,
)

__all__ = ["BreakKind", "ChainBreak", "first_break"]

_HEAD_ID = 1


class BreakKind(enum.StrEnum):
    """What the first break in the chain looks like. Closed set."""

    EDITED = "edited"  # an entry's content was changed after it was written
    MISSING = "missing"  # one or more entries were deleted
    INSERTED = "inserted"  # an entry was added that the app did not write in its place
    OUT_OF_ORDER = "out_of_order"  # genuine entries were moved to other places (renumbered)


@dataclass(frozen=True, slots=True)
class ChainBreak:
    kind: BreakKind
    entry: AuditEntry | None  # the entry where it shows; None only for an emptied log
    missing_from: int = 0  # MISSING: the first entry number that is gone
    missing_to: int = 0  # MISSING: the last entry number that is gone
    genuine_seq: int = 0  # OUT_OF_ORDER: the number this entry was written with
    missing_after: bool = False  # MISSING: the gone entries come after ``entry`` (cut off)


def first_break(session: Session) -> ChainBreak | None:
    """The first place the stored log differs from an untouched chain; None when intact."""
    rows = list(session.scalars(select(AuditRow).order_by(AuditRow.seq)))
    head = session.get(AuditHeadRow, _HEAD_ID)
    head_seq, head_hash = (0, GENESIS_HASH) if head is None else (head.last_seq, head.last_hash)
    return _Classifier(rows, head_seq).first_break(head_hash)


class _Classifier:
    def __init__(self, rows: Sequence[AuditRow], head_seq: int) -> None:
        self._rows = rows
        self._head_seq = head_seq  # the last entry the app wrote, by the head row
        self._index_of_hash = {row.hash: index for index, row in enumerate(rows)}
        self._limit = max((row.seq for row in rows), default=0) + len(rows) + 1

    def first_break(self, head_hash: str) -> ChainBreak | None:
        head_seq = self._head_seq
        expected_seq, expected_prev = 1, GENESIS_HASH
        for index, row in enumerate(self._rows):
            intact = row.seq == expected_seq and row.prev_hash == expected_prev
            if not (intact and row_hash(row) == row.hash):
                return self._classify(index, expected_seq, expected_prev)
            expected_seq, expected_prev = row.seq + 1, row.hash
        last_seq = expected_seq - 1
        if (head_seq, head_hash) == (last_seq, expected_prev):
            return None
        last = entry_from_row(self._rows[-1]) if self._rows else None
        if head_seq > last_seq:  # the newest entries were cut off the end
            return ChainBreak(BreakKind.MISSING, last, last_seq + 1, head_seq, missing_after=True)
        if head_seq < last_seq:  # entries added after the last one the app wrote
            return ChainBreak(BreakKind.INSERTED, entry_from_row(self._rows[head_seq]))
        return ChainBreak(BreakKind.EDITED, last)

    def _classify(self, index: int, expected_seq: int, expected_prev: str) -> ChainBreak:
        row = self._rows[index]
        entry = entry_from_row(row)
        genuine = self._genuine_seq(row)
        if genuine is None:
            following = self._rows[index + 1] if index + 1 < len(self._rows) else None
            skipped = following is not None and following.prev_hash == expected_prev
            if skipped or row.seq > self._head_seq:  # the next entry or the head skips it
                return ChainBreak(BreakKind.INSERTED, entry)
            return ChainBreak(BreakKind.EDITED, entry)
        predecessor = self._index_of_hash.get(row.prev_hash)
        if predecessor is not None and predecessor > index:
            return ChainBreak(BreakKind.OUT_OF_ORDER, entry, genuine_seq=genuine)
        if predecessor is not None and predecessor < index - 1:
            return ChainBreak(BreakKind.INSERTED, entry_from_row(self._rows[predecessor + 1]))
        if predecessor is None and row.prev_hash != expected_prev:
            before = self._rows[index - 1] if index else None
            gone_from = 1 if before is None else (self._genuine_seq(before) or before.seq) + 1
            if genuine > gone_from:
                return ChainBreak(BreakKind.MISSING, entry, gone_from, genuine - 1)
            if before is not None:  # the entry before was changed and its hash made to fit
                return ChainBreak(BreakKind.EDITED, entry_from_row(before))
        if genuine != row.seq:
            return ChainBreak(BreakKind.OUT_OF_ORDER, entry, genuine_seq=genuine)
        return ChainBreak(BreakKind.EDITED, entry)

    def _genuine_seq(self, row: AuditRow) -> int | None:
        """The number this row's content was written with (its hash fits), or None."""
        if row_hash(row) == row.hash:
            return row.seq
        for seq in range(1, self._limit + 1):
            if seq != row.seq and row_hash(row, seq) == row.hash:
                return seq
        return None
