"""The rows a reading sums, and the marks that make every row count in exactly one Z-reading.

An X-reading or a shift close sums a time window. A Z-reading first marks every row of its
terminal that no Z-reading has counted yet and that happened before its end (one UPDATE per table,
in the Z's own transaction), then sums exactly the rows it marked. A payment that stamped its time
before the Z but committed after it is not marked, so the next Z-reading counts it; a refund asked
before a Z that succeeds after it likewise. See docs/readings.md ("Counted once").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from pos_app.domain.money import Money
from pos_app.domain.readings import RefundFact, Shift
from pos_app.domain.refund import RefundState
from pos_app.domain.tender import TenderMethod
from pos_app.storage.models import (
    BillRow,
    InvoiceRow,
    PaymentAttemptRow,
    RefundRow,
    ShiftRow,
    TenderRow,
)

__all__ = ["CASH_BY_HAND", "InvoicedSale", "ReadingFacts", "Scope", "shift_of"]

CASH_BY_HAND = "cash"  # RefundRow.channel of a manual refund handed over from the drawer


@dataclass(frozen=True, slots=True)
class Scope:
    """Which rows a reading sums: those one Z-reading counted (``z_reading_id``), or else the
    time window [start, end) (an X-reading, a shift close)."""

    start: datetime | None = None
    end: datetime | None = None
    z_reading_id: int | None = None

    def where(
        self, moment: InstrumentedAttribute[datetime], mark: InstrumentedAttribute[int | None]
    ) -> list[ColumnElement[bool]]:
        if self.z_reading_id is not None:
            return [mark == self.z_reading_id]
        assert self.start is not None, "a window or a Z-reading"
        assert self.end is not None, "a window or a Z-reading"
        return [moment >= self.start, moment < self.end]


@dataclass(frozen=True, slots=True)
class InvoicedSale:
    """An invoice of the period with its bill's discount (the storage side of a ``Sale``)."""

    bill_id: int
    invoice_number: str
    sequence: int
    total: Money
    discount_on_bill: Money


class ReadingFacts:
    """Runs on the caller's session; never commits."""

    def __init__(self, session: Session, terminal_id: str) -> None:
        self._session = session
        self._terminal = terminal_id

    def mark_uncounted(self, z_reading_id: int, end: datetime) -> None:
        """Mark for Z-reading ``z_reading_id`` every row of the terminal that happened before
        ``end`` and that no Z-reading counted yet (whenever it was committed)."""
        statements = (
            update(TenderRow).where(
                TenderRow.z_reading_id.is_(None), TenderRow.recorded_at < end, self._tender_here()
            ),
            update(InvoiceRow).where(
                InvoiceRow.z_reading_id.is_(None),
                InvoiceRow.issued_at < end,
                InvoiceRow.terminal_id == self._terminal,
            ),
            update(RefundRow).where(
                RefundRow.z_reading_id.is_(None),
                RefundRow.state == RefundState.SUCCEEDED.value,
                RefundRow.created_at < end,
                self._refund_here(),
            ),
            update(ShiftRow).where(
                ShiftRow.z_reading_id.is_(None),
                ShiftRow.closed_at < end,
                ShiftRow.terminal_id == self._terminal,
            ),
        )
        for statement in statements:
            self._session.execute(
                statement.values(z_reading_id=z_reading_id),
                execution_options={"synchronize_session": False},
            )

    def invoiced_sales(self, scope: Scope) -> list[InvoicedSale]:
        """The terminal's invoices in ``scope``, in sequence order."""
        rows = self._session.execute(
            select(
                InvoiceRow.bill_id,
                InvoiceRow.number,
                InvoiceRow.sequence,
                InvoiceRow.total_centavos,
                BillRow.discount_centavos,
            )
            .join(BillRow, BillRow.id == InvoiceRow.bill_id)
            .where(
                InvoiceRow.terminal_id == self._terminal,
                *scope.where(InvoiceRow.issued_at, InvoiceRow.z_reading_id),
            )
            .order_by(InvoiceRow.sequence)
        )
        return [
            InvoicedSale(bill_id, number, sequence, Money(total), Money(discount))
            for bill_id, number, sequence, total, discount in rows
        ]

    def payments(self, scope: Scope) -> list[tuple[TenderMethod, Money]]:
        """Every tender the terminal took in ``scope``, in the order taken."""
        rows = self._session.execute(
            select(TenderRow.method, TenderRow.amount_centavos)
            .where(self._tender_here(), *scope.where(TenderRow.recorded_at, TenderRow.z_reading_id))
            .order_by(TenderRow.recorded_at, TenderRow.id)
        )
        return [(TenderMethod(method), Money(amount)) for method, amount in rows]

    def refunds(self, scope: Scope) -> list[RefundFact]:
        """The refunds that succeeded, asked for in ``scope``, on bills this terminal invoiced
        (or, for a bill with no invoice, whose payment it took). Numbered by their refund slip
        (a refund given back by hand) or else by the refund's own id."""
        rows = self._session.execute(
            select(
                RefundRow.id,
                RefundRow.slip_number,
                RefundRow.amount_centavos,
                RefundRow.manual,
                RefundRow.channel,
            )
            .where(
                RefundRow.state == RefundState.SUCCEEDED.value,
                self._refund_here(),
                *scope.where(RefundRow.created_at, RefundRow.z_reading_id),
            )
            .order_by(RefundRow.created_at, RefundRow.id)
        )
        return [
            RefundFact(slip or refund_id, Money(amount), manual and channel == CASH_BY_HAND)
            for refund_id, slip, amount, manual, channel in rows
        ]

    def shifts(self, scope: Scope) -> list[Shift]:
        """The terminal's shifts closed in ``scope``."""
        rows = self._session.scalars(
            select(ShiftRow)
            .where(
                ShiftRow.terminal_id == self._terminal,
                ShiftRow.closed_at.is_not(None),
                *scope.where(ShiftRow.closed_at, ShiftRow.z_reading_id),  # type: ignore[arg-type]
            )
            .order_by(ShiftRow.id)
        )
        return [shift_of(row) for row in rows]

    def _tender_here(self) -> ColumnElement[bool]:
        """Taken by this terminal. A tender from before readings existed has no terminal: its
        attempt's counter took it, and cash went to this one."""
        attempts_here = select(PaymentAttemptRow.id).where(
            PaymentAttemptRow.terminal_id == self._terminal
        )
        return or_(
            TenderRow.terminal_id == self._terminal,
            TenderRow.terminal_id.is_(None)
            & or_(TenderRow.attempt_id.is_(None), TenderRow.attempt_id.in_(attempts_here)),
        )

    def _refund_here(self) -> ColumnElement[bool]:
        invoiced_here = select(InvoiceRow.bill_id).where(InvoiceRow.terminal_id == self._terminal)
        paid_here = select(TenderRow.bill_id).where(TenderRow.terminal_id == self._terminal)
        return or_(
            RefundRow.bill_id.in_(invoiced_here),
            RefundRow.bill_id.not_in(select(InvoiceRow.bill_id)) & RefundRow.bill_id.in_(paid_here),
        )


def shift_of(row: ShiftRow) -> Shift:
    return Shift(
        id=row.id,
        terminal_id=row.terminal_id,
        opened_at=row.opened_at,
        opened_by=row.opened_by,
        opening_float=Money(row.opening_float_centavos),
        closed_at=row.closed_at,
        closed_by=row.closed_by,
        counted=None if row.counted_centavos is None else Money(row.counted_centavos),
    )
