"""Invoices and their per-terminal series: gap-free, duplicate-free, whatever crashes.

The next number is taken in the same transaction that settles the bill and stores the
invoice. The series row is locked first (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite
the transaction already began IMMEDIATE, holding the database's write lock), so two counters
or two processes cannot take the same number; a rollback undoes the increment together
with the invoice, so no number is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pos_app.domain.invoice import Invoice, format_invoice_number
from pos_app.domain.money import Money
from pos_app.storage.models import InvoiceRow, InvoiceSeriesRow


@dataclass(frozen=True, slots=True)
class InvoiceNumber:
    number: str  # "MAIN-01-000123"
    sequence: int  # 123


class HasSession(Protocol):
    """Anything that carries the open Session, such as a UnitOfWork."""

    @property
    def session(self) -> Session: ...


def next_invoice_number(
    session_or_uow: Session | HasSession, terminal_id: str, prefix: str
) -> InvoiceNumber:
    """Take the next number of ``terminal_id``'s series inside the caller's transaction.

    Call it only in the transaction that stores the invoice; committing without storing
    one would leave a gap. ``InvoiceRepository.issue`` does both.
    """
    session = session_or_uow if isinstance(session_or_uow, Session) else session_or_uow.session
    series = _locked_series(session, terminal_id, prefix)
    series.last_sequence += 1
    session.flush()
    sequence = series.last_sequence
    return InvoiceNumber(format_invoice_number(prefix, terminal_id, sequence), sequence)


def _locked_series(session: Session, terminal_id: str, prefix: str) -> InvoiceSeriesRow:
    query = (
        select(InvoiceSeriesRow)
        .where(InvoiceSeriesRow.terminal_id == terminal_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    series = session.scalars(query).first()
    if series is not None:
        return series
    try:
        # Two counters may open the same new series at once on PostgreSQL; the loser's
        # insert fails inside the savepoint and it locks the winner's row instead.
        with session.begin_nested():
            session.add(InvoiceSeriesRow(terminal_id=terminal_id, prefix=prefix, last_sequence=0))
    except IntegrityError:
        pass
    return session.scalars(query).one()


class InvoiceRepository:
    """Invoices as domain objects. Runs on the caller's session; never commits."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def issue(
        self, *, bill_id: int, terminal_id: str, prefix: str, total: Money, at: datetime
    ) -> Invoice:
        """Number and store the bill's invoice, in the transaction that marks it paid."""
        taken = next_invoice_number(self._session, terminal_id, prefix)
        row = InvoiceRow(
            number=taken.number,
            terminal_id=terminal_id,
            sequence=taken.sequence,
            bill_id=bill_id,
            issued_at=at,
            total_centavos=total.centavos,
        )
        self._session.add(row)
        self._session.flush()
        return invoice_from_row(row)

    def get(self, number: str) -> Invoice | None:
        row = self._session.scalars(select(InvoiceRow).where(InvoiceRow.number == number)).first()
        return None if row is None else invoice_from_row(row)

    def get_for_bill(self, bill_id: int) -> Invoice | None:
        row = self._session.scalars(select(InvoiceRow).where(InvoiceRow.bill_id == bill_id)).first()
        return None if row is None else invoice_from_row(row)


def invoice_from_row(row: InvoiceRow) -> Invoice:
    return Invoice(
        number=row.number,
        terminal_id=row.terminal_id,
        sequence=row.sequence,
        bill_id=row.bill_id,
        issued_at=row.issued_at,
        total=Money(row.total_centavos),
    )
