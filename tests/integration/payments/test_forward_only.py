"""Attempts only move forward: a slow answer cannot undo a later one, and a webhook never looks
at a payment beside a poll of the same payment."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from pos_app.domain.attempt import AttemptState
from pos_app.domain.tender import TenderMethod
from pos_app.paymongo import PayMongoClient
from pos_app.paymongo.models import PaymentIntent
from pos_app.services.collect import AttemptUpdate, CollectService, PaymentMonitor
from pos_app.services.webhook_receiver import MonitorEventHandler, WebhookReceiver
from pos_app.storage import Database
from pos_sandbox.server import SandboxServer
from tests.integration.collect.conftest import SandboxTimeClock, make_client, patient_pays
from tests.integration.payments.conftest import (
    COUNTER,
    WAIT_S,
    Watched,
    bill_now,
    free_port,
    pending_bills,
)


@dataclass
class Wiring:
    collect: CollectService
    client: PayMongoClient
    monitor: PaymentMonitor
    watched: Watched


@pytest.fixture
def wired(database: Database, fresh: SandboxServer) -> Iterator[Wiring]:
    """A counter's monitor behind a running webhook receiver registered with the sandbox."""
    clock = SandboxTimeClock(fresh)
    client = make_client(fresh)
    collect = CollectService(database, client, clock, COUNTER)
    monitor = PaymentMonitor(collect, clock)
    watched = Watched()
    monitor.subscribe(watched)
    port = free_port()
    hook = client.create_webhook(
        url=f"http://127.0.0.1:{port}/paymongo/webhook",
        events=["payment.paid"],
        idempotency_key=secrets.token_hex(16),
    )
    handler = MonitorEventHandler(monitor, database)
    receiver = WebhookReceiver(port, hook.secret_key, False, handler, database, clock=clock)
    receiver.start()
    yield Wiring(collect, client, monitor, watched)
    receiver.stop()
    collect.close()
    client.close()


class _SlowFirstLook:
    """The first retrieve of an intent is answered by PayMongo at once but reaches the counter
    only when the test says so (a slow network), so a later look can overtake it."""

    def __init__(self, real: Callable[[str], PaymentIntent]) -> None:
        self._real = real
        self.answered = threading.Event()
        self.release = threading.Event()
        self._first = True

    def __call__(self, intent_id: str) -> PaymentIntent:
        intent = self._real(intent_id)
        if self._first:
            self._first = False
            self.answered.set()
            assert self.release.wait(WAIT_S)
        return intent


def test_a_slow_poll_answer_cannot_put_a_paid_attempt_back_to_awaiting_payment(
    database: Database, fresh: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    client: PayMongoClient = make_client(fresh)
    collect = CollectService(database, client, SandboxTimeClock(fresh), COUNTER)
    try:
        bill = pending_bills(database)[0]
        started = collect.start(bill.id, TenderMethod.QRPH, bill.balance)
        attempt_id = started.attempt.id
        slow = _SlowFirstLook(client.retrieve_payment_intent)
        monkeypatch.setattr(client, "retrieve_payment_intent", slow)
        stale: list[AttemptUpdate] = []
        poll = threading.Thread(target=lambda: stale.append(collect.refresh(attempt_id)))
        poll.start()
        assert slow.answered.wait(WAIT_S)  # PayMongo said "awaiting payment"; still on its way
        fresh.paymongo.settle(started.attempt.paymongo_ids["intent"])
        paid = collect.refresh(attempt_id)  # a webhook or the next poll: paid, invoice issued
        assert paid.settlement is not None
        slow.release.set()
        poll.join(WAIT_S)
        assert stale[0].attempt.state is AttemptState.SUCCEEDED  # the slow answer was dropped
        with database.unit_of_work(read_only=True) as uow:
            stored = uow.attempts.get(attempt_id)
            assert stored is not None
            assert stored.state is AttemptState.SUCCEEDED
            assert uow.tenders.find_by_attempt(attempt_id) is not None
        assert bill_now(database, bill.id).balance.is_zero
        assert collect.open_attempts() == []
    finally:
        collect.close()
        client.close()


def test_a_webhook_during_a_poll_waits_for_it_then_looks_again(
    database: Database, fresh: SandboxServer, wired: Wiring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monitor, clock = wired.monitor, SandboxTimeClock(fresh)
    bill = pending_bills(database)[0]
    update = wired.collect.start(bill.id, TenderMethod.QRPH, bill.balance)
    attempt_id = update.attempt.id
    monitor.track(update)
    fresh.paymongo.advance_clock(5)
    slow = _SlowFirstLook(wired.client.retrieve_payment_intent)
    monkeypatch.setattr(wired.client, "retrieve_payment_intent", slow)
    assert monitor.due(clock.now()) == [attempt_id]  # the poll timer's look is under way
    poll = threading.Thread(target=monitor.check, args=(attempt_id,))
    poll.start()
    assert slow.answered.wait(WAIT_S)  # PayMongo said "awaiting payment"; still on its way
    looks_before = _looks(fresh)
    assert update.display is not None
    assert update.display.url is not None
    patient_pays(update.display.url)  # PayMongo sends payment.paid to the receiver
    _wait_for_delivery(fresh)
    # the webhook did not start a second look beside the poll in flight...
    assert _looks(fresh) == looks_before
    slow.release.set()
    poll.join(WAIT_S)
    assert [u.attempt.state for u in wired.watched.updates] == [AttemptState.AWAITING_PAYMENT]
    # ...it asked for one right after it
    assert monitor.due(clock.now()) == [attempt_id]
    final = monitor.check(attempt_id)
    assert final.attempt.state is AttemptState.SUCCEEDED
    assert final.settlement is not None


def _looks(sandbox: SandboxServer) -> int:
    return sum(1 for e in sandbox.paymongo_log.entries(path_prefix="/v1/") if e.method == "GET")


def _wait_for_delivery(sandbox: SandboxServer) -> None:
    def answered() -> bool:
        return any(d["status"] == 200 for d in sandbox.paymongo.deliveries())

    with sandbox.paymongo.changed:
        assert sandbox.paymongo.changed.wait_for(answered, timeout=WAIT_S)
