"""Overpayment cases as work staff can finish: money PayMongo took beyond what a bill needed.

A case is an attempt in ``NEEDS_REVIEW``: paid after its QR code was closed, paid twice, or paid
for a bill that was already paid. It closes only through one of two things, each audited under
the signed-in person's name:

- a refund, through PayMongo or by hand (the refund service does the money; this records which
  refund answers the case, and closes it once that refund has succeeded; a failed refund opens
  the case again), or
- the money applied to an open bill of the same patient: a tender on that bill, recorded like any
  payment (invoice when covered, outbox row for the clinic server).

Either way the attempt then moves ``NEEDS_REVIEW -> SUCCEEDED`` (``REVIEWED_PAID``: staff
confirmed the money was received), which takes it off every list of cases.

Threading contract: every method blocks on the database (and, for a refund, on PayMongo through
the refund service): call it on a worker. Each checks ``Permission.REVIEW_OVERPAYMENTS`` itself.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from pos_app.domain.attempt import AttemptEvent, AttemptState, PaymentAttempt
from pos_app.domain.bill import Bill
from pos_app.domain.clock import Clock
from pos_app.domain.errors import NotFound, UserFacingError
from pos_app.domain.money import Money
from pos_app.domain.people import Person
from pos_app.domain.refund import Refund, RefundState
from pos_app.domain.roles import Permission
from pos_app.domain.tender import Tender
from pos_app.services.collect.bookkeeping import payable_bill, record_tender
from pos_app.services.collect.inputs import CounterIdentity
from pos_app.services.collect.results import Settlement
from pos_app.services.refunds.port import RefundChannel, RefundPort, RefundView
from pos_app.storage import Database, UnitOfWork
from pos_app.storage.repositories.overpayments import OverpaymentRepository, Resolution

__all__ = [
    "AccessPort",
    "AppliedCase",
    "CaseStatus",
    "OverpaymentCase",
    "OverpaymentService",
]


class AccessPort(Protocol):
    """``AccessService`` as this service uses it."""

    def require(self, permission: Permission) -> Person: ...


class CaseStatus(StrEnum):
    """Where a case stands. Closed set."""

    OPEN = "open"  # nobody has finished it (or its refund failed at PayMongo)
    REFUND_PENDING = "refund_pending"  # a refund answers it and has not succeeded yet
    CLOSED = "closed"  # refunded, or applied to another bill


@dataclass(frozen=True)
class OverpaymentCase:
    attempt: PaymentAttempt
    bill_number: str
    patient_name: str
    why: str  # plain words: "paid after the QR code was closed", "paid twice"
    status: CaseStatus
    refund: Refund | None = None  # the refund answering it, while pending

    @property
    def amount(self) -> Money:
        return self.attempt.amount

    @property
    def reference(self) -> str:
        ids = self.attempt.paymongo_ids
        return ids.get("payment") or ids.get("intent") or ids.get("checkout") or "—"


@dataclass(frozen=True)
class AppliedCase:
    """A case closed by applying its money to ``bill``; ``settlement`` when that paid it off."""

    case: OverpaymentCase
    bill: Bill
    settlement: Settlement | None


_REFUND_FAILED = "overpayment_refund_failed"


class OverpaymentService:
    """Lists open cases and closes them by a refund or by applying the money to another bill."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        access: AccessPort,
        refunds: RefundPort | None,
        counter: CounterIdentity,
    ) -> None:
        """``refunds``: None while the refund service is not there (refunding then says so)."""
        self._database = database
        self._clock = clock
        self._access = access
        self._refunds = refunds
        self._counter = counter

    # --- reading ---------------------------------------------------------------------------------

    def cases(self) -> list[OverpaymentCase]:
        """Every case not yet closed, oldest first; first closes those whose refund succeeded
        and opens again those whose refund failed."""
        self._follow_refunds()
        with self._database.unit_of_work(read_only=True) as uow:
            attempts = uow.attempts.list_in_states([AttemptState.NEEDS_REVIEW])
            resolutions = OverpaymentRepository(uow.session).for_attempts([a.id for a in attempts])
            return [self._case(uow, a, resolutions.get(a.id)) for a in attempts]

    def open_bills_for(self, attempt_id: str) -> list[Bill]:
        """The patient's bills that can take this case's money (its own bill too, if still open)."""
        with self._database.unit_of_work(read_only=True) as uow:
            attempt = self._open_case(uow, attempt_id)
            bills = OverpaymentRepository(uow.session).bills_of_same_patient(attempt.bill_id)
        return [b for b in bills if b.accepts_payment]

    # --- closing a case ----------------------------------------------------------------------

    def apply_to_bill(self, attempt_id: str, bill_id: int, note: str = "") -> AppliedCase:
        """Record the case's money as a payment on the patient's open bill ``bill_id``."""
        person = self._access.require(Permission.REVIEW_OVERPAYMENTS)
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            attempt = self._open_case(uow, attempt_id, for_update=True)
            case = self._case(uow, attempt, None)
            _nothing_given_back(uow, attempt)
            target = payable_bill(uow, bill_id, attempt.amount)
            same_patient = OverpaymentRepository(uow.session).bills_of_same_patient(attempt.bill_id)
            if target.id not in {b.id for b in same_patient}:
                raise UserFacingError(
                    f"Bill {target.number} is not {case.patient_name}'s. The money can only go "
                    "to another bill of the same patient; otherwise refund it."
                )
            tender = uow.tenders.add(
                Tender(
                    id=None,
                    bill_id=target.id,
                    method=attempt.method,
                    amount=attempt.amount,
                    attempt_id=None,
                ),
                at=now,
            )
            by_person = dataclasses.replace(self._counter, cashier=person.name)
            target, settlement = record_tender(
                uow, by_person, target, tender, intent_id=attempt.paymongo_ids.get("intent"), at=now
            )
            OverpaymentRepository(uow.session).add(
                Resolution(
                    attempt_id=attempt.id,
                    kind="applied",
                    amount=attempt.amount,
                    refund_id=None,
                    applied_bill_id=target.id,
                    tender_id=tender.id,
                    resolved_by=person.name,
                    resolved_at=now,
                    closed_at=now,
                    note=note.strip(),
                )
            )
            self._close_attempt(uow, attempt, now)
            _audit(
                uow,
                person.name,
                "overpayment_applied",
                attempt,
                now,
                bill=target.number,
                note=note.strip(),
            )
            uow.commit()
        closed = dataclasses.replace(case, status=CaseStatus.CLOSED)
        return AppliedCase(closed, target, settlement)

    def refund(
        self,
        attempt_id: str,
        *,
        reason: str,
        notes: str = "",
        through_paymongo: bool,
        channel: RefundChannel | None = None,
        reference: str | None = None,
    ) -> RefundView:
        """Give the case's money back (the whole amount), through PayMongo or by hand."""
        person = self._access.require(Permission.REVIEW_OVERPAYMENTS)
        if self._refunds is None:
            raise UserFacingError("Refunds are not available yet. Please try again in a moment.")
        with self._database.unit_of_work(read_only=True) as uow:
            attempt = self._open_case(uow, attempt_id)
        if through_paymongo:
            view = self._refunds.refund_through_paymongo(
                attempt.bill_id, attempt.id, attempt.amount, reason, notes
            )
        else:
            if channel is None:
                raise UserFacingError("Choose how the money goes back: cash, bank or e-wallet.")
            view = self._refunds.refund_by_hand(
                attempt.bill_id,
                attempt.id,
                attempt.amount,
                reason,
                notes,
                channel=channel,
                reference=reference,
            )
        now = self._clock.now()
        refund = view.refund
        with self._database.unit_of_work() as uow:
            if refund.state is not RefundState.FAILED:
                OverpaymentRepository(uow.session).add(
                    Resolution(
                        attempt_id=attempt.id,
                        kind="refund",
                        amount=refund.amount,
                        refund_id=refund.id,
                        applied_bill_id=None,
                        tender_id=None,
                        resolved_by=person.name,
                        resolved_at=now,
                        closed_at=None,
                        note=reason.strip(),
                    )
                )
            _audit(
                uow,
                person.name,
                "overpayment_refund",
                attempt,
                now,
                refund=refund.id,
                state=refund.state.value,
                reason=reason.strip(),
            )
            uow.commit()
        self._follow_refunds()  # a refund by hand, or one PayMongo finished at once, closes it
        return view

    # --- steps -------------------------------------------------------------------------------

    def _follow_refunds(self) -> None:
        """Close the cases whose refund succeeded; open again those whose refund failed."""
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            repo = OverpaymentRepository(uow.session)
            attempts = uow.attempts.list_in_states([AttemptState.NEEDS_REVIEW])
            changed = False
            for attempt_id, resolution in repo.for_attempts([a.id for a in attempts]).items():
                refund = uow.refunds.get(resolution.refund_id) if resolution.refund_id else None
                if refund is None or not refund.state.is_terminal:
                    continue
                attempt = next(a for a in attempts if a.id == attempt_id)
                changed = True
                if refund.state is RefundState.SUCCEEDED:
                    repo.close(attempt_id, now)
                    self._close_attempt(uow, attempt, now)
                    _audit(
                        uow,
                        resolution.resolved_by,
                        "overpayment_refunded",
                        attempt,
                        now,
                        refund=refund.id,
                    )
                else:
                    repo.remove(attempt_id)
                    _audit(uow, "paymongo", _REFUND_FAILED, attempt, now, refund=refund.id)
            if changed:
                uow.commit()

    def _close_attempt(self, uow: UnitOfWork, attempt: PaymentAttempt, at: datetime) -> None:
        uow.attempts.update(attempt.apply(AttemptEvent.REVIEWED_PAID, at=at))

    def _open_case(
        self, uow: UnitOfWork, attempt_id: str, *, for_update: bool = False
    ) -> PaymentAttempt:
        attempt = uow.attempts.get(attempt_id)
        if attempt is None or attempt.state is not AttemptState.NEEDS_REVIEW:
            raise NotFound(
                "This overpayment was already dealt with. Close the list and open it again.",
                detail=f"no open case for attempt {attempt_id}",
            )
        if OverpaymentRepository(uow.session).get(attempt_id, for_update=for_update) is not None:
            raise UserFacingError(
                "A refund for this overpayment is already on its way. Wait for it to finish."
            )
        return attempt

    def _case(
        self, uow: UnitOfWork, attempt: PaymentAttempt, resolution: Resolution | None
    ) -> OverpaymentCase:
        bill = _bill(uow, attempt.bill_id)
        refund = None
        if resolution is not None and resolution.refund_id is not None:
            refund = uow.refunds.get(resolution.refund_id)
        return OverpaymentCase(
            attempt=attempt,
            bill_number=bill.number,
            patient_name=bill.patient.full_name,
            why=_why(uow, attempt),
            status=CaseStatus.OPEN if resolution is None else CaseStatus.REFUND_PENDING,
            refund=refund,
        )


def _why(uow: UnitOfWork, attempt: PaymentAttempt) -> str:
    if uow.tenders.find_by_attempt(attempt.id) is not None:
        return "paid twice, or for a bill already paid"
    return "paid after its QR code was closed"


def _nothing_given_back(uow: UnitOfWork, attempt: PaymentAttempt) -> None:
    """Applying moves the case's whole amount to a bill: refused once any of it went back (or
    is on its way back) from its own bill's Refund…, or the patient would have it twice."""
    back = [
        r
        for r in uow.refunds.list_for_bill(attempt.bill_id)
        if r.attempt_id == attempt.id and r.tender_id is None and r.state is not RefundState.FAILED
    ]
    if back:
        given = Money.total(r.amount for r in back)
        number = _bill(uow, attempt.bill_id).number
        raise UserFacingError(
            f"{given.format()} of this money was already refunded from bill {number}, so it "
            "cannot go to another bill. Refund what is left instead."
        )


def _bill(uow: UnitOfWork, bill_id: int) -> Bill:
    bill = uow.bills.get(bill_id)
    if bill is None:
        raise NotFound("That bill is no longer on this counter.", detail=f"bill {bill_id}")
    return bill


def _audit(
    uow: UnitOfWork,
    actor: str,
    action: str,
    attempt: PaymentAttempt,
    at: datetime,
    **details: str,
) -> None:
    uow.audit.append(
        at=at,
        actor=actor,
        action=action,
        subject=f"bill:{attempt.bill_id}",
        details={"attempt": attempt.id, "amount": str(attempt.amount), **details},
    )
