"""GCash and GrabPay through PayMongo Sources: the counter charges a chargeable source itself."""

from __future__ import annotations

import pytest

from pos_app.domain.attempt import AttemptState
from pos_app.domain.bill import BillStatus
from pos_app.domain.errors import UserFacingError
from pos_app.domain.tender import TenderMethod
from pos_app.services.collect import AttemptUpdate, CollectService, PaymentMonitor
from pos_app.storage import Database
from pos_sandbox.server import SandboxServer
from tests.integration.collect.conftest import SandboxTimeClock, patient_pays
from tests.integration.payments.conftest import pending_bills

SOURCE_LIFETIME_S = 3600


def _page(update: AttemptUpdate) -> str:
    assert update.display is not None
    assert update.display.url is not None
    assert update.display.qr_text == update.display.url
    return update.display.url


def _payments(sandbox: SandboxServer) -> list[dict[str, object]]:
    return [entry for entry in sandbox.paymongo.ledger() if entry["kind"] == "payment"]


@pytest.mark.parametrize("method", [TenderMethod.GCASH, TenderMethod.GRAB_PAY])
def test_authorized_source_is_charged_at_once_with_the_stored_key(
    collect: CollectService, database: Database, fresh: SandboxServer, method: TenderMethod
) -> None:
    bill = pending_bills(database)[0]
    update = collect.start_source(bill.id, method, bill.balance)
    assert update.attempt.state is AttemptState.AWAITING_PAYMENT
    assert set(update.attempt.idempotency_keys) == {"source", "payment"}
    patient_pays(_page(update))
    paid = collect.refresh(update.attempt.id)
    assert paid.attempt.state is AttemptState.SUCCEEDED
    assert paid.settlement is not None
    assert paid.bill.status is BillStatus.PAID
    assert paid.settlement.tenders[-1].method is method
    charges = [
        e for e in fresh.paymongo_log.entries(path_prefix="/v1/payments") if e.method == "POST"
    ]
    assert [e.idempotency_key for e in charges] == [update.attempt.idempotency_keys["payment"]]
    assert len(_payments(fresh)) == 1
    assert collect.refresh(update.attempt.id).attempt.state is AttemptState.SUCCEEDED
    assert len(_payments(fresh)) == 1


def test_failed_on_the_ewallet_page(collect: CollectService, database: Database) -> None:
    bill = pending_bills(database)[0]
    update = collect.start_source(bill.id, TenderMethod.GCASH, bill.balance)
    patient_pays(_page(update), authorize=False)
    assert collect.refresh(update.attempt.id).attempt.state is AttemptState.FAILED
    assert collect.tenders(bill.id) == []


def test_source_expires_unpaid(
    collect: CollectService, database: Database, fresh: SandboxServer
) -> None:
    bill = pending_bills(database)[0]
    update = collect.start_source(bill.id, TenderMethod.GCASH, bill.balance)
    fresh.paymongo.advance_clock(SOURCE_LIFETIME_S + 60)
    assert collect.refresh(update.attempt.id).attempt.state is AttemptState.EXPIRED
    assert collect.start(bill.id, TenderMethod.QRPH, bill.balance).attempt.is_open


def test_cancelled_source_is_never_charged_even_if_authorized_later(
    collect: CollectService, database: Database, fresh: SandboxServer
) -> None:
    bill = pending_bills(database)[0]
    update = collect.start_source(bill.id, TenderMethod.GCASH, bill.balance)
    cancelled = collect.cancel(update.attempt.id)
    assert cancelled.attempt.state is AttemptState.CANCELLED
    patient_pays(_page(update))  # the patient authorizes the old page anyway
    assert collect.refresh(update.attempt.id).attempt.state is AttemptState.CANCELLED
    assert _payments(fresh) == []
    assert collect.tenders(bill.id) == []


def test_only_gcash_and_grabpay_have_sources(collect: CollectService, database: Database) -> None:
    bill = pending_bills(database)[0]
    with pytest.raises(UserFacingError):
        collect.start_source(bill.id, TenderMethod.PAYMAYA, bill.balance)


def test_the_monitor_charges_a_chargeable_source_at_its_next_look(
    collect: CollectService, database: Database, fresh: SandboxServer
) -> None:
    clock = SandboxTimeClock(fresh)
    monitor = PaymentMonitor(collect, clock)
    states: list[AttemptState] = []
    monitor.subscribe(lambda u: states.append(u.attempt.state))
    bill = pending_bills(database)[0]
    update = collect.start_source(bill.id, TenderMethod.GCASH, bill.balance)
    monitor.track(update)
    patient_pays(_page(update))
    fresh.paymongo.advance_clock(1.0)  # one poll interval
    for attempt_id in monitor.due(clock.now()):
        monitor.check(attempt_id)
    assert states == [AttemptState.SUCCEEDED]
    assert len(_payments(fresh)) == 1
