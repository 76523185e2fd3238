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
import dataclasses
import logging
import threading
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from pos_app.domain.attempt import (
    AttemptEvent,
    AttemptState,
    PaymentAttempt,
    map_checkout_status,
    map_intent_status,
    reconcile_event,
)
from pos_app.domain.bill import Bill, BillLine, BillStatus, Patient
from pos_app.domain.clock import Clock
from pos_app.domain.errors import AmountError, NotFound, UserFacingError
from pos_app.domain.invoice import Invoice
from pos_app.domain.money import Money
from pos_app.domain.tender import SOURCE_METHODS, Tender, TenderMethod
from pos_app.paymongo import PayMongoClient
from pos_app.paymongo.errors import CardDeclinedError, PayMongoError
from pos_app.paymongo.models import (
    CheckoutSession,
    LastPaymentError,
    LineItem,
    PaymentIntent,
    PaymentStatus,
)
from pos_app.services.collect.crash_points import CrashPoints
from pos_app.services.collect.results import AttemptUpdate, CashResult, PaymentDisplay, Settlement
from pos_app.services.collect.sources import SOURCE_STEPS, SourceFlow, is_source_attempt
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
    keyed_card_enabled: bool = False
    # where PayMongo sends the patient's phone after an e-wallet or 3DS page; nothing reads it
    return_url: str = "https://kaha.invalid/payment-finished"


@dataclass(frozen=True, repr=False)
class CardDetails:
    """A card typed at the counter (keyed entry). Held in memory for one request, never stored."""

    number: str
    exp_month: int
    exp_year: int
    cvc: str
    name: str | None = None
    email: str | None = None

    def __repr__(self) -> str:
        return f"CardDetails(****{self.number[-4:]})"


# PayMongo's payment-method type for each method paid through a payment intent
_INTENT_TYPES = {
    TenderMethod.QRPH: "qrph",
    TenderMethod.GCASH: "gcash",
    TenderMethod.PAYMAYA: "paymaya",
    TenderMethod.GRAB_PAY: "grab_pay",
    TenderMethod.CARD: "card",
}
CHECKOUT_METHODS = ("card", "gcash", "paymaya", "grab_pay", "qrph")


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
        self._cards: dict[str, CardDetails] = {}  # only while the card's method is being made
        self._lock = threading.Lock()
        self._creates = ThreadPoolExecutor(max_workers=2, thread_name_prefix="paymongo-create")
        self._sources = SourceFlow(self)

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
        if method is TenderMethod.CARD:
            raise UserFacingError(
                "For a card, show the patient the card checkout QR (their own phone), "
                "or use keyed entry if the clinic turned it on."
            )
        if method is TenderMethod.CASH:
            raise UserFacingError("Cash is recorded with the Cash button.")
        attempt = self._write_ahead(bill_id, method, amount)
        try:
            return self._drive(attempt, fresh=True)
        except PayMongoError as exc:
            self._close_unshown(attempt.id, exc)
            raise

    def _close_unshown(self, attempt_id: str, exc: PayMongoError) -> None:
        """A start that failed before any QR or link was shown cannot be paid by the patient:
        close it, so the bill is free for cash or a new try. A keyed card whose attach answer
        was lost may have been charged, so that one stays open for recovery to look up."""
        attempt = self._load(attempt_id)
        if attempt.state is not _S.CREATING:
            return
        if attempt.method is TenderMethod.CARD and exc.ambiguous:
            return
        self._save(
            attempt.apply(_E.REJECTED, at=self._clock.now(), failure_message=exc.user_message)
        )

    def start_source(self, bill_id: int, method: TenderMethod, amount: Money) -> AttemptUpdate:
        """GCash or GrabPay through a PayMongo Source: its checkout page shown as a QR code."""
        if method not in SOURCE_METHODS:
            raise UserFacingError("Only GCash and GrabPay can be paid through their own page.")
        attempt = self._write_ahead(bill_id, method, amount, steps=SOURCE_STEPS)
        try:
            return self._sources.drive(attempt)
        except PayMongoError as exc:
            self._close_unshown(attempt.id, exc)
            raise

    def start_keyed_card(self, bill_id: int, amount: Money, card: CardDetails) -> AttemptUpdate:
        """Card typed at the counter (off unless the clinic enabled it); 3DS shown as a link."""
        if not self._counter.keyed_card_enabled:
            raise UserFacingError(
                "Typing card numbers is turned off on this counter. Use the card checkout QR: "
                "the patient pays on their own phone."
            )
        attempt = self._write_ahead(bill_id, TenderMethod.CARD, amount)
        with self._lock:
            self._cards[attempt.id] = card
        try:
            return self._drive(attempt, fresh=True)
        except PayMongoError as exc:
            self._close_unshown(attempt.id, exc)
            raise
        finally:
            with self._lock:
                self._cards.pop(attempt.id, None)

    def open_walk_in(self, patient_name: str, lines: Sequence[tuple[str, int, Money]]) -> Bill:
        """A bill made at the counter for someone the clinic server has no bill for yet."""
        name = " ".join(patient_name.split())
        if not name:
            raise UserFacingError("Type the patient's name first.")
        if not lines or any(qty < 1 or price.is_zero for _, qty, price in lines):
            raise AmountError("Each line needs a service, a quantity of 1 or more and a price.")
        first, _, last = name.partition(" ")
        bill_lines = tuple(
            BillLine(
                code="WALKIN", description=text.strip() or "Service", quantity=qty, unit_price=price
            )
            for text, qty, price in lines
        )
        total = Money.total(line.total for line in bill_lines)
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            bill = uow.bills.add(
                Bill(
                    id=0,
                    number=f"W-{now.strftime('%y%m%d%H%M%S')}",
                    patient=Patient(id=0, first_name=first, last_name=last),
                    clinic_name=self._counter.clinic_name,
                    description="; ".join(line.description for line in bill_lines),
                    lines=bill_lines,
                    amount_due=total,
                    amount_paid=Money(0),
                    status=BillStatus.PENDING,
                    updated_at=now,
                )
            )
            uow.audit.append(
                at=now,
                actor=self._counter.cashier,
                action="walk_in_bill",
                subject=f"bill:{bill.id}",
            )
            uow.commit()
        return bill

    def refresh(self, attempt_id: str) -> AttemptUpdate:
        """One look at PayMongo for this attempt: apply what changed, settle the bill if paid."""
        attempt = self._load(attempt_id)
        if is_source_attempt(attempt):
            return self._sources.refresh(attempt)
        if attempt.state in (_S.CREATED, _S.CREATING):
            return self._drive(attempt, fresh=False)
        checkout_id = attempt.paymongo_ids.get("checkout")
        if checkout_id is not None:
            return self._observe_checkout(
                attempt, self._paymongo.retrieve_checkout_session(checkout_id)
            )
        intent_id = attempt.paymongo_ids.get("intent")
        if intent_id is None:
            return self._update(attempt)
        return self._observe(attempt, self._paymongo.retrieve_payment_intent(intent_id))

    def cancel(self, attempt_id: str) -> AttemptUpdate:
        """Cancel the QR code at PayMongo; a payment that beats the cancel still counts."""
        attempt = self._load(attempt_id)
        if attempt.is_terminal:
            return self._update(attempt)
        if is_source_attempt(attempt):
            return self._sources.cancel(attempt)
        if not attempt.accepts(_E.CANCEL_REQUESTED):
            return self._update(attempt)  # processing: money is moving and cannot be stopped
        attempt = self._save(attempt.apply(_E.CANCEL_REQUESTED, at=self._clock.now()))
        checkout_id = attempt.paymongo_ids.get("checkout")
        if checkout_id is not None:
            session = self._paymongo.expire_checkout_session(checkout_id)
            return self._observe_checkout(attempt, session, cancelling=True)
        intent_id = attempt.paymongo_ids.get("intent")
        if intent_id is None:
            # nothing was attached, so no QR or link exists that could still be paid
            return self._update(self._save(attempt.apply(_E.CANCELLED, at=self._clock.now())))
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

    def _write_ahead(
        self,
        bill_id: int,
        method: TenderMethod,
        amount: Money,
        *,
        steps: tuple[str, ...] | None = None,
    ) -> PaymentAttempt:
        """Store the attempt with the keys of every request it may make (``steps``: only those)."""
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            self._payable_bill(uow, bill_id, amount)
            attempt = PaymentAttempt.new(bill_id=bill_id, method=method, amount=amount, at=now)
            if steps is not None:
                keys = {step: attempt.idempotency_keys[step] for step in steps}
                attempt = dataclasses.replace(attempt, idempotency_keys=keys)
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
        if attempt.method is TenderMethod.CHECKOUT:
            return self._drive_checkout(attempt)
        if "intent" not in attempt.paymongo_ids or "method" not in attempt.paymongo_ids:
            if attempt.method is TenderMethod.CARD and attempt.id not in self._cards:
                # the card number was never stored: after a restart it cannot be sent again
                return self._update(self._save(attempt.apply(_E.REJECTED, at=self._clock.now())))
            attempt = self._create_intent_and_method(attempt)
        intent_id = attempt.paymongo_ids["intent"]
        intent = None if fresh else self._paymongo.retrieve_payment_intent(intent_id)
        if intent is None or _not_attached(intent):
            self._crash.reached("attach_sent")
            try:
                intent = self._paymongo.attach_payment_intent(
                    intent_id,
                    payment_method_id=attempt.paymongo_ids["method"],
                    return_url=None
                    if attempt.method is TenderMethod.QRPH
                    else self._counter.return_url,
                )
            except CardDeclinedError as declined:
                # a declined card is news about the intent, not a fault: its status says declined
                intent = self._paymongo.retrieve_payment_intent(intent_id)
                log.info("card declined: %s", declined.failed_code)
            self._crash.reached("attach_answered")
        return self._observe(attempt, intent)

    def _drive_checkout(self, attempt: PaymentAttempt) -> AttemptUpdate:
        """Card (or e-wallet) on the patient's own phone: PayMongo's hosted checkout page."""
        if "checkout" not in attempt.paymongo_ids:
            with self._database.unit_of_work(read_only=True) as uow:
                bill = _require(uow.bills.get(attempt.bill_id))
            self._crash.reached("intent_sent")
            session = self._paymongo.create_checkout_session(
                line_items=_line_items(bill, attempt.amount),
                payment_method_types=list(CHECKOUT_METHODS),
                idempotency_key=attempt.idempotency_keys["checkout"],
                reference_number=bill.number,
                description=f"{self._counter.clinic_name} — bill {bill.number}",
                success_url=self._counter.return_url,
                cancel_url=self._counter.return_url,
                metadata={"kaha_attempt": attempt.id, "kaha_bill": str(attempt.bill_id)},
            )
            self._crash.reached("intent_answered")
            attempt = self._save(
                attempt.apply(
                    _E.INTENT_CREATED, at=self._clock.now(), paymongo_ids={"checkout": session.id}
                )
            )
        else:
            session = self._paymongo.retrieve_checkout_session(attempt.paymongo_ids["checkout"])
        return self._observe_checkout(attempt, session)

    def _observe_checkout(
        self, attempt: PaymentAttempt, session: CheckoutSession, *, cancelling: bool = False
    ) -> AttemptUpdate:
        with self._lock:
            self._displays[attempt.id] = PaymentDisplay(
                attempt_id=attempt.id,
                bill_id=attempt.bill_id,
                method=attempt.method,
                amount=attempt.amount,
                qr_png=None,
                qr_text=session.checkout_url,
                url=session.checkout_url,
                expires_at=None,
                clinic_name=self._counter.clinic_name,
            )
        paid = any(payment.status is PaymentStatus.PAID for payment in session.payments)
        observed = map_checkout_status(session.status.value, has_paid_payment=paid)
        if cancelling and observed is _E.EXPIRED:
            observed = _E.CANCELLED  # expired because we asked: the receptionist cancelled it
        return self._apply_observed(attempt, observed, session.id, error=None)

    def _create_intent_and_method(self, attempt: PaymentAttempt) -> PaymentAttempt:
        keys = attempt.idempotency_keys
        metadata = {"kaha_attempt": attempt.id, "kaha_bill": str(attempt.bill_id)}
        self._crash.reached("intent_sent")
        method_type = _INTENT_TYPES[attempt.method]
        card = self._cards.get(attempt.id)
        intent_future = self._creates.submit(
            self._paymongo.create_payment_intent,
            amount=attempt.amount.centavos,
            payment_method_allowed=[method_type],
            idempotency_key=keys["intent"],
            description=f"{self._counter.clinic_name} bill {attempt.bill_id}",
            metadata=metadata,
        )
        method_future = self._creates.submit(
            self._paymongo.create_payment_method,
            type=method_type,
            idempotency_key=keys["method"],
            details=None if card is None else _card_details(card),
            metadata=metadata,
        )
        intent, method = intent_future.result(), method_future.result()
        self._crash.reached("intent_answered")
        ids = {"intent": intent.id, "method": method.id}
        return self._save(attempt.apply(_E.INTENT_CREATED, at=self._clock.now(), paymongo_ids=ids))

    def _observe(self, attempt: PaymentAttempt, intent: PaymentIntent) -> AttemptUpdate:
        """Apply what PayMongo says about the intent; settle the bill when it is paid."""
        self._remember_display(attempt, intent)
        observed = map_intent_status(
            intent.status.value,
            has_payment_error=intent.last_payment_error is not None,
            was_attached=attempt.state in _ATTACHED,
        )
        paid = [p for p in intent.payments or () if p.status is PaymentStatus.PAID]
        if paid:
            # Money arrived, whatever the intent's own status says (a cancelled QR scanned late).
            observed = _E.PAID
        if len(paid) > 1 and attempt.accepts(_E.DOUBLE_PAYMENT):
            # the same QR paid twice: the second payment is the patient's money, not the bill's
            flagged = attempt.apply(_E.DOUBLE_PAYMENT, at=self._clock.now())
            return self._flag_overpayment(flagged, intent.id, "the QR code was paid twice")
        return self._apply_observed(attempt, observed, intent.id, error=intent.last_payment_error)

    def _apply_observed(
        self,
        attempt: PaymentAttempt,
        observed: AttemptEvent | None,
        paymongo_id: str,
        *,
        error: LastPaymentError | None,
    ) -> AttemptUpdate:
        now = self._clock.now()
        event = None if observed is None else reconcile_event(attempt.state, observed)
        if event is None or not attempt.accepts(event):
            return self._update(attempt)
        display = self._displays.get(attempt.id)
        changed = attempt.apply(
            event,
            at=now,
            expires_at=display.expires_at if display and event is _E.AWAITING else None,
            failure_code=error.failed_code if error else None,
            failure_message=error.failed_message if error else None,
        )
        if changed.state is _S.SUCCEEDED:
            self._crash.reached("paid_before_invoice")
            update = self._settle(changed, paymongo_id)
            if update.settlement is not None:
                self._crash.reached("invoice_committed")
            return update
        if event is _E.LATE_PAYMENT:
            return self._flag_overpayment(changed, paymongo_id, "paid after the QR code was closed")
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

    def _now(self) -> datetime:
        return self._clock.now()

    def _show(self, attempt: PaymentAttempt, display: PaymentDisplay) -> None:
        with self._lock:
            self._displays[attempt.id] = display

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
        redirect = intent.next_action.redirect if intent.next_action else None
        if redirect is not None:
            display = PaymentDisplay(
                attempt_id=attempt.id,
                bill_id=attempt.bill_id,
                method=attempt.method,
                amount=attempt.amount,
                qr_png=None,
                qr_text=redirect.url,  # the patient's phone opens the e-wallet or 3DS page
                url=redirect.url,
                expires_at=None,
                clinic_name=self._counter.clinic_name,
            )
            with self._lock:
                self._displays[attempt.id] = display
            return
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


def _card_details(card: CardDetails) -> dict[str, object]:
    return {
        "card_number": card.number.replace(" ", ""),
        "exp_month": card.exp_month,
        "exp_year": card.exp_year,
        "cvc": card.cvc,
    }


def _line_items(bill: Bill, amount: Money) -> list[LineItem]:
    """The bill's own lines when collecting all of it; one line for a part payment."""
    if amount == bill.amount_due and bill.amount_paid.is_zero and bill.discount.is_zero:
        return [
            LineItem(name=line.description, amount=line.unit_price.centavos, quantity=line.quantity)
            for line in bill.lines
        ]
    return [LineItem(name=f"Payment on bill {bill.number}", amount=amount.centavos, quantity=1)]


def _not_attached(intent: PaymentIntent) -> bool:
    return intent.status.value == "awaiting_payment_method" and intent.last_payment_error is None


def _require(bill: Bill | None) -> Bill:
    if bill is None:
        raise NotFound(
            "That bill is no longer on this counter. Refresh the list and pick it again."
        )
    return bill
