"""Hand-written stand-ins for the payment services (payments_api.md), for screen tests.

``FakePayments`` keeps bills and attempts in memory and answers at once; the test decides what the
patient does (``pay``, ``decline``, ``expire``) and ``FakeMonitor.push`` delivers the news from a
worker thread, exactly as the real monitor's listeners are called.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from pos_app.domain.attempt import AttemptState, PaymentAttempt
from pos_app.domain.bill import Bill, BillLine, BillStatus, BillSummary, Patient
from pos_app.domain.errors import UserFacingError
from pos_app.domain.invoice import Invoice
from pos_app.domain.money import Money
from pos_app.domain.tender import Tender, TenderMethod
from pos_app.services.collect.inputs import CardDetails
from pos_app.services.collect.results import AttemptUpdate, CashResult, PaymentDisplay, Settlement

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
CLINIC = "Test Clinic"


def make_bill(bill_id: int, first: str, last: str, *lines: tuple[str, int, Money]) -> Bill:
    bill_lines = tuple(
        BillLine(code=f"L{n}", description=d, quantity=q, unit_price=p)
        for n, (d, q, p) in enumerate(lines, 1)
    )
    total = Money.total(line.total for line in bill_lines)
    return Bill(
        id=bill_id,
        number=f"B-{bill_id:04d}",
        patient=Patient(id=bill_id, first_name=first, last_name=last),
        clinic_name=CLINIC,
        description=", ".join(d for d, _q, _p in lines),
        lines=bill_lines,
        amount_due=total,
        amount_paid=Money.ZERO,
        status=BillStatus.PENDING,
        updated_at=NOW,
    )


class FakePayments:
    """Implements ``PaymentsPort``; thread-safe enough for one test's workers."""

    def __init__(self, bills: Sequence[Bill]) -> None:
        self.bills = {bill.id: bill for bill in bills}
        self.attempts: dict[str, PaymentAttempt] = {}
        self.tenders: list[Tender] = []
        self.cards: list[CardDetails] = []
        self.offline = False
        self.calls: list[tuple[str, str]] = []  # (method name, thread name)
        self._lock = threading.Lock()

    # -- PaymentsPort ---------------------------------------------------------------------------

    def start(self, bill_id: int, method: TenderMethod, amount: Money) -> AttemptUpdate:
        return self._open(bill_id, method, amount, "start")

    def start_source(self, bill_id: int, method: TenderMethod, amount: Money) -> AttemptUpdate:
        return self._open(bill_id, method, amount, "start_source")

    def start_keyed_card(self, bill_id: int, amount: Money, card: CardDetails) -> AttemptUpdate:
        self.cards.append(card)
        return self._open(bill_id, TenderMethod.CARD, amount, "start_keyed_card")

    def pay_cash(self, bill_id: int, amount: Money, tendered: Money) -> CashResult:
        self._note("pay_cash", network=False)
        tender = Tender(None, bill_id, TenderMethod.CASH, amount, None, cash_tendered=tendered)
        bill, settlement = self._record(tender)
        return CashResult(tender, tender.change_due, bill, settlement)

    def cancel(self, attempt_id: str) -> AttemptUpdate:
        self._note("cancel")
        return self._move(attempt_id, AttemptState.CANCELLED)

    def refresh(self, attempt_id: str) -> AttemptUpdate:
        self._note("refresh")
        return self._move(attempt_id, self.attempts[attempt_id].state)

    def open_walk_in(self, patient_name: str, lines: Sequence[tuple[str, int, Money]]) -> Bill:
        self._note("open_walk_in", network=False)
        first, _, last = patient_name.partition(" ")
        bill = make_bill(max(self.bills) + 1, first, last, *lines)
        self.bills[bill.id] = bill
        return bill

    def overpayment_cases(self) -> Sequence[PaymentAttempt]:
        self._note("overpayment_cases", network=False)
        return [a for a in self.attempts.values() if a.state is AttemptState.NEEDS_REVIEW]

    # -- what the patient does (the test's side) ------------------------------------------------

    def pay(self, attempt_id: str) -> AttemptUpdate:
        attempt = self.attempts[attempt_id]
        if not attempt.is_open:
            return self._late(attempt)
        paid = self._move(attempt_id, AttemptState.SUCCEEDED)
        tender = Tender(None, attempt.bill_id, attempt.method, attempt.amount, attempt_id)
        bill, settlement = self._record(tender)
        return replace(paid, bill=bill, settlement=settlement, message=f"Paid {attempt.amount}")

    def decline(self, attempt_id: str, reason: str) -> AttemptUpdate:
        update = self._move(attempt_id, AttemptState.FAILED, failure_message=reason)
        return replace(update, message=f"Declined: {reason}")

    def expire(self, attempt_id: str) -> AttemptUpdate:
        return self._move(attempt_id, AttemptState.EXPIRED)

    # -- internals ------------------------------------------------------------------------------

    def _note(self, name: str, *, network: bool = True) -> None:
        self.calls.append((name, threading.current_thread().name))
        if self.offline and network:
            raise UserFacingError("PayMongo can't be reached right now. You can still take cash.")

    def _open(self, bill_id: int, method: TenderMethod, amount: Money, call: str) -> AttemptUpdate:
        self._note(call)
        attempt = PaymentAttempt.new(bill_id=bill_id, method=method, amount=amount, at=NOW)
        expires = datetime.now(UTC) + timedelta(minutes=30)
        attempt = replace(attempt, state=AttemptState.AWAITING_PAYMENT, expires_at=expires)
        self.attempts[attempt.id] = attempt
        link = f"http://127.0.0.1:9/pay/{attempt.id}"
        display = PaymentDisplay(
            attempt_id=attempt.id,
            bill_id=bill_id,
            method=method,
            amount=amount,
            qr_png=None,
            qr_text=link,
            url=link,
            expires_at=expires,
            clinic_name=CLINIC,
        )
        return AttemptUpdate(
            attempt, self.bills[bill_id], display, None, "Waiting for the patient to pay"
        )

    def _move(self, attempt_id: str, state: AttemptState, **changes: Any) -> AttemptUpdate:
        attempt = replace(self.attempts[attempt_id], state=state, **changes)
        self.attempts[attempt_id] = attempt
        messages = {
            AttemptState.CANCELLED: "Cancelled. Nothing was charged.",
            AttemptState.EXPIRED: "Expired — make a new QR",
        }
        message = messages.get(state, state.value)
        return AttemptUpdate(attempt, self.bills[attempt.bill_id], None, None, message)

    def _late(self, attempt: PaymentAttempt) -> AttemptUpdate:
        flagged = replace(
            attempt, state=AttemptState.NEEDS_REVIEW, paymongo_ids={"payment": "pay_9"}
        )
        self.attempts[attempt.id] = flagged
        return AttemptUpdate(flagged, self.bills[attempt.bill_id], None, None, "Needs review")

    def _record(self, tender: Tender) -> tuple[Bill, Settlement | None]:
        with self._lock:
            bill = self.bills[tender.bill_id]
            paid = bill.amount_paid + tender.amount
            covered = paid >= bill.amount_due
            status = BillStatus.PAID if covered else BillStatus.PARTIALLY_PAID
            bill = replace(bill, amount_paid=paid, status=status)
            self.bills[bill.id] = bill
            self.tenders.append(tender)
        if not covered:
            return bill, None
        invoice = Invoice(f"MAIN-01-{bill.id:06d}", "01", bill.id, bill.id, NOW, bill.amount_due)
        mine = tuple(t for t in self.tenders if t.bill_id == bill.id)
        return bill, Settlement(bill, invoice, mine)


class FakeMonitor:
    """Implements ``MonitorPort``: nothing is due by itself; ``push`` delivers news from a
    worker thread as the real monitor does."""

    def __init__(self) -> None:
        self.tracked: list[str] = []
        self._listeners: list[Callable[[AttemptUpdate], None]] = []

    def track(self, update: AttemptUpdate) -> None:
        self.tracked.append(update.attempt.id)

    def due(self, now: datetime) -> list[str]:
        return []

    def check(self, attempt_id: str) -> AttemptUpdate:
        raise AssertionError("nothing is ever due in the fake")

    def subscribe(self, listener: Callable[[AttemptUpdate], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def push(self, update: AttemptUpdate) -> None:
        worker = threading.Thread(target=self._notify, args=(update,), name="fake-monitor")
        worker.start()
        worker.join()

    def _notify(self, update: AttemptUpdate) -> None:
        for listener in list(self._listeners):
            listener(update)


class FakeFinder:
    """``BillFinder`` over the fake's bills, newest first."""

    def __init__(self, payments: FakePayments) -> None:
        self._payments = payments

    def find(
        self, text: str = "", status: BillStatus | None = None, limit: int = 100
    ) -> list[BillSummary]:
        bills = [
            BillSummary.of(bill)
            for bill in self._payments.bills.values()
            if text.lower() in bill.patient.full_name.lower()
            and (status is None or bill.status is status)
        ]
        return sorted(bills, key=lambda bill: bill.id, reverse=True)[:limit]

    def get(self, bill_id: int) -> Bill:
        return self._payments.bills[bill_id]
