"""Collecting payments end to end against the sandbox over real sockets."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from pos_app.domain.attempt import AttemptState
from pos_app.domain.bill import BillStatus
from pos_app.domain.errors import AmountError, UserFacingError
from pos_app.domain.money import Money
from pos_app.domain.tender import TenderMethod
from pos_app.services.collect import CollectService, PaymentMonitor
from pos_app.storage import Database
from pos_sandbox.server import SandboxServer
from tests.integration.collect.conftest import SandboxTimeClock, patient_pays, still_watched
from tests.storage_reads import invoices_of


def _open_bill(database: Database) -> int:
    with database.unit_of_work(read_only=True) as uow:
        bill = next(
            b
            for b in uow.bills.list_queue(BillStatus.PENDING, 50)
            if b.amount_due.centavos > 100_00
        )
    return bill.id


def _bill(database: Database, bill_id: int):  # type: ignore[no-untyped-def]
    with database.unit_of_work(read_only=True) as uow:
        return uow.bills.get(bill_id)


def _ledger_payments(sandbox: SandboxServer) -> list[dict[str, object]]:
    return [
        entry for entry in sandbox.paymongo.ledger() if entry.get("kind", "payment") == "payment"
    ]


def test_qrph_paid_by_the_patient_settles_the_bill_with_one_invoice(
    collect: CollectService, database: Database, fresh: SandboxServer
) -> None:
    bill_id = _open_bill(database)
    bill = _bill(database, bill_id)
    update = collect.start(bill_id, TenderMethod.QRPH, bill.balance)
    assert update.attempt.state is AttemptState.AWAITING_PAYMENT
    assert update.display is not None
    assert update.display.qr_png is not None
    assert update.display.qr_png.startswith(b"\x89PNG")
    assert update.display.expires_at is not None
    assert update.display.url is not None
    # every create carried the key stored before it was sent
    keys = {entry.idempotency_key for entry in fresh.paymongo_log.entries(path_prefix="/v1/")}
    assert update.attempt.idempotency_keys["intent"] in keys
    assert update.attempt.idempotency_keys["method"] in keys

    patient_pays(update.display.url)
    paid = collect.refresh(update.attempt.id)
    assert paid.attempt.state is AttemptState.SUCCEEDED
    assert paid.settlement is not None
    assert paid.settlement.invoice.number == "MAIN-01-000001"
    assert paid.bill.status is BillStatus.PAID
    # looking again changes nothing and issues no second invoice
    again = collect.refresh(update.attempt.id)
    assert again.settlement is None
    with database.unit_of_work(read_only=True) as uow:
        assert len(invoices_of(uow, "01")) == 1
        assert len(uow.tenders.list_for_bill(bill_id)) == 1
        assert uow.outbox.pending_count() == 1


def test_split_tender_cash_then_qrph(collect: CollectService, database: Database) -> None:
    bill_id = _open_bill(database)
    bill = _bill(database, bill_id)
    cash_part = Money(bill.balance.centavos // 2)
    cash = collect.pay_cash(bill_id, cash_part, tendered=cash_part + Money(50_00))
    assert cash.change_due == Money(50_00)
    assert cash.settlement is None
    assert cash.bill.status is BillStatus.PARTIALLY_PAID
    update = collect.start(bill_id, TenderMethod.QRPH, cash.bill.balance)
    assert update.display is not None
    assert update.display.url is not None
    patient_pays(update.display.url)
    paid = collect.refresh(update.attempt.id)
    assert paid.settlement is not None
    assert [t.method for t in paid.settlement.tenders] == [TenderMethod.CASH, TenderMethod.QRPH]
    assert paid.bill.balance.is_zero


def test_one_live_qr_per_bill_and_no_cash_while_it_is_open(
    collect: CollectService, database: Database
) -> None:
    bill_id = _open_bill(database)
    balance = _bill(database, bill_id).balance
    collect.start(bill_id, TenderMethod.QRPH, balance)
    with pytest.raises(UserFacingError, match="still open"):
        collect.start(bill_id, TenderMethod.QRPH, balance)
    with pytest.raises(UserFacingError, match="still open"):
        collect.pay_cash(bill_id, balance, balance)


def test_more_than_the_balance_is_refused_in_plain_words(
    collect: CollectService, database: Database
) -> None:
    bill_id = _open_bill(database)
    balance = _bill(database, bill_id).balance
    with pytest.raises(AmountError, match="more than the balance"):
        collect.pay_cash(bill_id, balance + Money(1), balance + Money(1))
    with pytest.raises(AmountError, match="less than"):
        collect.pay_cash(bill_id, balance, Money(1))


def test_cancel_then_a_late_scan_becomes_an_overpayment_case(
    collect: CollectService, database: Database, fresh: SandboxServer
) -> None:
    bill_id = _open_bill(database)
    update = collect.start(bill_id, TenderMethod.QRPH, _bill(database, bill_id).balance)
    cancelled = collect.cancel(update.attempt.id)
    assert cancelled.attempt.state is AttemptState.CANCELLED
    # a new QR may now be made for the bill
    second = collect.start(bill_id, TenderMethod.QRPH, Money(100_00))
    assert second.attempt.state is AttemptState.AWAITING_PAYMENT
    # the patient pays the old, cancelled QR anyway
    fresh.paymongo.pay_late(update.attempt.paymongo_ids["intent"])
    late = collect.refresh(update.attempt.id)
    assert late.attempt.state is AttemptState.NEEDS_REVIEW
    assert [a.id for a in collect.overpayment_cases()] == [update.attempt.id]
    with database.unit_of_work(read_only=True) as uow:
        assert uow.invoices.get_for_bill(bill_id) is None
        assert uow.tenders.list_for_bill(bill_id) == []


def test_expiry_by_the_clock(
    collect: CollectService, database: Database, fresh: SandboxServer
) -> None:
    bill_id = _open_bill(database)
    update = collect.start(bill_id, TenderMethod.QRPH, _bill(database, bill_id).balance)
    fresh.paymongo.advance_clock(31 * 60)
    expired = collect.refresh(update.attempt.id)
    assert expired.attempt.state is AttemptState.EXPIRED
    assert "expired" in expired.message


def test_failed_test_payment_is_declined(collect: CollectService, database: Database) -> None:
    bill_id = _open_bill(database)
    update = collect.start(bill_id, TenderMethod.QRPH, _bill(database, bill_id).balance)
    assert update.display is not None
    assert update.display.url is not None
    patient_pays(update.display.url, authorize=False)
    failed = collect.refresh(update.attempt.id)
    assert failed.attempt.state is AttemptState.FAILED
    assert failed.bill.status is BillStatus.PENDING


def test_monitor_sees_the_payment_and_tells_listeners(
    collect: CollectService, database: Database, fresh: SandboxServer
) -> None:
    clock = SandboxTimeClock(fresh)
    monitor = PaymentMonitor(collect, clock)
    seen: list[AttemptState] = []
    monitor.subscribe(lambda update: seen.append(update.attempt.state))
    bill_id = _open_bill(database)
    update = collect.start(bill_id, TenderMethod.QRPH, _bill(database, bill_id).balance)
    monitor.track(update)
    assert monitor.due(clock.now()) == []  # not before its first interval
    fresh.paymongo.advance_clock(1.5)
    due = monitor.due(clock.now())
    assert due == [update.attempt.id]
    assert monitor.due(clock.now()) == []  # one request in flight per payment
    assert update.display is not None
    assert update.display.url is not None
    patient_pays(update.display.url)
    result = monitor.check(due[0])
    assert result.attempt.state is AttemptState.SUCCEEDED
    assert seen == [AttemptState.SUCCEEDED]
    assert still_watched(monitor, clock) == set()


def test_recovery_replays_the_stored_keys_and_finishes_the_payment(
    collect: CollectService, database: Database, fresh: SandboxServer
) -> None:
    bill_id = _open_bill(database)
    balance = _bill(database, bill_id).balance
    first = collect.start(bill_id, TenderMethod.QRPH, balance)
    intents_before = len(fresh.paymongo.objects("payment_intent"))
    # pretend the app died after sending the creates but before storing their answers
    with database.unit_of_work() as uow:
        uow.session.execute(
            text("DELETE FROM attempt_paymongo_ids WHERE attempt_id = :id"),
            {"id": first.attempt.id},
        )
        uow.session.execute(
            text("UPDATE payment_attempts SET state = 'creating' WHERE id = :id"),
            {"id": first.attempt.id},
        )
        uow.commit()
    monitor = PaymentMonitor(collect, SandboxTimeClock(fresh))
    recovered = monitor.recover()
    assert [u.attempt.id for u in recovered] == [first.attempt.id]
    assert recovered[0].attempt.paymongo_ids["intent"] == first.attempt.paymongo_ids["intent"]
    assert len(fresh.paymongo.objects("payment_intent")) == intents_before  # no second intent
    assert recovered[0].display is not None
    assert recovered[0].display.url is not None
    patient_pays(recovered[0].display.url)
    assert collect.refresh(first.attempt.id).bill.status is BillStatus.PAID
    assert len(_ledger_payments(fresh)) == 1
