"""GCash and GrabPay through PayMongo Sources (the legacy e-wallet flow), exactly once.

The patient authorizes on the e-wallet page (the source's ``checkout_url``, shown as a QR code);
the source turns ``chargeable`` and no money has moved yet: the counter must create the Payment
itself, at once, with the idempotency key it stored before the first request. The bill is paid
only when that Payment is. A source attempt holds only the keys of the two requests it may make
("source" and "payment"), which is also how recovery knows it is one.

Because money moves only when the counter creates the Payment, cancelling is local: a cancelled
attempt is never charged, even if the patient authorizes afterwards (the source then expires
unpaid at PayMongo).

Threading contract: the same as ``CollectService``, which owns one ``SourceFlow`` and calls it from
its own public methods; every method blocks on the database and PayMongo.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_app.domain.attempt import (
    AttemptEvent,
    AttemptState,
    PaymentAttempt,
    map_payment_status,
    map_source_status,
)
from pos_app.paymongo.models import Payment, Source
from pos_app.services.collect.bookkeeping import require_bill
from pos_app.services.collect.display import link_display, payment_description, payment_metadata
from pos_app.services.collect.finished import return_address, with_outcome
from pos_app.services.collect.results import AttemptUpdate

if TYPE_CHECKING:
    from pos_app.services.collect.service import CollectService

_E = AttemptEvent
_S = AttemptState
SOURCE_STEPS = ("source", "payment")


def is_source_attempt(attempt: PaymentAttempt) -> bool:
    return "source" in attempt.idempotency_keys and "intent" not in attempt.idempotency_keys


class SourceFlow:
    def __init__(self, service: CollectService) -> None:
        self._service = service

    def drive(self, attempt: PaymentAttempt) -> AttemptUpdate:
        """Create the source if it is not stored yet (replaying its key), then look at it."""
        service = self._service
        if attempt.state is _S.CREATED:
            attempt = service.steps.save(attempt.apply(_E.REQUEST_SENT, at=service.steps.now()))
        if "source" in attempt.paymongo_ids:
            return self.refresh(attempt)
        service.steps.reached("source_sent")
        source = service._paymongo.create_source(
            type=attempt.method.value,
            amount=attempt.amount.centavos,
            success_url=return_address(with_outcome(service._counter.finished_page, "paid")),
            failed_url=return_address(with_outcome(service._counter.finished_page, "failed")),
            idempotency_key=attempt.idempotency_keys["source"],
            description=self._description(attempt),
            metadata=payment_metadata(attempt, self._service._counter.terminal_id),
        )
        service.steps.reached("source_answered")
        attempt = service.steps.save(
            attempt.apply(
                _E.INTENT_CREATED, at=service.steps.now(), paymongo_ids={"source": source.id}
            )
        )
        return self._observe_source(attempt, source)

    def refresh(self, attempt: PaymentAttempt) -> AttemptUpdate:
        service = self._service
        if attempt.state in (_S.CREATED, _S.CREATING) and "source" not in attempt.paymongo_ids:
            return self.drive(attempt)
        if "payment" in attempt.paymongo_ids:
            payment = service._paymongo.retrieve_payment(attempt.paymongo_ids["payment"])
            return self._observe_payment(attempt, payment)
        source = service._paymongo.retrieve_source(attempt.paymongo_ids["source"])
        return self._observe_source(attempt, source)

    def cancel(self, attempt: PaymentAttempt) -> AttemptUpdate:
        """Local: PayMongo has no cancel for sources, and no money moves unless we charge."""
        service = self._service
        if attempt.state is _S.PROCESSING:
            return service._update(attempt)  # the Payment is being made: it cannot be stopped
        attempt = service.steps.save(attempt.apply(_E.CANCEL_REQUESTED, at=service.steps.now()))
        if attempt.is_open:
            attempt = service.steps.save(attempt.apply(_E.CANCELLED, at=service.steps.now()))
        return service._update(attempt)

    def _observe_source(self, attempt: PaymentAttempt, source: Source) -> AttemptUpdate:
        service = self._service
        if source.checkout_url:
            clinic_name = service._counter.clinic_name
            service.show(attempt, link_display(attempt, source.checkout_url, clinic_name))
        observed = map_source_status(source.status.value)
        if observed in (_E.PROCESSING_STARTED, _E.PAID) and attempt.is_open:
            # chargeable (or paid by our own earlier, unrecorded, request): charge it now; the
            # stored key makes a repeat hand back the Payment already made.
            if attempt.state is not _S.PROCESSING:
                attempt = service.steps.save(
                    attempt.apply(_E.PROCESSING_STARTED, at=service.steps.now())
                )
            return self._charge(attempt, source)
        if observed is _E.PAID:
            return service._update(attempt)  # only we charge sources: nothing arrives late
        return service.apply_observed(attempt, observed, source.id, error=None)

    def _charge(self, attempt: PaymentAttempt, source: Source) -> AttemptUpdate:
        service = self._service
        attempt = service.steps.save(attempt.apply(_E.REQUEST_SENT, at=service.steps.now()))
        service.steps.reached("payment_sent")
        payment = service._paymongo.create_payment(
            source_id=source.id,
            amount=source.amount,
            idempotency_key=attempt.idempotency_keys["payment"],
            description=self._description(attempt),
            metadata=payment_metadata(attempt, self._service._counter.terminal_id),
        )
        service.steps.reached("payment_answered")
        attempt = service.steps.save(
            attempt.apply(
                _E.INTENT_CREATED, at=service.steps.now(), paymongo_ids={"payment": payment.id}
            )
        )
        return self._observe_payment(attempt, payment)

    def _description(self, attempt: PaymentAttempt) -> str:
        service = self._service
        with service._database.unit_of_work(read_only=True) as uow:
            bill = require_bill(uow.bills.get(attempt.bill_id))
        return payment_description(service._counter.clinic_name, bill.number)

    def _observe_payment(self, attempt: PaymentAttempt, payment: Payment) -> AttemptUpdate:
        observed = map_payment_status(payment.status.value)
        return self._service.apply_observed(attempt, observed, payment.id, error=None)
