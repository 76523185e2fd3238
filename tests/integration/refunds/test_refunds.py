"""Refunds against the sandbox, per method: full, partial, repeated partials up to the total, one
centavo more refused, out of window and QR Ph by hand, failed at PayMongo, an answer lost and
retried, the key window passed, completion seen only through a webhook, pending while the
balance is short. PayMongo's ledger is the oracle: never more than one refund per request."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pos_app.domain.bill import BillStatus
from pos_app.domain.errors import AmountError, NotFound, PermissionDenied, UserFacingError
from pos_app.domain.money import Money
from pos_app.domain.people import Person
from pos_app.domain.refund import Refund, RefundRoute, RefundState
from pos_app.domain.roles import Role
from pos_app.domain.tender import TenderMethod
from pos_app.paymongo import PayMongoClient
from pos_app.paymongo.models import Event
from pos_app.services.collect import CollectService
from pos_app.services.reconcile.service import ReconcileService
from pos_app.services.refunds.port import RefundChannel
from pos_app.services.refunds.service import RefundService
from pos_app.services.webhook_receiver import MonitorEventHandler
from pos_app.storage import Database
from pos_sandbox.faults import FaultRule
from pos_sandbox.server import SandboxServer
from tests.integration.collect.conftest import SandboxTimeClock
from tests.integration.refunds.conftest import SETTLE_S, PrintedSlips, SignedIn, paid_bill

API_METHODS = [
    TenderMethod.CARD,
    TenderMethod.GCASH,
    TenderMethod.GRAB_PAY,
    TenderMethod.PAYMAYA,
    TenderMethod.SHOPEE_PAY,
]


def _settle(sandbox: SandboxServer) -> None:
    sandbox.paymongo.advance_clock(SETTLE_S + 1)


def _ledger_refunds(sandbox: SandboxServer) -> list[dict[str, object]]:
    return [e for e in sandbox.paymongo.ledger() if e["kind"] == "refund"]


def _bill(database: Database, bill_id: int) -> tuple[BillStatus, Money, str | None, list[str]]:
    with database.unit_of_work(read_only=True) as uow:
        bill = uow.bills.get(bill_id)
        invoice = uow.invoices.get_for_bill(bill_id)
        kinds = [m.kind for m in uow.outbox.next_batch(500) if m.bill_id == bill_id]
    assert bill is not None
    return bill.status, bill.amount_paid, None if invoice is None else invoice.number, kinds


@pytest.mark.parametrize("method", API_METHODS)
def test_full_refund_through_paymongo(
    method: TenderMethod,
    collect: CollectService,
    refunds: RefundService,
    database: Database,
    fresh: SandboxServer,
) -> None:
    bill_id, attempt_id, amount = paid_bill(database, collect, method)
    assert attempt_id is not None
    _, _, invoice_before, _ = _bill(database, bill_id)
    [option] = refunds.options(bill_id).tenders
    assert option.route is RefundRoute.THROUGH_PAYMONGO
    assert option.method is method
    assert option.refundable == amount

    started = refunds.refund_through_paymongo(bill_id, attempt_id, amount, "duplicate", "twice")
    assert started.refund.state is RefundState.PENDING
    assert "Pending at PayMongo" in started.message
    _settle(fresh)
    done = refunds.check(started.refund.id)

    assert done.refund.state is RefundState.SUCCEEDED
    status, paid, invoice_after, kinds = _bill(database, bill_id)
    assert (status, paid) == (BillStatus.REFUNDED, Money.ZERO)
    assert invoice_after == invoice_before  # the issued invoice is never edited
    assert kinds.count("refund") == 1
    assert [e["amount"] for e in _ledger_refunds(fresh)] == [amount.centavos]
    assert refunds.options(bill_id).tenders[0].refundable == Money.ZERO


def test_partials_add_up_to_the_total_and_one_centavo_more_is_refused(
    collect: CollectService, refunds: RefundService, database: Database, fresh: SandboxServer
) -> None:
    bill_id, attempt_id, amount = paid_bill(database, collect, TenderMethod.GCASH)
    assert attempt_id is not None
    first = Money(100_00)
    view = refunds.refund_through_paymongo(bill_id, attempt_id, first, "others", "one part")
    with pytest.raises(UserFacingError, match="still on its way"):
        refunds.refund_through_paymongo(bill_id, attempt_id, first, "others", "too soon")
    _settle(fresh)
    assert refunds.check(view.refund.id).refund.state is RefundState.SUCCEEDED
    [option] = refunds.options(bill_id).tenders
    assert option.already_refunded == first  # PayMongo's own refunds[] agrees
    rest = amount - first
    view = refunds.refund_through_paymongo(bill_id, attempt_id, rest, "others", "the rest")
    _settle(fresh)
    assert refunds.check(view.refund.id).refund.state is RefundState.SUCCEEDED

    with pytest.raises(AmountError, match="already been refunded"):
        refunds.refund_through_paymongo(bill_id, attempt_id, Money(1), "others", "")
    assert sum(int(str(e["amount"])) for e in _ledger_refunds(fresh)) == amount.centavos
    assert _bill(database, bill_id)[:2] == (BillStatus.REFUNDED, Money.ZERO)


def test_one_centavo_over_what_is_left_is_refused_in_plain_words(
    collect: CollectService, refunds: RefundService, database: Database, fresh: SandboxServer
) -> None:
    bill_id, attempt_id, amount = paid_bill(database, collect, TenderMethod.CARD)
    assert attempt_id is not None
    with pytest.raises(AmountError, match=r"₱0\.01 more than is left to refund") as refused:
        refunds.refund_through_paymongo(bill_id, attempt_id, amount + Money(1), "others", "")
    assert f"At most {amount}" in refused.value.user_message
    assert _ledger_refunds(fresh) == []


def test_out_of_window_goes_by_hand_with_a_slip(
    collect: CollectService,
    refunds: RefundService,
    database: Database,
    fresh: SandboxServer,
    slips: PrintedSlips,
) -> None:
    bill_id, attempt_id, amount = paid_bill(database, collect, TenderMethod.CARD)
    assert attempt_id is not None
    fresh.paymongo.advance_clock(timedelta(days=61).total_seconds())
    [option] = refunds.options(bill_id).tenders
    assert option.route is RefundRoute.MANUAL
    assert option.why_manual is not None
    assert "60 days" in option.why_manual
    with pytest.raises(UserFacingError, match="60 days"):
        refunds.refund_through_paymongo(bill_id, attempt_id, amount, "others", "")
    view = refunds.refund_by_hand(
        bill_id,
        attempt_id,
        amount,
        "requested_by_customer",
        "",
        channel=RefundChannel.CASH,
        reference=None,
    )
    assert view.refund.manual
    assert view.slip_number == "RF-01-000001"
    assert [s.number for s in slips.slips] == ["RF-01-000001"]
    assert slips.slips[0].invoice_number == view.invoice_number is not None
    assert _ledger_refunds(fresh) == []


def test_qrph_goes_by_hand_and_slips_number_without_gaps(
    collect: CollectService,
    refunds: RefundService,
    database: Database,
    fresh: SandboxServer,
    slips: PrintedSlips,
) -> None:
    bill_id, attempt_id, amount = paid_bill(database, collect, TenderMethod.QRPH)
    assert attempt_id is not None
    [option] = refunds.options(bill_id).tenders
    assert option.route is RefundRoute.MANUAL
    assert option.why_manual is not None
    assert "QR Ph" in option.why_manual
    with pytest.raises(UserFacingError, match="QR Ph"):
        refunds.refund_through_paymongo(bill_id, attempt_id, amount, "others", "")
    with pytest.raises(UserFacingError, match="reference"):
        refunds.refund_by_hand(
            bill_id, attempt_id, amount, "others", "", channel=RefundChannel.BANK, reference=" "
        )
    half = Money(amount.centavos // 2)
    first = refunds.refund_by_hand(
        bill_id, attempt_id, half, "others", "", channel=RefundChannel.BANK, reference="BDO-1"
    )
    second = refunds.refund_by_hand(
        bill_id,
        attempt_id,
        amount - half,
        "others",
        "",
        channel=RefundChannel.E_WALLET,
        reference="GC-2",
    )
    assert [first.slip_number, second.slip_number] == ["RF-01-000001", "RF-01-000002"]
    assert slips.slips[1].reference == "GC-2"
    assert _bill(database, bill_id)[:2] == (BillStatus.REFUNDED, Money.ZERO)
    assert _ledger_refunds(fresh) == []


def test_cash_by_hand_and_only_staff_may_refund(
    collect: CollectService, refunds: RefundService, database: Database, access: SignedIn
) -> None:
    bill_id, attempt_id, amount = paid_bill(database, collect, TenderMethod.CASH)
    assert attempt_id is None
    [option] = refunds.options(bill_id).tenders
    assert option.method is TenderMethod.CASH
    assert option.route is RefundRoute.MANUAL
    access.actor = Person(id=9, name="Rita Reception", role=Role.RECEPTIONIST, active=True)
    with pytest.raises(PermissionDenied):
        refunds.refund_by_hand(
            bill_id, None, amount, "others", "", channel=RefundChannel.CASH, reference=None
        )
    access.actor = None
    with pytest.raises(PermissionDenied):
        refunds.find("")
    access.actor = Person(id=2, name="Bea Staff", role=Role.STAFF, active=True)
    part = Money(50_00)
    view = refunds.refund_by_hand(
        bill_id, None, part, "others", "", channel=RefundChannel.CASH, reference=None
    )
    assert view.refund.requested_by == "Bea Staff"
    status, paid, _, kinds = _bill(database, bill_id)
    assert (status, paid) == (BillStatus.PAID, amount - part)
    assert "refund" in kinds
    found = refunds.find(view.invoice_number or "")
    assert [b.bill_id for b in found][:1] == [bill_id]
    assert found[0].refunded == part


def test_failed_at_paymongo_then_by_hand(
    collect: CollectService, refunds: RefundService, database: Database, fresh: SandboxServer
) -> None:
    bill_id, attempt_id, amount = paid_bill(database, collect, TenderMethod.PAYMAYA)
    assert attempt_id is not None
    view = refunds.refund_through_paymongo(bill_id, attempt_id, amount, "others", "")
    assert view.refund.paymongo_refund_id is not None
    fresh.paymongo.fail(view.refund.paymongo_refund_id)
    failed = refunds.check(view.refund.id)
    assert failed.refund.state is RefundState.FAILED
    assert "by hand" in failed.message
    assert _bill(database, bill_id)[:2] == (BillStatus.PAID, amount)  # nothing went back
    [option] = refunds.options(bill_id).tenders
    assert option.refundable == amount
    done = refunds.refund_by_hand(
        bill_id, attempt_id, amount, "others", "", channel=RefundChannel.CASH, reference=None
    )
    assert done.slip_number is not None


def test_answer_lost_then_retried_makes_one_refund(
    collect: CollectService, refunds: RefundService, database: Database, fresh: SandboxServer
) -> None:
    bill_id, attempt_id, amount = paid_bill(database, collect, TenderMethod.GCASH)
    assert attempt_id is not None
    fresh.paymongo_faults.add(
        FaultRule(kind="drop_response", method="POST", path_regex="^/v1/refunds$", times=10)
    )
    fresh.paymongo_faults.add(
        FaultRule(kind="error", method="GET", path_regex="^/v1/refunds", status=503, times=10)
    )
    view = refunds.refund_through_paymongo(bill_id, attempt_id, amount, "others", "")
    assert view.refund.state is RefundState.REQUESTED  # stored; PayMongo's answer never came
    assert "keeps trying" in view.message
    fresh.paymongo_faults.clear()
    again = refunds.check(view.refund.id)  # the same Idempotency-Key: PayMongo's own refund
    assert again.refund.state is RefundState.PENDING
    assert len(_ledger_refunds(fresh)) == 1


def test_retry_after_the_key_window_reads_the_payment_first(
    collect: CollectService,
    refunds: RefundService,
    database: Database,
    fresh: SandboxServer,
    client: PayMongoClient,
) -> None:
    bill_id, attempt_id, amount = paid_bill(database, collect, TenderMethod.CARD)
    assert attempt_id is not None
    fresh.paymongo_faults.add(
        FaultRule(kind="drop_response", method="POST", path_regex="^/v1/refunds$", times=10)
    )
    fresh.paymongo_faults.add(
        FaultRule(kind="error", method="GET", path_regex="^/v1/refunds", status=503, times=10)
    )
    view = refunds.refund_through_paymongo(bill_id, attempt_id, amount, "others", "")
    fresh.paymongo_faults.clear()
    assert len(_ledger_refunds(fresh)) == 1  # PayMongo made it; the counter never heard
    fresh.paymongo.advance_clock(timedelta(hours=25).total_seconds())  # the key is forgotten
    again = refunds.check(view.refund.id)
    assert again.refund.state is RefundState.SUCCEEDED
    assert len(_ledger_refunds(fresh)) == 1


def test_completion_seen_only_through_a_webhook(
    collect: CollectService, refunds: RefundService, database: Database, fresh: SandboxServer
) -> None:
    bill_id, attempt_id, amount = paid_bill(database, collect, TenderMethod.GRAB_PAY)
    assert attempt_id is not None
    view = refunds.refund_through_paymongo(bill_id, attempt_id, amount, "others", "")
    _settle(fresh)  # PayMongo finishes it; the counter does not poll
    events = [
        e
        for e in fresh.paymongo.events()
        if e["attributes"]["type"] in {"payment.refunded", "payment.refund.updated"}
    ]
    assert events
    looked_at: list[str] = []

    class Monitor:
        def check_now(self, attempt_id: str) -> object:
            looked_at.append(attempt_id)
            return None

    handler = MonitorEventHandler(Monitor(), database, refunds=refunds)  # as the app wires it
    for event in events:
        handler.handle_event(Event.from_answer({"data": event}))
        handler.handle_event(Event.from_answer({"data": event}))  # delivered twice
    with database.unit_of_work(read_only=True) as uow:
        stored = uow.refunds.get(view.refund.id)
    assert stored is not None
    assert stored.state is RefundState.SUCCEEDED
    assert _bill(database, bill_id)[3].count("refund") == 1


def test_pending_while_the_balance_is_short(
    collect: CollectService, refunds: RefundService, database: Database, fresh: SandboxServer
) -> None:
    bill_id, attempt_id, amount = paid_bill(database, collect, TenderMethod.GCASH)
    assert attempt_id is not None
    fresh.paymongo.configure(refund_balance_short=True)
    view = refunds.refund_through_paymongo(bill_id, attempt_id, amount, "others", "")
    _settle(fresh)
    _settle(fresh)
    waiting = refunds.check(view.refund.id)
    assert waiting.refund.state is RefundState.PENDING
    assert "balance" in waiting.message
    assert [v.refund.id for v in refunds.open_refunds()] == [view.refund.id]
    assert _bill(database, bill_id)[:2] == (BillStatus.PAID, amount)
    fresh.paymongo.configure(refund_balance_short=False)
    _settle(fresh)
    assert [v.refund.state for v in refunds.recover()] == [RefundState.SUCCEEDED]


def _stored(database: Database, refund_id: str) -> Refund:
    with database.unit_of_work(read_only=True) as uow:
        refund = uow.refunds.get(refund_id)
    assert refund is not None
    return refund


def test_the_scheduled_reconciliation_finishes_open_refunds_without_webhooks(
    collect: CollectService,
    refunds: RefundService,
    database: Database,
    fresh: SandboxServer,
    client: PayMongoClient,
    access: SignedIn,
) -> None:
    bill_id, attempt_id, amount = paid_bill(database, collect, TenderMethod.CARD)
    assert attempt_id is not None
    view = refunds.refund_through_paymongo(bill_id, attempt_id, amount, "others", "")
    access.actor = None  # the counter's own work: nobody need be signed in
    _settle(fresh)
    reconcile = ReconcileService(
        database,
        client,
        collect,
        SandboxTimeClock(fresh),
        "01",
        follow_refunds=refunds.follow_open,
    )
    reconcile.run_scheduled()
    assert _stored(database, view.refund.id).state is RefundState.SUCCEEDED
    assert _bill(database, bill_id)[:2] == (BillStatus.REFUNDED, Money.ZERO)


def test_a_bill_with_no_payment_taken_here_says_why_nothing_can_be_refunded(
    refunds: RefundService, database: Database
) -> None:
    with database.unit_of_work(read_only=True) as uow:
        bill = uow.bills.list_queue(BillStatus.PENDING, 1)[0]
    with pytest.raises(NotFound, match=f"Bill {bill.number} has no payment taken in Kaha"):
        refunds.find(bill.number)
    assert refunds.find("no such patient at all") == []  # nothing matched: an empty list
