"""Collect one payment: cash at once, PayMongo step by step, exactly once.

``CollectService`` owns the attempt's life: the write-ahead record, settling the bill and
flagging money that is not the bill's. What is said to PayMongo lives in one flow per kind of
PayMongo object: ``IntentFlow`` (QR Ph, e-wallets, keyed cards), ``CheckoutFlow`` (card on the
patient's phone) and ``SourceFlow`` (GCash/GrabPay through Sources); the bill's bookkeeping is
in ``bookkeeping``.

Threading contract: every public method blocks on the database and on PayMongo; call it from a
network worker, never from the GUI thread. Several threads may use one service: each step runs in
its own unit of work, and the bill row is locked while a tender is recorded.

Write-ahead: the attempt and every idempotency key it will use are committed before the first
request leaves; each answer is committed before the next request. After a crash, ``refresh``
picks the attempt up where it stopped and replays any create with the same key, so PayMongo hands
back the object it already made instead of a second one.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Sequence

from pos_app.domain.account_methods import AccountMethods
from pos_app.domain.amount_limits import check_amount_limit
from pos_app.domain.attempt import (
    AttemptEvent,
    AttemptState,
    PaymentAttempt,
    reconcile_event,
)
from pos_app.domain.bill import Bill
from pos_app.domain.clock import Clock
from pos_app.domain.errors import AmountError, IllegalTransition, NotFound, UserFacingError
from pos_app.domain.money import Money
from pos_app.domain.tender import SOURCE_METHODS, Tender, TenderMethod
from pos_app.paymongo import PayMongoClient
from pos_app.paymongo.errors import PayMongoError, failed_payment_message
from pos_app.paymongo.models import LastPaymentError
from pos_app.services.collect.bookkeeping import (
    add_walk_in_bill,
    audit_overpayment,
    payable_bill,
    record_tender,
    require_bill,
)
from pos_app.services.collect.checkout import CheckoutFlow
from pos_app.services.collect.crash_points import CrashPoints
from pos_app.services.collect.inputs import CardDetails, CounterIdentity
from pos_app.services.collect.intents import IntentFlow
from pos_app.services.collect.results import AttemptUpdate, CashResult, PaymentDisplay
from pos_app.services.collect.sources import SOURCE_STEPS, SourceFlow, is_source_attempt
from pos_app.services.write_ahead import WriteAhead
from pos_app.storage import Database, UnitOfWork

log = logging.getLogger(__name__)

_E = AttemptEvent
_S = AttemptState
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
        # the write-ahead steps refunds use too: the clock, crash points, compare-and-set save
        self.steps: WriteAhead[PaymentAttempt] = WriteAhead(
            database, clock, self._crash, _store_attempt
        )
        self._displays: dict[str, PaymentDisplay] = {}
        self._lock = threading.Lock()
        self._sources = SourceFlow(self)
        self._checkout = CheckoutFlow(self)
        self._intents = IntentFlow(self)

    def close(self) -> None:
        self._intents.close()

    def use_account_methods(self, methods: AccountMethods) -> None:
        """What the PayMongo account takes, once PayMongo said so: start-up asks it after cash
        is already on, so the service starts with the assumed set (one reference swap)."""
        self._counter = dataclasses.replace(self._counter, paymongo_methods=methods)

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
            bill = payable_bill(uow, bill_id, amount)
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
                terminal_id=self._counter.terminal_id,
            )
            bill, settlement = record_tender(
                uow, self._counter, bill, tender, intent_id=None, at=now
            )
            uow.commit()
        if settlement is not None:
            self.steps.reached("invoice_committed")
        return CashResult(
            tender=tender, change_due=tender.change_due, bill=bill, settlement=settlement
        )

    # -- PayMongo --------------------------------------------------------------------------------

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
        self.steps.save(
            attempt.apply(_E.REJECTED, at=self._clock.now(), failure_message=exc.user_message)
        )

    def start_source(self, bill_id: int, method: TenderMethod, amount: Money) -> AttemptUpdate:
        """GCash or GrabPay through a PayMongo Source: its checkout page shown as a QR code."""
        if method not in SOURCE_METHODS:
            raise UserFacingError("Only GCash and GrabPay can be paid through their own page.")
        attempt = self._write_ahead(bill_id, method, amount, steps=SOURCE_STEPS, via_source=True)
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
        try:
            with self._intents.holding_card(attempt.id, card):
                return self._drive(attempt, fresh=True)
        except PayMongoError as exc:
            self._close_unshown(attempt.id, exc)
            raise

    def open_walk_in(self, patient_name: str, lines: Sequence[tuple[str, int, Money]]) -> Bill:
        """A bill made at the counter for someone the clinic server has no bill for yet."""
        with self._database.unit_of_work() as uow:
            bill = add_walk_in_bill(uow, self._counter, patient_name, lines, at=self._clock.now())
            uow.commit()
        return bill

    def refresh(self, attempt_id: str) -> AttemptUpdate:
        """One look at PayMongo for this attempt: apply what changed, settle the bill if paid.

        If the attempt moved on while PayMongo answered (a webhook or another look got there
        first), the stale answer is dropped and the attempt is shown as it now stands."""
        try:
            return self._refresh(attempt_id)
        except IllegalTransition as stale:
            log.info("payment %s changed meanwhile: %s", attempt_id, stale.detail)
            return self._update(self._load(attempt_id))

    def _refresh(self, attempt_id: str) -> AttemptUpdate:
        attempt = self._load(attempt_id)
        if is_source_attempt(attempt):
            return self._sources.refresh(attempt)
        if attempt.state in (_S.CREATED, _S.CREATING):
            return self._drive(attempt, fresh=False)
        if "checkout" in attempt.paymongo_ids:
            return self._checkout.refresh(attempt)
        return self._intents.refresh(attempt)

    def cancel(self, attempt_id: str) -> AttemptUpdate:
        """Cancel the QR code at PayMongo; a payment that beats the cancel still counts."""
        try:
            return self._cancel(attempt_id)
        except IllegalTransition as stale:
            log.info("payment %s changed while cancelling: %s", attempt_id, stale.detail)
            return self._update(self._load(attempt_id))

    def _cancel(self, attempt_id: str) -> AttemptUpdate:
        attempt = self._load(attempt_id)
        if attempt.is_terminal:
            return self._update(attempt)
        if is_source_attempt(attempt):
            return self._sources.cancel(attempt)
        if not attempt.accepts(_E.CANCEL_REQUESTED):
            return self._update(attempt)  # processing: money is moving and cannot be stopped
        attempt = self.steps.save(attempt.apply(_E.CANCEL_REQUESTED, at=self._clock.now()))
        if "checkout" in attempt.paymongo_ids:
            return self._checkout.cancel(attempt)
        return self._intents.cancel(attempt)

    def open_attempts(self) -> list[PaymentAttempt]:
        """This counter's open attempts only: another counter's QR is that counter's to watch."""
        with self._database.unit_of_work(read_only=True) as uow:
            return uow.attempts.list_open(terminal_id=self._counter.terminal_id)

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
        via_source: bool = False,
    ) -> PaymentAttempt:
        """Store the attempt with the keys of every request it may make (``steps``: only those).
        Refuses first, with nothing stored or sent, what PayMongo would refuse: a method the
        account lacks, an amount outside PayMongo's limits for the method."""
        self._counter.paymongo_methods.require(method)
        check_amount_limit(method, amount, via_source=via_source)
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            payable_bill(uow, bill_id, amount)
            attempt = PaymentAttempt.new(bill_id=bill_id, method=method, amount=amount, at=now)
            if steps is not None:
                keys = {step: attempt.idempotency_keys[step] for step in steps}
                attempt = dataclasses.replace(attempt, idempotency_keys=keys)
            uow.attempts.add(attempt, terminal_id=self._counter.terminal_id)
            uow.audit.append(
                at=now,
                actor=self._counter.actor,
                action="payment_started",
                subject=f"bill:{bill_id}",
                details={"attempt": attempt.id, "method": method.value, "amount": str(amount)},
            )
            uow.commit()
        self.steps.reached("attempt_committed")
        return attempt

    def _drive(self, attempt: PaymentAttempt, *, fresh: bool) -> AttemptUpdate:
        if attempt.state is _S.CREATED:
            attempt = self.steps.save(attempt.apply(_E.REQUEST_SENT, at=self._clock.now()))
        if attempt.method is TenderMethod.CHECKOUT:
            return self._checkout.drive(attempt)
        return self._intents.drive(attempt, fresh=fresh)

    def apply_observed(
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
            failure_code=(error.failed_code or "unknown") if error else None,
            failure_message=error.failed_message if error else None,
        )
        if error is not None and changed.state is _S.FAILED:
            log.warning(
                "payment %s failed at PayMongo: %s (%s)",
                attempt.id,
                error.failed_code,
                error.failed_message,
            )
        if changed.state is _S.SUCCEEDED:
            self.steps.reached("paid_before_invoice")
            update = self._settle(changed, paymongo_id)
            if update.settlement is not None:
                self.steps.reached("invoice_committed")
            return update
        if event is _E.LATE_PAYMENT:
            return self._flag_overpayment(changed, paymongo_id, "paid after the QR code was closed")
        return self._update(self.steps.apply_observed(attempt, changed))

    def _settle(self, attempt: PaymentAttempt, intent_id: str) -> AttemptUpdate:
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            bill = require_bill(uow.bills.get_for_update(attempt.bill_id))
            if uow.tenders.find_by_attempt(attempt.id) is not None:
                uow.attempts.update(attempt)  # the tender is already in: only the state was behind
                uow.commit()
                return self._update(attempt)
            if attempt.amount > bill.balance:
                # Cash or another QR paid the bill meanwhile: this money is extra.
                flagged = attempt.apply(_E.DOUBLE_PAYMENT, at=now)
                uow.attempts.update(flagged)
                audit_overpayment(uow, flagged, intent_id, "the bill was already paid", now)
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
                terminal_id=self._counter.terminal_id,
            )
            bill, settlement = record_tender(
                uow, self._counter, bill, tender, intent_id=intent_id, at=now
            )
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
            audit_overpayment(uow, attempt, intent_id, reason, self._clock.now())
            uow.commit()
        return self._update(attempt)

    # -- helpers --------------------------------------------------------------------------------

    def show(self, attempt: PaymentAttempt, display: PaymentDisplay) -> None:
        """What the patient scans or opens for this attempt, kept for the screens."""
        with self._lock:
            self._displays[attempt.id] = display

    def _load(self, attempt_id: str) -> PaymentAttempt:
        """The attempt if it is this counter's: never poll or settle another counter's QR."""
        with self._database.unit_of_work(read_only=True) as uow:
            attempt = uow.attempts.get(attempt_id, terminal_id=self._counter.terminal_id)
        if attempt is None:
            raise NotFound("That payment is no longer on this counter.", detail=attempt_id)
        return attempt

    def _update(self, attempt: PaymentAttempt) -> AttemptUpdate:
        with self._database.unit_of_work(read_only=True) as uow:
            bill = require_bill(uow.bills.get(attempt.bill_id))
        display = self._displays.get(attempt.id) if attempt.is_open else None
        message = MESSAGES[attempt.state]
        if attempt.state is _S.FAILED:
            # a refused start keeps Kaha's own words; a failure PayMongo reports gets the
            # receptionist's words (PayMongo's own are in the log, see apply_observed)
            message = (
                attempt.failure_message
                if attempt.failure_message and not attempt.failure_code
                else failed_payment_message(
                    attempt.failure_code, card=attempt.method is TenderMethod.CARD
                )
            )
        return AttemptUpdate(attempt, bill, display, None, message)


def _store_attempt(uow: UnitOfWork, attempt: PaymentAttempt) -> PaymentAttempt:
    """Store a transitioned attempt (compare-and-set: IllegalTransition if it moved on)."""
    uow.attempts.update(attempt)
    return attempt.saved()
