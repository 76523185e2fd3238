"""What the payment services hand back: domain objects and plain data, never ORM rows or JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pos_app.domain.attempt import AttemptState, PaymentAttempt
from pos_app.domain.bill import Bill
from pos_app.domain.invoice import Invoice
from pos_app.domain.money import Money
from pos_app.domain.tender import Tender, TenderMethod


@dataclass(frozen=True)
class PaymentDisplay:
    """What the patient is shown for an open payment."""

    attempt_id: str
    bill_id: int
    method: TenderMethod
    amount: Money
    qr_png: bytes | None  # the QR image PayMongo made (QR Ph)
    qr_text: str | None  # text to draw as a QR when PayMongo gives a link instead
    url: str | None  # a link to open or send (in sandbox/test mode: the test page)
    expires_at: datetime | None
    clinic_name: str


@dataclass(frozen=True)
class Settlement:
    """The bill is paid in full: its invoice and every tender that paid it."""

    bill: Bill
    invoice: Invoice
    tenders: tuple[Tender, ...]


@dataclass(frozen=True)
class AttemptUpdate:
    attempt: PaymentAttempt
    bill: Bill
    display: PaymentDisplay | None
    settlement: Settlement | None  # set on the update that settled the bill
    message: str  # one line for the receptionist

    @property
    def is_open(self) -> bool:
        return self.attempt.is_open

    @property
    def paid(self) -> bool:
        return self.attempt.state is AttemptState.SUCCEEDED


@dataclass(frozen=True)
class CashResult:
    tender: Tender
    change_due: Money
    bill: Bill
    settlement: Settlement | None
