"""The optional webhook receiver: PayMongo's events make the monitor look at a payment at once."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from pos_app.domain.attempt import AttemptState
from pos_app.domain.tender import TenderMethod
from pos_app.paymongo.webhooks import SIGNATURE_HEADER, compute_signature
from pos_app.services.collect import CollectService, PaymentMonitor
from pos_app.services.webhook_receiver import MonitorEventHandler, WebhookReceiver
from pos_app.storage import Database
from pos_sandbox.server import SandboxServer
from tests.integration.collect.conftest import SandboxTimeClock, make_client, patient_pays
from tests.integration.payments.conftest import WAIT_S, Watched, free_port, pending_bills
from tests.storage_reads import invoices_of

EVENTS = ["payment.paid", "payment.failed", "checkout_session.payment.paid", "qrph.expired"]


@dataclass
class Wiring:
    monitor: PaymentMonitor
    watched: Watched
    receiver: WebhookReceiver
    secret: str


@pytest.fixture
def wired(collect: CollectService, database: Database, fresh: SandboxServer) -> Iterator[Wiring]:
    clock = SandboxTimeClock(fresh)
    monitor = PaymentMonitor(collect, clock)
    watched = Watched()
    monitor.subscribe(watched)
    port = free_port()
    with make_client(fresh) as client:
        hook = client.create_webhook(
            url=f"http://127.0.0.1:{port}/paymongo/webhook",
            events=EVENTS,
            idempotency_key=secrets.token_hex(16),
        )
    receiver = WebhookReceiver(
        port, hook.secret_key, False, MonitorEventHandler(monitor, database), database, clock=clock
    )
    receiver.start()
    yield Wiring(monitor, watched, receiver, hook.secret_key)
    receiver.stop()


def test_paid_event_settles_the_bill_without_waiting_for_a_poll(
    collect: CollectService,
    database: Database,
    wired: Wiring,
) -> None:
    monitor, watched = wired.monitor, wired.watched
    bill = pending_bills(database)[0]
    update = collect.start(bill.id, TenderMethod.QRPH, bill.balance)
    monitor.track(update)  # nobody calls due(): only the webhook can tell the monitor
    assert update.display is not None
    assert update.display.url is not None
    patient_pays(update.display.url)
    paid = watched.wait_for(update.attempt.id, AttemptState.SUCCEEDED)
    assert paid.settlement is not None


def test_late_payment_on_a_cancelled_qr_is_noticed_through_the_webhook(
    collect: CollectService,
    database: Database,
    fresh: SandboxServer,
    wired: Wiring,
) -> None:
    watched = wired.watched
    bill = pending_bills(database)[0]
    update = collect.start(bill.id, TenderMethod.QRPH, bill.balance)
    collect.cancel(update.attempt.id)
    fresh.paymongo.pay_late(update.attempt.paymongo_ids["intent"])
    watched.wait_for(update.attempt.id, AttemptState.NEEDS_REVIEW)
    assert [case.id for case in collect.overpayment_cases()] == [update.attempt.id]


def _first_delivered_event(sandbox: SandboxServer) -> str:
    """The sandbox records a delivery once our answer reached it, a moment after we handled it."""

    def delivered() -> list[str]:
        return [d["event_id"] for d in sandbox.paymongo.deliveries() if d["status"] == 200]

    with sandbox.paymongo.changed:
        assert sandbox.paymongo.changed.wait_for(delivered, timeout=WAIT_S)
        return delivered()[0]


def _signed(body: bytes, secret: str, at: float) -> dict[str, str]:
    stamp = int(at)
    return {SIGNATURE_HEADER: f"t={stamp},te={compute_signature(body, stamp, secret)},li="}


def test_forged_and_duplicate_deliveries(
    collect: CollectService,
    database: Database,
    fresh: SandboxServer,
    wired: Wiring,
) -> None:
    bill = pending_bills(database)[0]
    update = collect.start(bill.id, TenderMethod.QRPH, bill.balance)
    assert update.display is not None
    assert update.display.url is not None
    patient_pays(update.display.url)
    wired.watched.wait_for(update.attempt.id, AttemptState.SUCCEEDED)
    event_id = _first_delivered_event(fresh)
    rendered = fresh.paymongo.get(event_id)
    body = json.dumps({"data": rendered.get("data", rendered)}, separators=(",", ":")).encode()
    now = SandboxTimeClock(fresh).now().timestamp()
    url = wired.receiver.url
    assert (
        httpx.post(url, content=body, headers=_signed(body, "whsk_wrong", now)).status_code == 400
    )
    assert (
        # outside PayMongo's retry window (19.1 item 7): a delivery hours older than any retry
        httpx.post(
            url, content=body, headers=_signed(body, wired.secret, now - 4 * 3600)
        ).status_code
        == 400
    )
    assert httpx.post(url, content=b"{}").status_code == 400
    again = httpx.post(url, content=body, headers=_signed(body, wired.secret, now))
    assert again.json() == {"result": "duplicate"}
    with database.unit_of_work(read_only=True) as uow:
        assert len(invoices_of(uow, "01")) == 1
        assert uow.webhook_events.is_processed(event_id)


def test_receiver_answers_quickly_when_idle(wired: Wiring) -> None:
    started = time.perf_counter()
    assert httpx.post(wired.receiver.url, content=b"not json").status_code == 400
    assert time.perf_counter() - started < 1.0
