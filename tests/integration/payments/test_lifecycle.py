"""QR codes and links over their life: expiry, cancel, split and partial tenders, late money.

Money that arrives after the app moved on (an old QR paid, paid after expiry, paid twice) becomes a
case for staff, never a second tender or a second invoice.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from pos_app.domain.attempt import AttemptState
from pos_app.domain.bill import BillStatus
from pos_app.domain.errors import UserFacingError
from pos_app.domain.money import Money
from pos_app.domain.tender import TenderMethod
from pos_app.services.collect import AttemptUpdate, CollectService
from pos_app.storage import Database
from pos_sandbox.faults import FaultRule
from pos_sandbox.server import SandboxServer
from tests.integration.collect.conftest import patient_pays
from tests.integration.payments.conftest import bill_now, pending_bills
from tests.storage_reads import invoices_of

QR_LIFETIME_S = 30 * 60


def _pay(update: AttemptUpdate, *, authorize: bool = True) -> None:
    assert update.display is not None
    assert update.display.url is not None
    patient_pays(update.display.url, authorize=authorize)


def _invoice_numbers(database: Database) -> list[str]:
    with database.unit_of_work(read_only=True) as uow:
        return [invoice.number for invoice in invoices_of(uow, "01")]


def _ledger_payments(sandbox: SandboxServer) -> list[dict[str, object]]:
    return [
        entry for entry in sandbox.paymongo.ledger() if entry.get("kind", "payment") == "payment"
    ]


def test_expired_qr_then_a_new_one_paid_then_the_old_one_paid_late(
    collect: CollectService, database: Database, fresh: SandboxServer
) -> None:
    bill = pending_bills(database)[0]
    old = collect.start(bill.id, TenderMethod.QRPH, bill.balance)
    assert old.display is not None
    assert old.display.expires_at is not None
    fresh.paymongo.advance_clock(QR_LIFETIME_S + 60)
    expired = collect.refresh(old.attempt.id)
    assert expired.attempt.state is AttemptState.EXPIRED
    assert expired.display is None  # nothing left to show the patient
    new = collect.start(bill.id, TenderMethod.QRPH, bill.balance)
    _pay(new)
    assert collect.refresh(new.attempt.id).settlement is not None
    fresh.paymongo.pay_late(old.attempt.paymongo_ids["intent"])
    late = collect.refresh(old.attempt.id)
    assert late.attempt.state is AttemptState.NEEDS_REVIEW
    assert late.settlement is None
    assert [case.id for case in collect.overpayment_cases()] == [old.attempt.id]
    assert len(collect.tenders(bill.id)) == 1
    assert len(_invoice_numbers(database)) == 1
    assert len(_ledger_payments(fresh)) == 2  # both payments are real: staff refunds one


def test_a_qr_paid_twice_becomes_an_overpayment_case(
    collect: CollectService, database: Database, fresh: SandboxServer
) -> None:
    bill = pending_bills(database)[0]
    update = collect.start(bill.id, TenderMethod.QRPH, bill.balance)
    _pay(update)
    assert collect.refresh(update.attempt.id).settlement is not None
    fresh.paymongo.pay_late(update.attempt.paymongo_ids["intent"])  # a second scan
    again = collect.refresh(update.attempt.id)
    assert len(_invoice_numbers(database)) == 1
    assert again.attempt.state is AttemptState.NEEDS_REVIEW
    assert [case.id for case in collect.overpayment_cases()] == [update.attempt.id]


@pytest.mark.parametrize(
    "method", [TenderMethod.GCASH, TenderMethod.PAYMAYA, TenderMethod.CHECKOUT]
)
def test_cancel_a_link_then_a_new_one_is_allowed(
    collect: CollectService, database: Database, fresh: SandboxServer, method: TenderMethod
) -> None:
    bill = pending_bills(database)[0]
    update = collect.start(bill.id, method, bill.balance)
    with pytest.raises(UserFacingError, match="still open"):
        collect.start(bill.id, TenderMethod.QRPH, bill.balance)
    cancelled = collect.cancel(update.attempt.id)
    assert cancelled.attempt.state is AttemptState.CANCELLED
    paymongo_id = next(iter(update.attempt.paymongo_ids.values()))
    wire = fresh.paymongo.get(paymongo_id)
    status = wire.get("data", wire)["attributes"]["status"]
    assert status in {"cancelled", "expired"}
    assert collect.start(bill.id, TenderMethod.QRPH, bill.balance).attempt.is_open


def test_no_new_qr_until_paymongo_confirms_the_cancel(
    collect: CollectService, database: Database, fresh: SandboxServer
) -> None:
    bill = pending_bills(database)[0]
    update = collect.start(bill.id, TenderMethod.QRPH, bill.balance)
    rule = fresh.paymongo_faults.add(
        FaultRule(kind="error", method="POST", path_regex=r".*/cancel$")
    )
    pending = collect.cancel(update.attempt.id)  # PayMongo keeps failing: outcome unknown
    assert pending.attempt.state is AttemptState.CANCELLING
    with pytest.raises(UserFacingError, match="still open"):
        collect.start(bill.id, TenderMethod.QRPH, bill.balance)
    fresh.paymongo_faults.remove(rule)
    assert collect.cancel(update.attempt.id).attempt.state is AttemptState.CANCELLED
    assert collect.start(bill.id, TenderMethod.QRPH, bill.balance).attempt.is_open


def test_paid_just_before_the_cancel_counts_as_paid(
    collect: CollectService, database: Database
) -> None:
    bill = pending_bills(database)[0]
    update = collect.start(bill.id, TenderMethod.QRPH, bill.balance)
    _pay(update)
    after = collect.cancel(update.attempt.id)
    assert after.attempt.state is AttemptState.SUCCEEDED
    assert after.bill.status is BillStatus.PAID
    assert len(_invoice_numbers(database)) == 1


def test_split_tender_cash_gcash_and_qrph_settles_with_exactly_one_invoice(
    collect: CollectService, database: Database, fresh: SandboxServer
) -> None:
    bill = pending_bills(database)[0]
    third = Money(bill.balance.centavos // 3)
    cash = collect.pay_cash(bill.id, third, Money(1_000_000_00))
    assert cash.settlement is None
    assert cash.bill.status is BillStatus.PARTIALLY_PAID
    gcash = collect.start(bill.id, TenderMethod.GCASH, third)
    _pay(gcash)
    part = collect.refresh(gcash.attempt.id)
    assert part.settlement is None
    assert part.bill.balance == bill.balance - third - third
    qr = collect.start(bill.id, TenderMethod.QRPH, part.bill.balance)
    _pay(qr)
    settled = collect.refresh(qr.attempt.id)
    assert settled.settlement is not None
    assert [t.method for t in settled.settlement.tenders] == [
        TenderMethod.CASH,
        TenderMethod.GCASH,
        TenderMethod.QRPH,
    ]
    assert settled.bill.status is BillStatus.PAID
    assert settled.bill.balance.is_zero
    assert len(_invoice_numbers(database)) == 1
    with pytest.raises(UserFacingError):
        collect.pay_cash(bill.id, Money(100), Money(100))
    assert (
        sum(int(str(p["amount"])) for p in _ledger_payments(fresh))
        == (bill.balance - third).centavos
    )


def test_every_tender_queues_the_clinic_patch(collect: CollectService, database: Database) -> None:
    bill = pending_bills(database)[0]
    half = Money(bill.balance.centavos // 2)
    collect.pay_cash(bill.id, half, half)
    qr = collect.start(bill.id, TenderMethod.QRPH, bill.balance - half)
    _pay(qr)
    collect.refresh(qr.attempt.id)
    with database.unit_of_work(read_only=True) as uow:
        messages = [m for m in uow.outbox.next_batch(100) if m.bill_id == bill.id]
        invoice = uow.invoices.get_for_bill(bill.id)
    assert invoice is not None
    assert [m.payload["status"] for m in messages] == ["partially_paid", "paid"]
    partial, final = (m.payload for m in messages)
    assert partial["invoice_number"] is None
    assert Decimal(str(partial["amount_paid"])) == Decimal(half.centavos) / 100
    assert final["invoice_number"] == invoice.number
    assert final["paid"] is True
    assert final["payment_method"] == "qrph"
    assert str(final["payment_intent_id"]).startswith("pi_")
    assert final["payment_status"] == "succeeded"
    assert len({m.idempotency_key for m in messages}) == 2


def test_invoice_series_has_no_gaps_across_bills_and_failures(
    collect: CollectService, database: Database
) -> None:
    bills = pending_bills(database)[:4]
    for index, bill in enumerate(bills):
        declined = collect.start(bill.id, TenderMethod.QRPH, bill.balance)
        _pay(declined, authorize=False)  # a failed try must not take a number
        assert collect.refresh(declined.attempt.id).attempt.state is AttemptState.FAILED
        if index % 2:
            collect.pay_cash(bill.id, bill.balance, bill.balance)
        else:
            paid = collect.start(bill.id, TenderMethod.QRPH, bill.balance)
            _pay(paid)
            collect.refresh(paid.attempt.id)
    with database.unit_of_work(read_only=True) as uow:
        sequences = [invoice.sequence for invoice in invoices_of(uow, "01")]
        for bill in bills:
            assert bill_now(database, bill.id).status is BillStatus.PAID
    assert sequences == list(range(1, len(bills) + 1))
