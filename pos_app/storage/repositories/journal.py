"""The e-journal: a copy of every printout, numbered in print order per terminal.

Append-only on purpose. There is no update and no delete here, and ``JournalEntry`` is a frozen
copy, not a row, so nothing reached through this repository can change or remove an entry (the
migration adds database triggers that refuse both as well).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos_app.storage.models import EJournalRow


@dataclass(frozen=True, slots=True)
class JournalEntry:
    terminal_id: str
    seq: int  # 1, 2, 3 ... per terminal, in the order printed
    kind: str  # "invoice", "acknowledgement", "refund_slip", "x_reading", ...
    document_number: str  # "MAIN-01-000123", "AR-000045"
    reprint_number: int  # 0: the original
    printed_at: datetime
    person: str  # the cashier as printed
    text: str  # the document as printed, in plain text


class JournalRepository:
    """Runs on the caller's session; never commits. Appends and reads; nothing else."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def append(
        self,
        *,
        terminal_id: str,
        kind: str,
        document_number: str,
        reprint_number: int,
        printed_at: datetime,
        person: str,
        text: str,
    ) -> JournalEntry:
        """Add the next entry of ``terminal_id`` (its sequence taken in this transaction; two
        writers racing for one number fail on the unique constraint rather than share it)."""
        last = self._session.scalar(
            select(func.max(EJournalRow.seq)).where(EJournalRow.terminal_id == terminal_id)
        )
        row = EJournalRow(
            terminal_id=terminal_id,
            seq=(last or 0) + 1,
            kind=kind,
            document_number=document_number,
            reprint_number=reprint_number,
            printed_at=printed_at.astimezone(UTC),
            person=person,
            text=text,
        )
        self._session.add(row)
        self._session.flush()
        return _entry(row)

    def between(
        self, since: datetime, until: datetime, *, terminal_id: str | None = None
    ) -> list[JournalEntry]:
        """The entries printed in [since, until), per terminal in print order."""
        query = select(EJournalRow).where(
            EJournalRow.printed_at >= since.astimezone(UTC),
            EJournalRow.printed_at < until.astimezone(UTC),
        )
        if terminal_id is not None:
            query = query.where(EJournalRow.terminal_id == terminal_id)
        rows = self._session.scalars(query.order_by(EJournalRow.terminal_id, EJournalRow.seq))
        return [_entry(row) for row in rows]


def _entry(row: EJournalRow) -> JournalEntry:
    return JournalEntry(
        terminal_id=row.terminal_id,
        seq=row.seq,
        kind=row.kind,
        document_number=row.document_number,
        reprint_number=row.reprint_number,
        printed_at=row.printed_at,
        person=row.person,
        text=row.text,
    )
