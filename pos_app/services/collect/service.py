"""Collect one payment: cash at once, QR Ph through PayMongo step by step, exactly once.

Threading contract: every public method blocks on the database and on PayMongo; call it from a
network worker, never from the GUI thread. Several threads may use one service: each step runs in
its own unit of work, and the bill row is locked while a tender is recorded.

Write-ahead: the attempt and every idempotency key it will use are committed before the first
request leaves; each answer is committed before the next request. After a crash, ``refresh``
picks the attempt up where it stopped and replays any create with the same key, so PayMongo hands
back the object it already made instead of a second one.
"""

from __future__ import annotations

import base64
import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from pos_app.domain.attempt import (
    AttemptEvent,
    AttemptState,
    PaymentAttempt,
    map_intent_status,
    reconcile_event,
)
from pos_app.domain.bill import Bill, BillStatus
from pos_app.domain.clock import Clock
from pos_app.domain.errors import AmountError, NotFound, UserFacingError
from pos_app.domain.invoice import Invoice
from pos_app.domain.money import Money
from pos_app.domain.tender import Tender, TenderMethod
from pos_app.paymongo import PayMongoClient
from pos_app.paymongo.models import PaymentIntent, PaymentStatus
from pos_app.services.collect.crash_points import CrashPoints
from pos_app.services.collect.results import AttemptUpdate, CashResult, PaymentDisplay, Settlement
from pos_app.storage import Database, UnitOfWork

log = logging.getLogger(__name__)

_E = AttemptEvent
_S = AttemptState
# States in which a method has been attached, so "awaiting_payment_method" means the QR lapsed.
_ATTACHED = frozenset({_S.AWAITING_PAYMENT, _S.PROCESSING, _S.CANCELLING})
MESSAGES = {
    _S.CREATED: "Preparing the payment…",
    _S.CREATING: "Preparing the QR code…",
    _S.AWAITING_PAYMENT: "Waiting for the patient to pay",
    _S.PROCESSING: "The payment is going through…",
    _S.CANCELLING: "Cancelling the QR code…",
    _S.SUCCEEDED: "Paid",
    _S.FAILED: "The payment did not go through. Nothing was charged.",
    _S.EXPIRED: "The QR code expired unpaid. Make a new one if the patient still wants to pay.",
    _S.CANCELLED: "Cancelled. Nothing was charged.",
    _S.NEEDS_REVIEW: "Money arrived after this QR code was closed. A staff member will review it.",
}


@dataclass(frozen=True)
class CounterIdentity:
    """Who is collecting: the counter's invoice series and the name shown to patients."""

    terminal_id: str
    invoice_prefix: str
    clinic_name: str
    cashier: str = "counter"


class CollectService:
    def __init__(
        self,
        database: Database,
        paymongo: PayMongoClient,
        clock: Clock,
        counter: CounterIdentity,
        *,
        crash_points: CrashPoints | None = None,
    ) -> None:
        self._database = database
        self._paymongo = paymongo
        self._clock = clock
        self._counter = counter
        self._crash = crash_points or CrashPoints()
        self._displays: dict[str, PaymentDisplay] = {}
        self._lock = threading.Lock()
        self._creates = ThreadPoolExecutor(max_workers=2, thread_name_prefix="paymongo-create")

    def close(self) -> None:
        self._creates.shutdown(wait=True)

    # -- cash -----------------------------------------------------------------------------------

    def pay_cash(self, bill_id: int, amount: Money, tendered: Money) -> CashResult:
        """Record cash: ``amount`` goes to the bill; ``tendered`` is what the patient gave."""
        if tendered < amount:
            raise AmountError(
                f"The patient gave {tendered}, which is less than {amount}. "
                "Check the cash received, or collect a smaller amount."
            )
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            bill = self._payable_bill(uow, bill_id, amount)
            tender = uow.tenders.add(
                Tender(
                    id=None,
                    bill_id=bill.id,
                    method=TenderMethod.CASH,
                    amount=amount,
                    attempt_id=None,
                    cash_tendered=tendered,
                ),
                at=now,
            )
            bill, settlement = self._record_tender(uow, bill, tender, intent_id=None, at=now)
            uow.commit()
        if settlement is not None:
            self._crash.reached("invoice_committed")
        return CashResult(
            tender=tender, change_due=tender.change_due, bill=bill, settlement=settlement
        )

    # -- QR Ph ----------------------------------------------------------------------------------

    def start(self, bill_id: int, method: TenderMethod, amount: Money) -> AttemptUpdate:
        """Make a QR code for ``amount`` on the bill; returns once it can be shown."""
        if method is not TenderMethod.QRPH:
            raise UserFacingError(
                f"{method.label} is not available on this counter yet. Use QR Ph: "
                "GCash, Maya and every bank app can scan it."
            )
        attempt = self._write_ahead(bill_id, method, amount)
        return self._drive(attempt, fresh=True)

    def refresh(self, attempt_id: str) -> AttemptUpdate:
        """One look at PayMongo for this attempt: apply what changed, settle the bill if paid."""
        attempt = self._load(attempt_id)
        if attempt.state in (_S.CREATED, _S.CREATING):
            return self._drive(attempt, fresh=False)
        intent_id = attempt.paymongo_ids.get("intent")
        if intent_id is None:
            return self._update(attempt)
        return self._observe(attempt, self._paymongo.retrieve_payment_intent(intent_id))

    def cancel(self, attempt_id: str) -> AttemptUpdate:
        """Cancel the QR code at PayMongo; a payment that beats the cancel still counts."""
        attempt = self._load(attempt_id)
        if attempt.is_terminal:
            return self._update(attempt)
        attempt = self._save(attempt.apply(_E.CANCEL_REQUESTED, at=self._clock.now()))
        intent_id = attempt.paymongo_ids.get("intent")
        if intent_id is None:
            return self._update(attempt)
        try:
            intent = self._paymongo.cancel_payment_intent(intent_id)
        except UserFacingError:
            # Already paid or already lapsed: PayMongo refuses the cancel; its status says which.
            intent = self._paymongo.retrieve_payment_intent(intent_id)
        return self._observe(attempt, intent)

    def open_attempts(self) -> list[PaymentAttempt]:
        with self._database.unit_of_work(read_only=True) as uow:
            return uow.attempts.list_open()

    def overpayment_cases(self) -> list[PaymentAttempt]:
        """Attempts where money arrived after the app gave up on them: staff must refund or keep."""
        with self._database.unit_of_work(read_only=True) as uow:
            return uow.attempts.list_in_states([_S.NEEDS_REVIEW])

    def tenders(self, bill_id: int) -> list[Tender]:
        with self._database.unit_of_work(read_only=True) as uow:
            return uow.tenders.list_for_bill(bill_id)

    # -- steps ----------------------------------------------------------------------------------

    def _write_ahead(self, bill_id: int, method: TenderMethod, amount: Money) -> PaymentAttempt:
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            self._payable_bill(uow, bill_id, amount)
            attempt = PaymentAttempt.new(bill_id=bill_id, method=method, amount=amount, at=now)
            uow.attempts.add(attempt)
            uow.audit.append(
                at=now,
                actor=self._counter.cashier,
                action="payment_started",
                subject=f"bill:{bill_id}",
                details={"attempt": attempt.id, "method": method.value, "amount": str(amount)},
            )
            uow.commit()
        self._crash.reached("attempt_committed")
        return attempt

    def _drive(self, attempt: PaymentAttempt, *, fresh: bool) -> AttemptUpdate:
        if attempt.state is _S.CREATED:
            attempt = self._save(attempt.apply(_E.REQUEST_SENT, at=self._clock.now()))
        if "intent" not in attempt.paymongo_ids or "method" not in attempt.paymongo_ids:
            attempt = self._create_intent_and_method(attempt)
        intent_id = attempt.paymongo_ids["intent"]
        intent = None if fresh else self._paymongo.retrieve_payment_intent(intent_id)
        if intent is None or _not_attached(intent):
            self._crash.reached("attach_sent")
            intent = self._paymongo.attach_payment_intent(
                intent_id, payment_method_id=attempt.paymongo_ids["method"]
            )
            self._crash.reached("attach_answered")
        return self._observe(attempt, intent)

    def _create_intent_and_method(self, attempt: PaymentAttempt) -> PaymentAttempt:
        keys = attempt.idempotency_keys
        metadata = {"kaha_attempt": attempt.id, "kaha_bill": str(attempt.bill_id)}
        self._crash.reached("intent_sent")
        intent_future = self._creates.submit(
            self._paymongo.create_payment_intent,
            amount=attempt.amount.centavos,
            payment_method_allowed=["qrph"],
            idempotency_key=keys["intent"],
            description=f"{self._counter.clinic_name} bill {attempt.bill_id}",
            metadata=metadata,
        )
        method_future = self._creates.submit(
            self._paymongo.create_payment_method,
            type="qrph",
            idempotency_key=keys["method"],
            metadata=metadata,
        )
        intent, method = intent_future.result(), method_future.result()
        self._crash.reached("intent_answered")
        ids = {"intent": intent.id, "method": method.id}
        return self._save(attempt.apply(_E.INTENT_CREATED, at=self._clock.now(), paymongo_ids=ids))

    def _observe(self, attempt: PaymentAttempt, intent: PaymentIntent) -> AttemptUpdate:
        """Apply what PayMongo says about the intent; settle the bill when it is paid."""
        now = self._clock.now()
        self._remember_display(attempt, intent)
        observed = map_intent_status(
            intent.status.value,
            has_payment_error=intent.last_payment_error is not None,
            was_attached=attempt.state in _ATTACHED,
        )
        if any(payment.status is PaymentStatus.PAID for payment in intent.payments or ()):
            # Money arrived, whatever the intent's own status says (a cancelled QR scanned late).
            observed = _E.PAID
        event = None if observed is None else reconcile_event(attempt.state, observed)
        if event is None or not attempt.accepts(event):
            return self._update(attempt)
        display = self._displays.get(attempt.id)
        error = intent.last_payment_error
        changed = attempt.apply(
            event,
            at=now,
            expires_at=display.expires_at if display and event is _E.AWAITING else None,
            failure_code=error.failed_code if error else None,
            failure_message=error.failed_message if error else None,
        )
        if changed.state is _S.SUCCEEDED:
            self._crash.reached("paid_before_invoice")
            update = self._settle(changed, intent.id)
            if update.settlement is not None:
                self._crash.reached("invoice_committed")
            return update
        if event is _E.LATE_PAYMENT:
            return self._flag_overpayment(changed, intent.id, "paid after the QR code was closed")
        return self._update(self._save(changed))

    def _settle(self, attempt: PaymentAttempt, intent_id: str) -> AttemptUpdate:
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            bill = _require(uow.bills.get_for_update(attempt.bill_id))
            if uow.tenders.find_by_attempt(attempt.id) is not None:
                uow.attempts.update(attempt)  # the tender is already in: only the state was behind
                uow.commit()
                return self._update(attempt)
            if attempt.amount > bill.balance:
                # Cash or another QR paid the bill meanwhile: this money is extra.
                flagged = attempt.apply(_E.DOUBLE_PAYMENT, at=now)
                uow.attempts.update(flagged)
                self._audit_overpayment(uow, flagged, intent_id, "the bill was already paid", now)
                uow.commit()
                return self._update(flagged)
            uow.attempts.update(attempt)
            tender = uow.tenders.add(
                Tender(
                    id=None,
                    bill_id=bill.id,
                    method=attempt.method,
                    amount=attempt.amount,
                    attempt_id=attempt.id,
                ),
                at=now,
            )
            bill, settlement = self._record_tender(uow, bill, tender, intent_id=intent_id, at=now)
            uow.commit()
        return AttemptUpdate(
            attempt=attempt,
            bill=bill,
            display=self._displays.get(attempt.id),
            settlement=settlement,
            message=f"Paid {attempt.amount}",
        )

    def _flag_overpayment(
        self, attempt: PaymentAttempt, intent_id: str, reason: str
    ) -> AttemptUpdate:
        with self._database.unit_of_work() as uow:
            uow.attempts.update(attempt)
            self._audit_overpayment(uow, attempt, intent_id, reason, self._clock.now())
            uow.commit()
        return self._update(attempt)

    def _audit_overpayment(
        self, uow: UnitOfWork, attempt: PaymentAttempt, intent_id: str, reason: str, at: datetime
    ) -> None:
        uow.audit.append(
            at=at,
            actor="paymongo",
            action="overpayment_case",
            subject=f"bill:{attempt.bill_id}",
            details={
                "attempt": attempt.id,
                "intent": intent_id,
                "amount": str(attempt.amount),
                "reason": reason,
            },
        )

    # -- bills and tenders ----------------------------------------------------------------------

    def _payable_bill(self, uow: UnitOfWork, bill_id: int, amount: Money) -> Bill:
        bill = _require(uow.bills.get_for_update(bill_id))
        if not bill.accepts_payment:
            raise UserFacingError(f"Bill {bill.number} is already paid or cancelled.")
        if amount.is_zero:
            raise AmountError("There is nothing to collect. Please check the amount.")
        pending = Money.total(a.amount for a in uow.attempts.list_for_bill(bill_id) if a.is_open)
        if pending:
            raise UserFacingError(
                f"A QR code for {pending} is still open on bill {bill.number}. "
                "Wait for it, or cancel it (Esc) before collecting another way."
            )
        if amount > bill.balance:
            raise AmountError(
                f"That is more than the balance of {bill.balance}. "
                "Collect the balance or less; split the payment if needed."
            )
        return bill

    def _record_tender(
        self, uow: UnitOfWork, bill: Bill, tender: Tender, *, intent_id: str | None, at: datetime
    ) -> tuple[Bill, Settlement | None]:
        """In the caller's transaction: bill paid or part paid, invoice if covered, outbox row."""
        paid = bill.amount_paid + tender.amount
        covered = paid >= bill.amount_due
        status = BillStatus.PAID if covered else BillStatus.PARTIALLY_PAID
        bill = uow.bills.set_payment_state(bill.id, amount_paid=paid, status=status, at=at)
        uow.audit.append(
            at=at,
            actor=self._counter.cashier,
            action="tender_recorded",
            subject=f"bill:{bill.id}",
            details={"method": tender.method.value, "amount": str(tender.amount)},
        )
        invoice: Invoice | None = None
        settlement = None
        if covered:
            invoice = uow.invoices.issue(
                bill_id=bill.id,
                terminal_id=self._counter.terminal_id,
                prefix=self._counter.invoice_prefix,
                total=bill.amount_due,
                at=at,
            )
            uow.audit.append(
                at=at,
                actor=self._counter.cashier,
                action="invoice_issued",
                subject=f"bill:{bill.id}",
                details={"invoice": invoice.number},
            )
            settlement = Settlement(bill, invoice, tuple(uow.tenders.list_for_bill(bill.id)))
        uow.outbox.enqueue(
            bill.id,
            "payment_result",
            clinic_patch(bill, tender, intent_id, invoice, at),
            at=at,
            idempotency_key=uuid.uuid4().hex,
        )
        return bill, settlement

    # -- helpers --------------------------------------------------------------------------------

    def _load(self, attempt_id: str) -> PaymentAttempt:
        with self._database.unit_of_work(read_only=True) as uow:
            attempt = uow.attempts.get(attempt_id)
        if attempt is None:
            raise NotFound("That payment is no longer on this counter.", detail=attempt_id)
        return attempt

    def _save(self, attempt: PaymentAttempt) -> PaymentAttempt:
        with self._database.unit_of_work() as uow:
            uow.attempts.update(attempt)
            uow.commit()
        return attempt

    def _update(self, attempt: PaymentAttempt) -> AttemptUpdate:
        with self._database.unit_of_work(read_only=True) as uow:
            bill = _require(uow.bills.get(attempt.bill_id))
        display = self._displays.get(attempt.id) if attempt.is_open else None
        message = MESSAGES[attempt.state]
        if attempt.state is _S.FAILED and attempt.failure_message:
            message = f"Declined: {attempt.failure_message}"
        return AttemptUpdate(attempt, bill, display, None, message)

    def _remember_display(self, attempt: PaymentAttempt, intent: PaymentIntent) -> None:
        code = intent.next_action.code if intent.next_action else None
        if code is None:
            return
        display = PaymentDisplay(
            attempt_id=attempt.id,
            bill_id=attempt.bill_id,
            method=attempt.method,
            amount=attempt.amount,
            qr_png=_png_from_data_uri(code.image_url),
            qr_text=None,
            url=code.test_url,
            expires_at=parse_paymongo_time(code.expires_at) if code.expires_at else None,
            clinic_name=self._counter.clinic_name,
        )
        with self._lock:
            self._displays[attempt.id] = display


def clinic_patch(
    bill: Bill, tender: Tender, intent_id: str | None, invoice: Invoice | None, at: datetime
) -> dict[str, object]:
    """The PATCH body the clinic server expects (clinic-backend.md, "Writing payment
    results back")."""
    return {
        "status": bill.status.value,
        "paid": bill.status is BillStatus.PAID,
        "amount_paid": bill.amount_paid.to_decimal_str(),
        "payment_intent_id": intent_id,
        "payment_method": tender.method.value,
        "payment_status": "succeeded",
        "paid_at": at.isoformat(),
        "invoice_number": invoice.number if invoice else None,
    }


def parse_paymongo_time(text: str) -> datetime:
    """RFC 3339 as PayMongo writes it, including nanosecond fractions Python cannot parse."""
    stamp = text.strip().replace("Z", "+00:00")
    if "." in stamp:
        head, rest = stamp.split(".", 1)
        digits = "".join(ch for ch in rest if ch.isdigit())
        zone = rest[len(digits) :]
        stamp = f"{head}.{digits[:6].ljust(6, '0')}{zone}"
    moment = datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _png_from_data_uri(uri: str) -> bytes | None:
    prefix, _, data = uri.partition(",")
    if not prefix.startswith("data:image/png;base64"):
        return None
    try:
        return base64.b64decode(data, validate=True)
    except ValueError:
        return None


def _not_attached(intent: PaymentIntent) -> bool:
    return intent.status.value == "awaiting_payment_method" and intent.last_payment_error is None


def _require(bill: Bill | None) -> Bill:
    if bill is None:
        raise NotFound(
            "That bill is no longer on this counter. Refresh the list and pick it again."
        )
    return bill
