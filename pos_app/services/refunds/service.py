"""Refunds: through PayMongo when it allows, otherwise by hand with a signed refund slip.

Write-ahead, as for payments (architecture.md): a PayMongo refund is stored with its
Idempotency-Key before the request leaves, and every answer is stored before anything else is
done; after a crash ``recover`` sends it again with the same key, so PayMongo hands back the
refund it already made. A refund is then followed (``check``, ``follow_open``, webhooks through
``observe_event``) until it succeeds or fails. The bill and the clinic's outbox take in a refund
once, in the transaction that records it done; the issued invoice is never edited.

Every use case a person starts checks ``Permission.REFUND`` itself. ``recover``,
``follow_open`` and ``observe_event`` are the counter's own work (start-up, the monitor,
webhooks) and run without anyone signed in.

Threading contract: every method blocks on the database and, for PayMongo refunds, on PayMongo:
call it on a worker. Several threads may use one service (a poll and a webhook on the same
refund book it once: the bill row is locked and ``booked_at`` checked).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from pos_app.domain.attempt import PaymentAttempt
from pos_app.domain.clock import Clock
from pos_app.domain.errors import AmountError, IllegalTransition, NotFound, UserFacingError
from pos_app.domain.money import Money
from pos_app.domain.people import Person
from pos_app.domain.refund import (
    Refund,
    RefundRoute,
    RefundState,
    map_refund_status,
)
from pos_app.domain.roles import Permission
from pos_app.paymongo.api_payments import REFUND_KEY_METADATA
from pos_app.paymongo.errors import APIError, PayMongoError
from pos_app.paymongo.models import Payment, RefundReason
from pos_app.paymongo.models import Refund as WireRefund
from pos_app.services.collect.crash_points import CrashPoints
from pos_app.services.refunds import ledger, paymongo_side, reading
from pos_app.services.refunds.port import (
    PaidBill,
    RefundableTender,
    RefundChannel,
    RefundOptions,
    RefundView,
)
from pos_app.services.refunds.words import refusal_words
from pos_app.services.write_ahead import WriteAhead
from pos_app.storage import Database, UnitOfWork

if TYPE_CHECKING:
    from pos_app.paymongo import PayMongoClient
    from pos_app.paymongo.models import Event
    from pos_app.services.access.approval import Approval
    from pos_app.services.refunds.slips import SlipPrinter

log = logging.getLogger(__name__)

KEY_WINDOW = timedelta(hours=24)  # PayMongo keeps an Idempotency-Key this long (section 19)
MIN_API_REFUND = Money(100)  # PayMongo refunds ₱1.00 or more (section 8)
FIND_LIMIT = 30


class Gate(Protocol):
    """``AccessService`` as refunds use it: the signed-in person, if they may do this. Looking
    (``check``) leaves a manager override for the refund itself (``require_approved``)."""

    def require(self, permission: Permission) -> Person: ...

    def check(self, permission: Permission) -> Person: ...

    def require_approved(self, permission: Permission) -> Approval: ...


class RefundService:
    def __init__(
        self,
        database: Database,
        paymongo: PayMongoClient | None,
        clock: Clock,
        access: Gate,
        *,
        terminal_id: str,
        slips: SlipPrinter | None = None,
        crash_points: CrashPoints | None = None,
        slip_prefix: str = "RF",
    ) -> None:
        self._database = database
        self._paymongo = paymongo
        self._clock = clock
        self._access = access
        self._terminal_id = terminal_id
        self._slips = slips
        self._slip_prefix = slip_prefix
        self._steps: WriteAhead[Refund] = WriteAhead(
            database, clock, crash_points or CrashPoints(), ledger.store_refund
        )

    # -- finding what to refund ------------------------------------------------------------------

    def find(self, text: str) -> list[PaidBill]:
        """Bills with money on them, by invoice number, bill number or patient name."""
        self._access.check(Permission.REFUND)
        wanted = text.strip()
        with self._database.unit_of_work(read_only=True) as uow:
            ids: list[int] = []
            invoice = uow.invoices.get(wanted.upper()) if wanted else None
            if invoice is not None:
                ids.append(invoice.bill_id)
            rows = uow.bills.queue_rows(wanted, None, FIND_LIMIT)
            ids += [row.id for row in rows]
            found = [reading.paid_bill(uow, bill_id) for bill_id in dict.fromkeys(ids)]
        paid = [bill for bill in found if bill is not None]
        if not paid and len(rows) == 1:  # the bill is here, but no money was taken in Kaha
            raise NotFound(
                f"Bill {rows[0].number} has no payment taken in Kaha, so there is nothing to "
                "refund here. Money recorded only in the clinic's own records is refunded there."
            )
        return paid

    def options(self, bill_id: int) -> RefundOptions:
        """Each payment on the bill: what can still go back, and how (asks PayMongo)."""
        self._access.check(Permission.REFUND)
        with self._database.unit_of_work(read_only=True) as uow:
            bill = reading.paid_bill(uow, bill_id)
            if bill is None:
                raise NotFound("Nothing was paid on this bill, so there is nothing to refund.")
            money = ledger.paid_money(uow, bill_id)
            attempts = {
                m.attempt_id: ledger.attempt_of(uow, m.attempt_id) for m in money if m.attempt_id
            }
        tenders = tuple(
            self._line(m, None if m.attempt_id is None else attempts[m.attempt_id])[0]
            for m in money
        )
        return RefundOptions(bill, tenders, tuple(self._views_for_bill(bill_id)))

    # -- through PayMongo ----------------------------------------------------------------------

    def refund_through_paymongo(
        self,
        bill_id: int,
        attempt_id: str,
        amount: Money,
        reason: str,
        notes: str,
        *,
        tender_id: int | None = None,
    ) -> RefundView:
        """Refund ``amount`` of one PayMongo payment; returns once PayMongo answered (usually
        "pending"), or with the refund stored and still to send if PayMongo could not be
        reached (``check`` and start-up send it again with the same key). ``tender_id`` picks
        the line when the attempt has two on the bill (money applied from its case)."""
        self._access.check(Permission.REFUND)
        if self._paymongo is None:
            raise UserFacingError(
                "PayMongo is not connected yet, so it cannot refund now. Try again in a moment, "
                "or give the money back by hand."
            )
        with self._database.unit_of_work(read_only=True) as uow:
            money = ledger.one_payment(uow, bill_id, attempt_id, tender_id)
            attempt = ledger.attempt_of(uow, attempt_id)
            pending = [
                r
                for r in uow.refunds.list_for_bill(bill_id)
                if r.attempt_id == attempt_id and not r.state.is_terminal
            ]
        option, payment = self._line(money, attempt)
        if payment is not None:
            pending += [
                r for r in reading.stored_for(self._database, payment.id) if not r.state.is_terminal
            ]
        if pending:
            raise UserFacingError(
                "A refund of this payment is still on its way at PayMongo. Wait until it is "
                "done (the refunds list shows it) before refunding more."
            )
        if option.route is RefundRoute.MANUAL:
            raise UserFacingError(option.why_manual or "This payment goes back by hand.")
        if option.paymongo_payment_id is None:
            raise UserFacingError(
                "PayMongo could not be asked about this payment just now. Try again in a "
                "moment, or give the money back by hand."
            )
        check_amount(amount, option.refundable)
        if amount < MIN_API_REFUND:
            raise AmountError(
                f"PayMongo refunds {MIN_API_REFUND} or more. Give back {amount} by hand instead."
            )
        payment_id = option.paymongo_payment_id
        approval = self._access.require_approved(Permission.REFUND)  # an override is used here

        applied_tender = money.tender_id if money.applied else None

        def write(uow: UnitOfWork, now: datetime) -> Refund:
            cap = option.refundable
            if applied_tender is not None and payment is not None:
                # refunds of the same payment stored meanwhile from its other bill count too
                stored = uow.refunds.list_for_paymongo_payment(payment.id)
                cap = min(cap, paymongo_side.left_to_refund(payment, stored))
            self._lock_and_recheck(uow, bill_id, attempt_id, amount, cap, tender_id=money.tender_id)
            refund = _new_refund(
                approval,
                bill_id,
                attempt_id,
                amount,
                reason=reason,
                notes=notes,
                at=now,
                payment_id=payment_id,
                tender_id=applied_tender,
            )
            uow.refunds.add(refund)
            details = {"refund": refund.id, "amount": str(amount), "payment": payment_id}
            if applied_tender is not None:
                details["applied_from_case"] = attempt_id
            uow.audit.append(
                at=now,
                actor=approval.actor.name,
                action="refund_requested",
                subject=f"bill:{bill_id}",
                approver=approval.approver_name,
                details=details,
            )
            return refund

        refund = self._steps.begin(write, step="refund_committed")
        return self._view_of(self._send(refund))

    def check(self, refund_id: str) -> RefundView:
        """Look at PayMongo once for this refund (or send it again if it never got there)."""
        self._access.check(Permission.REFUND)
        return self._view_of(self._follow(self._load(refund_id)))

    def open_refunds(self) -> list[RefundView]:
        """Refunds not finished yet (PayMongo still working on them), oldest first."""
        self._access.check(Permission.REFUND)
        return [self._view_of(refund) for refund in self._open()]

    def latest(self, limit: int = 20) -> list[RefundView]:
        """The newest refunds, whatever their state (``pos-app refund status``)."""
        self._access.check(Permission.REFUND)
        with self._database.unit_of_work(read_only=True) as uow:
            refunds = uow.refunds.list_recent(limit)
        return [self._view_of(refund) for refund in refunds]

    def recover(self) -> list[RefundView]:
        """Start-up: follow every refund left open by a crash or a closed counter."""
        return self.follow_open()

    def follow_open(self) -> list[RefundView]:
        """One look at each open refund (the counter's own work; no one need be signed in)."""
        followed = []
        for refund in self._open():
            try:
                followed.append(self._view_of(self._follow(refund)))
            except PayMongoError as exc:
                log.info("refund %s not followed now: %s", refund.id, exc)
        return followed

    def observe_event(self, event: Event) -> None:
        """A webhook about refunds (it may carry the Payment with ``refunds[]``, or the Refund):
        apply what it says to the refunds this counter made."""
        from pos_app.services.webhook_receiver import refunds_in

        for wire in refunds_in(event):
            with self._database.unit_of_work(read_only=True) as uow:
                local = uow.refunds.find_by_paymongo_id(wire.id)
                key = wire.metadata.get(REFUND_KEY_METADATA)
                if local is None and key:
                    local = uow.refunds.find_by_idempotency_key(key)
            if local is None:
                log.info("webhook %s: refund %s is not this counter's", event.id, wire.id)
                continue
            self._observe(local, wire)

    # -- by hand -------------------------------------------------------------------------------

    def refund_by_hand(
        self,
        bill_id: int,
        attempt_id: str | None,
        amount: Money,
        reason: str,
        notes: str,
        *,
        channel: RefundChannel,
        reference: str | None,
        tender_id: int | None = None,
    ) -> RefundView:
        """Money given back at the counter (cash) or sent (bank / e-wallet, its reference typed
        in): recorded done at once, with a refund slip numbered in its own series, printed for
        the patient to sign. ``attempt_id`` None: the bill's cash; ``tender_id`` picks the line
        when the attempt has two on the bill (money applied from its case)."""
        self._access.check(Permission.REFUND)
        ref = (reference or "").strip() or None
        if channel.needs_reference and ref is None:
            raise UserFacingError(
                f"Type the {channel.label.lower()} reference number, so the transfer can be "
                "traced later."
            )
        with self._database.unit_of_work(read_only=True) as uow:
            money = ledger.one_payment(uow, bill_id, attempt_id, tender_id)
            attempt = ledger.attempt_of(uow, attempt_id) if attempt_id else None
        cap = self._line(money, attempt)[0].refundable
        check_amount(amount, cap)
        approval = self._access.require_approved(Permission.REFUND)  # an override is used here
        applied_tender = money.tender_id if money.applied else None

        def write(uow: UnitOfWork, now: datetime) -> Refund:
            self._lock_and_recheck(uow, bill_id, attempt_id, amount, cap, tender_id=money.tender_id)
            refund = _new_refund(
                approval,
                bill_id,
                attempt_id,
                amount,
                reason=reason,
                notes=notes,
                at=now,
                tender_id=applied_tender,
            )
            uow.refunds.add(refund)
            slip = uow.refunds.next_slip_number(self._terminal_id, self._slip_prefix)
            done = replace(
                refund.advance(RefundState.SUCCEEDED),
                channel=channel.value,
                reference=ref,
                slip_number=slip,
            )
            done = ledger.book(uow, done, now)
            uow.refunds.update(done)
            return done

        refund = self._steps.begin(write, step="slip_committed")
        view = self._view_of(refund)
        printed = self._print(refund)
        return replace(view, message=f"{view.message} {printed}".strip())

    def print_slip(self, refund_id: str) -> str:
        """Print a manual refund's slip again (marked REPRINT); returns what happened."""
        self._access.require(Permission.REFUND)
        refund = self._load(refund_id)
        if refund.slip_number is None:
            raise UserFacingError("Only refunds given back by hand have a refund slip.")
        return self._print(refund)

    def print_slip_numbered(self, slip_number: str) -> str:
        """``print_slip`` by the number on the slip (``pos-app refund slip RF-01-000001``)."""
        self._access.require(Permission.REFUND)
        with self._database.unit_of_work(read_only=True) as uow:
            refund = uow.refunds.get_by_slip(slip_number.strip().upper())
        if refund is None:
            raise NotFound(f"No refund slip {slip_number} on this counter.")
        return self.print_slip(refund.id)

    # -- steps ---------------------------------------------------------------------------------

    def _send(self, refund: Refund) -> Refund:
        """Send (or send again, same key) a stored refund PayMongo has no answer about yet."""
        assert self._paymongo is not None
        payment_id = refund.paymongo_payment_id
        assert payment_id is not None
        now = self._steps.now()
        if refund.sent_at is not None and now - refund.sent_at > KEY_WINDOW:
            # PayMongo no longer remembers the key: read the payment's refunds[] first
            payment = self._paymongo.retrieve_payment(payment_id)
            made = paymongo_side.made_with_key(payment, refund.idempotency_key)
            if made is not None:
                return self._observe(refund, made)
        refund = self._steps.save(replace(refund, sent_at=now))
        self._steps.reached("refund_sent")
        reason = (
            refund.reason if refund.reason in paymongo_side.WIRE_REASONS else RefundReason.OTHERS
        )
        try:
            wire = self._paymongo.create_refund(
                payment_id=payment_id,
                amount=refund.amount.centavos,
                reason=RefundReason(reason),
                idempotency_key=refund.idempotency_key,
                notes=paymongo_side.wire_notes(refund),
                metadata={"kaha_refund": refund.id, "kaha_bill": str(refund.bill_id)},
            )
        except APIError as refused:
            if refused.ambiguous or (refused.status or 0) >= 500 or refused.status == 429:
                log.warning(
                    "refund %s: no clear answer (%s); kept to send again", refund.id, refused
                )
                return refund
            log.warning("refund %s refused by PayMongo: %s %s", refund.id, refused.codes, refused)
            return self._advance(refund, RefundState.FAILED, failure=refusal_words(refused.codes))
        except PayMongoError as lost:
            log.warning("refund %s: answer lost (%s); kept to send again", refund.id, lost)
            return refund
        self._steps.reached("refund_answered")
        return self._observe(refund, wire)

    def _follow(self, refund: Refund) -> Refund:
        if refund.manual or refund.state.is_terminal or self._paymongo is None:
            return refund
        if refund.paymongo_refund_id is None:
            return self._send(refund)
        return self._observe(refund, self._paymongo.retrieve_refund(refund.paymongo_refund_id))

    def _observe(self, refund: Refund, wire: WireRefund) -> Refund:
        to = map_refund_status(wire.status.value)
        failure = None
        if to is RefundState.FAILED:
            failure = f"PayMongo could not complete the refund of {refund.amount}. " + (
                "Give the money back by hand instead (cash, bank or e-wallet transfer)."
            )
        return self._advance(refund, to, paymongo_refund_id=wire.id, failure=failure)

    def _advance(
        self,
        refund: Refund,
        to: RefundState,
        *,
        paymongo_refund_id: str | None = None,
        failure: str | None = None,
    ) -> Refund:
        if refund.state is to and paymongo_refund_id in (None, refund.paymongo_refund_id):
            return refund
        try:
            changed = refund.advance(to, paymongo_refund_id=paymongo_refund_id)
            if failure is not None:
                changed = replace(changed, failure=failure)
            if to is not RefundState.SUCCEEDED:
                return self._steps.apply_observed(refund, changed)
            self._steps.reached("refund_done_before_booking")
            stored = self._steps.apply_observed(
                refund, changed, book=lambda uow, r: ledger.book(uow, r, self._steps.now())
            )
            self._steps.reached("refund_booked")
            return stored
        except IllegalTransition as stale:
            log.info("refund %s moved on meanwhile: %s", refund.id, stale.detail)
            return self._load(refund.id)

    # -- helpers -------------------------------------------------------------------------------

    def _line(
        self, money: ledger.PaidMoney, attempt: PaymentAttempt | None
    ) -> tuple[RefundableTender, Payment | None]:
        return reading.refund_line(
            self._database, self._paymongo, money, attempt, self._clock.now()
        )

    def _view_of(self, refund: Refund) -> RefundView:
        return reading.refund_view(self._database, refund, self._clock.now())

    def _views_for_bill(self, bill_id: int) -> list[RefundView]:
        with self._database.unit_of_work(read_only=True) as uow:
            refunds = uow.refunds.list_for_bill(bill_id)
        return [self._view_of(refund) for refund in refunds]

    def _lock_and_recheck(
        self,
        uow: UnitOfWork,
        bill_id: int,
        attempt_id: str | None,
        amount: Money,
        cap: Money,
        *,
        tender_id: int | None,
    ) -> None:
        """Inside the write: the bill locked, the amount checked again against refunds stored
        meanwhile (two people refunding the same payment at once)."""
        uow.bills.get_for_update(bill_id)
        money = ledger.one_payment(uow, bill_id, attempt_id, tender_id)
        check_amount(amount, min(cap, money.paid.minus_floor_zero(money.refunded_here)))

    def _open(self) -> list[Refund]:
        with self._database.unit_of_work(read_only=True) as uow:
            return uow.refunds.list_open()

    def _load(self, refund_id: str) -> Refund:
        with self._database.unit_of_work(read_only=True) as uow:
            refund = uow.refunds.get(refund_id)
        if refund is None:
            raise NotFound("That refund is not on this counter's records.", detail=refund_id)
        return refund

    def _print(self, refund: Refund) -> str:
        if self._slips is None:
            return ""
        try:
            return self._slips.print_refund_slip(
                reading.refund_slip(self._database, refund), refund.bill_id
            )
        except (UserFacingError, OSError) as exc:
            log.warning("refund slip %s not printed: %s", refund.slip_number, exc)
            return f"The slip did not print ({exc}); print it again from the refunds list."


def check_amount(amount: Money, refundable: Money) -> None:
    """At most what is left of the payment; one centavo more is refused in plain words."""
    if amount.is_zero:
        raise AmountError("Type how much to give back: the refund is ₱0.00 now.")
    if refundable.is_zero:
        raise AmountError("Everything paid with this payment has already been refunded.")
    if amount > refundable:
        raise AmountError(
            f"That is {amount - refundable} more than is left to refund from this payment. "
            f"At most {refundable} can still go back."
        )


def _new_refund(
    approval: Approval,
    bill_id: int,
    attempt_id: str | None,
    amount: Money,
    *,
    reason: str,
    notes: str,
    at: datetime,
    payment_id: str | None = None,
    tender_id: int | None = None,
) -> Refund:
    """A refund written ahead, asked for by the signed-in person and approved by them or, after
    a manager override, by the approver; by hand unless PayMongo's ``payment_id`` is given."""
    return Refund.new(
        bill_id=bill_id,
        attempt_id=attempt_id,
        amount=amount,
        reason=reason.strip() or "requested_by_customer",
        requested_by=approval.actor.name,
        approved_by=approval.approver_name or approval.actor.name,
        manual=payment_id is None,
        at=at,
        notes=notes.strip(),
        paymongo_payment_id=payment_id,
        tender_id=tender_id,
    )
