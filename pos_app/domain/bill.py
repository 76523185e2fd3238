"""Bills as the counter sees them: what the patient owes, line by line, and how much is paid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pos_app.domain.bill_summary import BILL_TERMINAL, BillStatus, BillSummary
from pos_app.domain.money import Money

__all__ = ["BILL_TERMINAL", "Bill", "BillLine", "BillStatus", "BillSummary", "Patient"]


@dataclass(frozen=True)
class Patient:
    """The person the bill is for. Only what billing needs (Data Privacy Act)."""

    id: int
    first_name: str
    last_name: str
    senior_pwd_id: str | None = None  # senior citizen / PWD id number, when the patient has one

    @property
    def full_name(self) -> str:
        """ "Maria Santos"."""
        return " ".join(part for part in (self.first_name.strip(), self.last_name.strip()) if part)


@dataclass(frozen=True)
class BillLine:
    """One service on the bill: ``BillLine("D1110", "Cleaning", 1, Money.of_pesos(1500))``."""

    code: str
    description: str
    quantity: int
    unit_price: Money

    def __post_init__(self) -> None:
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int):
            raise TypeError("quantity must be an int")
        if self.quantity < 0:
            raise ValueError(f"quantity must not be negative, got {self.quantity}")

    @property
    def total(self) -> Money:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class Bill:
    """A bill from the clinic server (or a walk-in bill made at the counter).

    ``amount_due`` is what the patient owes after any ``discount``; ``amount_paid`` is what the
    counter has collected so far. ``remote_id`` is the clinic server's id (None for a walk-in that
    has not been sent yet).
    """

    id: int
    number: str
    patient: Patient
    clinic_name: str
    description: str
    lines: tuple[BillLine, ...]
    amount_due: Money
    amount_paid: Money
    status: BillStatus
    updated_at: datetime
    remote_id: int | None = None
    discount: Money = Money.ZERO

    @property
    def balance(self) -> Money:
        """What is still owed; zero (never negative) once paid or overpaid, and after a refund
        of a paid bill (the refund took money back; the patient owes nothing again)."""
        if self.status in (BillStatus.PAID, BillStatus.REFUNDED):
            return Money.ZERO
        return self.amount_due.minus_floor_zero(self.amount_paid)

    @property
    def is_settled(self) -> bool:
        """True when nothing more should be collected: paid in full (a cancelled bill is not)."""
        if self.status is BillStatus.CANCELLED:
            return False
        return self.status in (BillStatus.PAID, BillStatus.REFUNDED) or self.balance.is_zero

    @property
    def lines_total(self) -> Money:
        return Money.total(line.total for line in self.lines)

    @property
    def accepts_payment(self) -> bool:
        return not self.status.is_terminal and not self.balance.is_zero
