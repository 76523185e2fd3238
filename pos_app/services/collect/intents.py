"""QR Ph, e-wallets and keyed cards through a PayMongo payment intent, exactly once.

The intent and its payment method are created in parallel, each with the key stored before the
request; then the method is attached. After a crash the flow looks the intent up before any
attach, so an attach whose answer was lost is never blindly sent again. A keyed card's number is
held in memory only while its payment method is being made.

Threading contract: the same as ``CollectService``, which owns one ``IntentFlow`` and calls it
from its own public methods; every method blocks on the database and PayMongo.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING

from pos_app.domain.attempt import AttemptEvent, AttemptState, PaymentAttempt, map_intent_status
from pos_app.domain.errors import UserFacingError
from pos_app.domain.tender import TenderMethod
from pos_app.paymongo.errors import CardDeclinedError
from pos_app.paymongo.models import PaymentIntent, PaymentStatus
from pos_app.services.collect.bookkeeping import require_bill
from pos_app.services.collect.display import intent_display, payment_description, payment_metadata
from pos_app.services.collect.finished import return_address
from pos_app.services.collect.inputs import CardDetails
from pos_app.services.collect.results import AttemptUpdate

if TYPE_CHECKING:
    from pos_app.services.collect.service import CollectService

log = logging.getLogger(__name__)

_E = AttemptEvent
_S = AttemptState
# States in which a method has been attached, so "awaiting_payment_method" means the QR lapsed.
_ATTACHED = frozenset({_S.AWAITING_PAYMENT, _S.PROCESSING, _S.CANCELLING})


class IntentFlow:
    def __init__(self, service: CollectService) -> None:
        self._service = service
        self._cards: dict[str, CardDetails] = {}  # only while the card's method is being made
        self._lock = threading.Lock()
        self._creates = ThreadPoolExecutor(max_workers=2, thread_name_prefix="paymongo-create")

    def close(self) -> None:
        self._creates.shutdown(wait=True)

    @contextmanager
    def holding_card(self, attempt_id: str, card: CardDetails) -> Iterator[None]:
        """The card is available to ``drive`` inside this block only; never stored."""
        with self._lock:
            self._cards[attempt_id] = card
        try:
            yield
        finally:
            with self._lock:
                self._cards.pop(attempt_id, None)

    def drive(self, attempt: PaymentAttempt, *, fresh: bool) -> AttemptUpdate:
        """Create what is not stored yet (replaying keys), attach unless attached, look."""
        service = self._service
        if "intent" not in attempt.paymongo_ids or "method" not in attempt.paymongo_ids:
            if attempt.method is TenderMethod.CARD and attempt.id not in self._cards:
                # the card number was never stored: after a restart it cannot be sent again
                return service._update(
                    service.steps.save(attempt.apply(_E.REJECTED, at=service.steps.now()))
                )
            attempt = self._create_intent_and_method(attempt)
        intent_id = attempt.paymongo_ids["intent"]
        intent = None if fresh else service._paymongo.retrieve_payment_intent(intent_id)
        if intent is None or _not_attached(intent):
            intent = self._attach(attempt, intent_id)
        return self.observe(attempt, intent)

    def refresh(self, attempt: PaymentAttempt) -> AttemptUpdate:
        intent_id = attempt.paymongo_ids.get("intent")
        if intent_id is None:
            return self._service._update(attempt)
        return self.observe(attempt, self._service._paymongo.retrieve_payment_intent(intent_id))

    def cancel(self, attempt: PaymentAttempt) -> AttemptUpdate:
        """Cancel the intent at PayMongo; a payment that beats the cancel still counts."""
        service = self._service
        intent_id = attempt.paymongo_ids.get("intent")
        if intent_id is None:
            # nothing was attached, so no QR or link exists that could still be paid
            return service._update(
                service.steps.save(attempt.apply(_E.CANCELLED, at=service.steps.now()))
            )
        try:
            intent = service._paymongo.cancel_payment_intent(intent_id)
        except UserFacingError:
            # Already paid or already lapsed: PayMongo refuses the cancel; its status says which.
            intent = service._paymongo.retrieve_payment_intent(intent_id)
        return self.observe(attempt, intent)

    def observe(self, attempt: PaymentAttempt, intent: PaymentIntent) -> AttemptUpdate:
        """Apply what PayMongo says about the intent; settle the bill when it is paid."""
        service = self._service
        display = intent_display(attempt, intent, service._counter.clinic_name)
        if display is not None:
            service.show(attempt, display)
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
            flagged = attempt.apply(_E.DOUBLE_PAYMENT, at=service.steps.now())
            return service._flag_overpayment(flagged, intent.id, "the QR code was paid twice")
        error = intent.last_payment_error
        return service.apply_observed(attempt, observed, intent.id, error=error)

    def _attach(self, attempt: PaymentAttempt, intent_id: str) -> PaymentIntent:
        service = self._service
        service.steps.reached("attach_sent")
        qrph = attempt.method is TenderMethod.QRPH
        try:
            intent = service._paymongo.attach_payment_intent(
                intent_id,
                payment_method_id=attempt.paymongo_ids["method"],
                return_url=None if qrph else return_address(service._counter.finished_page),
            )
        except CardDeclinedError as declined:
            # a declined card is news about the intent, not a fault: its status says declined
            intent = service._paymongo.retrieve_payment_intent(intent_id)
            log.info("card declined: %s", declined.failed_code)
        service.steps.reached("attach_answered")
        return intent

    def _create_intent_and_method(self, attempt: PaymentAttempt) -> PaymentAttempt:
        service, paymongo = self._service, self._service._paymongo
        keys = attempt.idempotency_keys
        metadata = payment_metadata(attempt, service._counter.terminal_id)
        service.steps.reached("intent_sent")
        # as the account's capabilities spell it (ShopeePay: "shopeepay" or "shopee_pay")
        method_type = service._counter.paymongo_methods.wire_type(attempt.method)
        card = self._cards.get(attempt.id)
        with service._database.unit_of_work(read_only=True) as uow:
            bill = require_bill(uow.bills.get(attempt.bill_id))
        intent_future = self._creates.submit(
            paymongo.create_payment_intent,
            amount=attempt.amount.centavos,
            payment_method_allowed=[method_type],
            idempotency_key=keys["intent"],
            description=payment_description(service._counter.clinic_name, bill.number),
            metadata=metadata,
        )
        method_future = self._creates.submit(
            paymongo.create_payment_method,
            type=method_type,
            idempotency_key=keys["method"],
            details=None if card is None else card.paymongo_details(),
            metadata=metadata,
        )
        intent, method = intent_future.result(), method_future.result()
        service.steps.reached("intent_answered")
        ids = {"intent": intent.id, "method": method.id}
        return service.steps.save(
            attempt.apply(_E.INTENT_CREATED, at=service.steps.now(), paymongo_ids=ids)
        )


def _not_attached(intent: PaymentIntent) -> bool:
    return intent.status.value == "awaiting_payment_method" and intent.last_payment_error is None
