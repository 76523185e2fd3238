"""A bill as the queue shows it, one row each, and the status every bill has.

Apart from ``bill.py`` (which re-exports both) so that drawing the queue when the counter starts
loads these two without the whole bill's classes (Patient, BillLine, Bill: ~6 ms of dataclass
building here before the first paint).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from pos_app.domain.money import Money

if TYPE_CHECKING:
    from pos_app.domain.bill import Bill

__all__ = ["BILL_TERMINAL", "BillStatus", "BillSummary"]


class BillStatus(StrEnum):
    """Where a bill stands. Closed set; ``TERMINAL`` bills take no more payments."""

    PENDING = "pending"  # nothing paid yet
    PARTIALLY_PAID = "partially_paid"  # some tenders recorded, balance still owed
    PAID = "paid"  # fully settled
    CANCELLED = "cancelled"  # withdrawn by the clinic; never collect on it
    REFUNDED = "refunded"  # paid, then every peso given back (the invoice stands; refund slips)

    @property
    def is_terminal(self) -> bool:
        return self in BILL_TERMINAL


BILL_TERMINAL: frozenset[BillStatus] = frozenset(
    {BillStatus.PAID, BillStatus.CANCELLED, BillStatus.REFUNDED}
)
# Settled bills owe nothing, even when a refund took part of the money back.
_SETTLED = frozenset({BillStatus.PAID, BillStatus.REFUNDED})


@dataclass(frozen=True, slots=True)
class BillSummary:
    """One row of the bill queue: what the receptionist scans a list by, without the lines.

    The queue shows hundreds of these per keystroke; the full ``Bill`` is read only for the one
    the receptionist selects."""

    id: int
    number: str
    patient_name: str
    description: str
    amount_due: Money
    amount_paid: Money
    status: BillStatus
    updated_at: datetime

    @property
    def balance(self) -> Money:
        if self.status in _SETTLED:
            return Money.ZERO
        return self.amount_due.minus_floor_zero(self.amount_paid)

    @classmethod
    def from_columns(  # noqa: PLR0917 - one argument per stored column, given as a row
        cls,
        bill_id: int,
        number: str,
        first_name: str,
        last_name: str,
        description: str,
        due_centavos: int,
        paid_centavos: int,
        status: str,
        updated_at: datetime,
    ) -> BillSummary:
        """From the stored columns, as both readers of the queue (storage, first paint) get them."""
        return cls(
            bill_id,
            number,
            f"{first_name.strip()} {last_name.strip()}".strip(),
            description,
            Money(due_centavos),
            Money(paid_centavos),
            BillStatus(status),
            updated_at,
        )

    @classmethod
    def of(cls, bill: Bill) -> BillSummary:
        return cls(
            id=bill.id,
            number=bill.number,
            patient_name=bill.patient.full_name,
            description=bill.description,
            amount_due=bill.amount_due,
            amount_paid=bill.amount_paid,
            status=bill.status,
            updated_at=bill.updated_at,
        )
