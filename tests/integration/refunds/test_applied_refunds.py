"""Money of an overpayment case applied to another bill of the same patient goes back through
PayMongo from that bill, as a refund of the case's original payment: once, pending until
PayMongo says succeeded, booked on the bill it was applied to, and never more than PayMongo can
still refund of that payment across both bills (the case's own bill and the one it went to)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest

from pos_app.domain.attempt import AttemptState
from pos_app.domain.bill import Bill, BillStatus
from pos_app.domain.errors import AmountError, UserFacingError
from pos_app.domain.money import Money
from pos_app.domain.refund import RefundRoute, RefundState
from pos_app.domain.tender import TenderMethod
from pos_app.paymongo import PayMongoClient
from pos_app.paymongo.models import RefundReason
from pos_app.services.collect import CollectService
from pos_app.services.overpayments import OverpaymentService
from pos_app.services.refunds.port import RefundableTender, RefundChannel
from pos_app.services.refunds.service import RefundService
from pos_app.storage import Database
from pos_sandbox.server import SandboxServer
from tests.integration.collect.conftest import SandboxTimeClock
from tests.integration.refunds.conftest import COUNTER, SETTLE_S, SignedIn

CASE = Money(200_00)


@dataclass(frozen=True)
class Case:
    attempt_id: str
    own_bill: int  # the case's bill
    other_bill: int  # another open bill of the same patient
    payment_id: str  # the case's payment at PayMongo


def _settle(sandbox: SandboxServer) -> None:
    sandbox.paymongo.advance_clock(SETTLE_S + 1)


def _paymongo_refunds(sandbox: SandboxServer, payment_id: str) -> list[int]:
    return [
        int(str(e["amount"]))
        for e in sandbox.paymongo.ledger()
        if e["kind"] == "refund" and e["payment_id"] == payment_id
    ]


def make_case(
    collect: CollectService, database: Database, fresh: SandboxServer, client: PayMongoClient
) -> Case:
    """A GCash payment cancelled, then paid anyway (an overpayment case on its bill), and a
    second open bill of the same patient for its money."""
    with database.unit_of_work(read_only=True) as uow:
        bill = next(
            b for b in uow.bills.list_queue(BillStatus.PENDING, 50) if b.balance > Money(300_00)
        )
    update = collect.start(bill.id, TenderMethod.GCASH, CASE)
    collect.cancel(update.attempt.id)
    intent_id = update.attempt.paymongo_ids["intent"]
    fresh.paymongo.pay_late(intent_id)
    assert collect.refresh(update.attempt.id).attempt.state is AttemptState.NEEDS_REVIEW
    [payment] = client.retrieve_payment_intent(intent_id).payments or ()
    number = f"{bill.number}-2"
    with database.unit_of_work() as uow:
        uow.bills.add(
            replace(
                bill,
                id=0,
                number=number,
                amount_due=Money(1000_00),
                amount_paid=Money.ZERO,
                status=BillStatus.PENDING,
            )
        )
        uow.commit()
        [other] = [b for b in uow.bills.list_queue(None, 100) if b.number == number]
    return Case(update.attempt.id, bill.id, other.id, payment.id)


def overpayments(
    database: Database, fresh: SandboxServer, access: SignedIn, refunds: RefundService
) -> OverpaymentService:
    return OverpaymentService(database, SandboxTimeClock(fresh), access, refunds, COUNTER)


def applied_line(refunds: RefundService, bill_id: int) -> RefundableTender:
    [line] = [t for t in refunds.options(bill_id).tenders if t.applied]
    return line


def _bill(database: Database, bill_id: int) -> Bill:
    with database.unit_of_work(read_only=True) as uow:
        bill = uow.bills.get(bill_id)
    assert bill is not None
    return bill


def test_applied_money_goes_back_through_paymongo_from_the_original_payment_once(
    collect: CollectService,
    refunds: RefundService,
    database: Database,
    fresh: SandboxServer,
    client: PayMongoClient,
    access: SignedIn,
) -> None:
    case = make_case(collect, database, fresh, client)
    overpayments(database, fresh, access, refunds).apply_to_bill(
        case.attempt_id, case.other_bill, "second visit"
    )
    paid_before = _bill(database, case.other_bill).amount_paid
    with database.unit_of_work(read_only=True) as uow:
        invoice_before = uow.invoices.get_for_bill(case.other_bill)

    line = applied_line(refunds, case.other_bill)
    assert line.route is RefundRoute.THROUGH_PAYMONGO
    assert line.paymongo_payment_id == case.payment_id
    assert (line.method, line.paid, line.refundable) == (TenderMethod.GCASH, CASE, CASE)
    assert line.window_closes_at is not None
    assert line.window_closes_at - line.paid_at == timedelta(days=180)  # GCash's window

    started = refunds.refund_through_paymongo(
        case.other_bill,
        case.attempt_id,
        CASE,
        "others",
        "second visit cancelled",
        tender_id=line.tender_id,
    )
    assert started.refund.state is RefundState.PENDING
    assert started.refund.paymongo_payment_id == case.payment_id
    assert started.refund.tender_id == line.tender_id
    assert _bill(database, case.other_bill).amount_paid == paid_before  # not before it succeeds
    refunds.follow_open()  # a second look while pending sends nothing new
    _settle(fresh)
    done = refunds.check(started.refund.id)
    refunds.follow_open()

    assert done.refund.state is RefundState.SUCCEEDED
    assert _paymongo_refunds(fresh, case.payment_id) == [CASE.centavos]
    bill = _bill(database, case.other_bill)
    assert bill.amount_paid == paid_before - CASE
    with database.unit_of_work(read_only=True) as uow:
        assert uow.invoices.get_for_bill(case.other_bill) == invoice_before  # never edited
        outbox = [m.kind for m in uow.outbox.next_batch(500) if m.bill_id == case.other_bill]
        audit = [(e.actor, e.action) for e in uow.audit.entries()]
    assert outbox.count("refund") == 1
    assert ("Bea Staff", "refund_requested") in audit
    assert ("Bea Staff", "refund_succeeded") in audit
    assert applied_line(refunds, case.other_bill).refundable == Money.ZERO
    with pytest.raises(AmountError, match="already been refunded"):
        refunds.refund_through_paymongo(
            case.other_bill, case.attempt_id, Money(100), "others", "", tender_id=line.tender_id
        )


def test_what_paymongo_already_refunded_of_the_payment_caps_the_applied_line(
    collect: CollectService,
    refunds: RefundService,
    database: Database,
    fresh: SandboxServer,
    client: PayMongoClient,
    access: SignedIn,
) -> None:
    case = make_case(collect, database, fresh, client)
    part = Money(50_00)
    service = overpayments(database, fresh, access, refunds)
    service.apply_to_bill(case.attempt_id, case.other_bill)
    # part of the payment given back at PayMongo itself (its dashboard), not through Kaha
    client.create_refund(
        payment_id=case.payment_id,
        amount=part.centavos,
        reason=RefundReason.OTHERS,
        idempotency_key=secrets.token_hex(8),
    )
    _settle(fresh)

    line = applied_line(refunds, case.other_bill)
    assert line.refundable == CASE - part  # PayMongo's own refunds[] of the payment
    with pytest.raises(AmountError, match=r"₱0\.01 more than is left"):
        refunds.refund_through_paymongo(
            case.other_bill,
            case.attempt_id,
            CASE - part + Money(1),
            "others",
            "",
            tender_id=line.tender_id,
        )
    rest = refunds.refund_through_paymongo(
        case.other_bill, case.attempt_id, CASE - part, "others", "", tender_id=line.tender_id
    )
    _settle(fresh)
    assert refunds.check(rest.refund.id).refund.state is RefundState.SUCCEEDED
    assert sum(_paymongo_refunds(fresh, case.payment_id)) == CASE.centavos

    # the patient has all of the payment back (part from PayMongo's dashboard): nothing more
    # goes back of it here, by hand either
    line = applied_line(refunds, case.other_bill)
    assert line.refundable == Money.ZERO
    with pytest.raises(AmountError, match="already been refunded"):
        refunds.refund_by_hand(
            case.other_bill,
            case.attempt_id,
            part,
            "others",
            "",
            channel=RefundChannel.CASH,
            reference=None,
            tender_id=line.tender_id,
        )


def test_the_window_counts_from_the_original_payment_not_from_applying_it(
    collect: CollectService,
    refunds: RefundService,
    database: Database,
    fresh: SandboxServer,
    client: PayMongoClient,
    access: SignedIn,
) -> None:
    case = make_case(collect, database, fresh, client)
    fresh.paymongo.advance_clock(timedelta(days=179).total_seconds())
    overpayments(database, fresh, access, refunds).apply_to_bill(case.attempt_id, case.other_bill)
    assert applied_line(refunds, case.other_bill).route is RefundRoute.THROUGH_PAYMONGO
    fresh.paymongo.advance_clock(timedelta(days=2).total_seconds())

    line = applied_line(refunds, case.other_bill)  # applied 2 days ago, paid 181 days ago
    assert line.route is RefundRoute.MANUAL
    assert line.why_manual is not None
    assert "180 days" in line.why_manual
    with pytest.raises(UserFacingError, match="180 days"):
        refunds.refund_through_paymongo(
            case.other_bill, case.attempt_id, CASE, "others", "", tender_id=line.tender_id
        )
    assert _paymongo_refunds(fresh, case.payment_id) == []
