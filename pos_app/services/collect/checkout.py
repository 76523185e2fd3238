"""Card (or e-wallet) on the patient's own phone: PayMongo's hosted checkout session.

The session is made once with the key stored before the request (line items from the bill,
reference number = bill number); the bill is settled from the session's payments. Cancelling
expires the session at PayMongo.

Threading contract: the same as ``CollectService``, which owns one ``CheckoutFlow`` and calls it
from its own public methods; every method blocks on the database and PayMongo.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from pos_app.domain.attempt import AttemptEvent, PaymentAttempt, map_checkout_status
from pos_app.domain.bill import Bill
from pos_app.domain.money import Money
from pos_app.paymongo.models import CheckoutSession, LineItem, PaymentStatus
from pos_app.services.collect.bookkeeping import require_bill
from pos_app.services.collect.display import link_display, payment_description, payment_metadata
from pos_app.services.collect.finished import with_outcome
from pos_app.services.collect.results import AttemptUpdate

if TYPE_CHECKING:
    from pos_app.services.collect.service import CollectService

_E = AttemptEvent


class CheckoutFlow:
    def __init__(self, service: CollectService) -> None:
        self._service = service

    def drive(self, attempt: PaymentAttempt) -> AttemptUpdate:
        """Create the session if it is not stored yet (replaying its key), then look at it."""
        service = self._service
        if "checkout" in attempt.paymongo_ids:
            return self.refresh(attempt)
        with service._database.unit_of_work(read_only=True) as uow:
            bill = require_bill(uow.bills.get(attempt.bill_id))
        counter = service._counter
        service.steps.reached("intent_sent")
        session = service._paymongo.create_checkout_session(
            line_items=line_items(bill, attempt.amount),
            payment_method_types=counter.paymongo_methods.checkout_types(),
            idempotency_key=attempt.idempotency_keys["checkout"],
            reference_number=bill.number,
            description=payment_description(counter.clinic_name, bill.number),
            success_url=with_outcome(counter.finished_page, "paid"),
            cancel_url=with_outcome(counter.finished_page, "failed"),
            metadata=payment_metadata(attempt, counter.terminal_id),
        )
        service.steps.reached("intent_answered")
        ids = {"checkout": session.id}
        attempt = service.steps.save(
            attempt.apply(_E.INTENT_CREATED, at=service.steps.now(), paymongo_ids=ids)
        )
        return self.observe(attempt, session)

    def refresh(self, attempt: PaymentAttempt) -> AttemptUpdate:
        session_id = attempt.paymongo_ids["checkout"]
        return self.observe(attempt, self._service._paymongo.retrieve_checkout_session(session_id))

    def cancel(self, attempt: PaymentAttempt) -> AttemptUpdate:
        """Expire the session; a payment that beat the expiry still counts."""
        session_id = attempt.paymongo_ids["checkout"]
        session = self._service._paymongo.expire_checkout_session(session_id)
        return self.observe(attempt, session, cancelling=True)

    def observe(
        self, attempt: PaymentAttempt, session: CheckoutSession, *, cancelling: bool = False
    ) -> AttemptUpdate:
        service = self._service
        service.show(
            attempt, link_display(attempt, session.checkout_url, service._counter.clinic_name)
        )
        paid = any(payment.status is PaymentStatus.PAID for payment in session.payments)
        observed = map_checkout_status(session.status.value, has_paid_payment=paid)
        if cancelling and observed is _E.EXPIRED:
            observed = _E.CANCELLED  # expired because we asked: the receptionist cancelled it
        update = service.apply_observed(attempt, observed, session.id, error=None)
        intent = session.payment_intent
        declined = intent.last_payment_error if intent is not None and not paid else None
        if update.is_open and declined is not None:
            # the page stays open on the phone for another card: the counter keeps waiting,
            # and says why the patient may be asking for help
            reason = declined.failed_message or "the bank declined it"
            message = f"Declined on the phone: {reason.rstrip('.')}. Nothing was charged."
            return replace(update, message=message)
        return update


def line_items(bill: Bill, amount: Money) -> list[LineItem]:
    """The bill's own lines when collecting all of it; one line for a part payment."""
    if amount == bill.amount_due and bill.amount_paid.is_zero and bill.discount.is_zero:
        return [
            LineItem(name=line.description, amount=line.unit_price.centavos, quantity=line.quantity)
            for line in bill.lines
        ]
    return [LineItem(name=f"Payment on bill {bill.number}", amount=amount.centavos, quantity=1)]
