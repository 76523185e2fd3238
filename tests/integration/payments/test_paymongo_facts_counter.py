"""The counter's services keep to what paymongo-api.md 19.1 settled, against the sandbox.

Webhooks that keep coming (item 7), ShopeePay's spelling from capabilities (items 1-2), amounts
refused before asking (item 3). Each test names its item.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import socket
import tracemalloc
from collections.abc import Iterator

import httpx
import pytest

from pos_app.domain.account_methods import AccountMethods, MethodUnavailable
from pos_app.domain.amount_limits import PaymentLimitError
from pos_app.domain.attempt import AttemptState
from pos_app.domain.money import Money
from pos_app.domain.tender import TenderMethod
from pos_app.paymongo import PayMongoClient
from pos_app.services.collect import CollectService, PaymentMonitor
from pos_app.services.webhook_receiver import MonitorEventHandler, WebhookReceiver
from pos_app.services.webhook_status import WebhookGuard, WebhookState
from pos_app.storage import Database
from pos_sandbox.paymongo.config import DEFAULT_RETRY_DELAYS
from pos_sandbox.server import SandboxServer
from tests.integration.collect.conftest import SandboxTimeClock, make_client
from tests.integration.payments.conftest import (
    COUNTER,
    WAIT_S,
    Watched,
    free_port,
    pending_bills,
)
from tests.integration.payments.test_webhook_receiver import EVENTS, Wiring, _signed
from tests.sandbox.paymongo.test_settled_facts import deliveries_made

BIG_BODY_BYTES = 64 * 1024 * 1024


@pytest.fixture
def hooked(collect: CollectService, database: Database, fresh: SandboxServer) -> Iterator[Wiring]:
    """The counter's receiver, registered with the sandbox (as in test_webhook_receiver)."""
    clock = SandboxTimeClock(fresh)
    monitor = PaymentMonitor(collect, clock)
    port = free_port()
    with make_client(fresh) as client:
        hook = client.create_webhook(
            url=f"http://127.0.0.1:{port}/paymongo/webhook",
            events=EVENTS,
            idempotency_key=secrets.token_hex(16),
        )
    handler = MonitorEventHandler(monitor, database)
    receiver = WebhookReceiver(port, hook.secret_key, False, handler, database, clock=clock)
    receiver.start()
    yield Wiring(monitor, Watched(), receiver, hook.secret_key)
    receiver.stop()


def _pay_card(client: PayMongoClient) -> None:
    """An event the counter did not make: a card paid at the sandbox directly."""
    key = secrets.token_hex
    intent = client.create_payment_intent(
        amount=150_000, payment_method_allowed=["card"], idempotency_key=key(16)
    )
    card = {"card_number": "4343434343434345", "exp_month": 12, "exp_year": 2035, "cvc": "123"}
    method = client.create_payment_method(type="card", details=card, idempotency_key=key(16))
    client.attach_payment_intent(intent.id, payment_method_id=method.id)


def _undelivered_event(fresh: SandboxServer) -> str:
    """An event PayMongo made that never reached the counter (as if every try so far failed)."""
    with make_client(fresh) as client:
        source = client.create_source(
            type="gcash",
            amount=20_000,
            success_url="https://a/ok",
            failed_url="https://a/no",
            idempotency_key=secrets.token_hex(16),
        )
    fresh.paymongo.settle(source.id)  # source.chargeable: not among the hook's events
    [event] = [e for e in fresh.paymongo.events() if e["attributes"]["type"] == "source.chargeable"]
    return str(event["id"])


def test_item_7_a_delivery_signed_two_hours_ago_is_taken_once(
    database: Database, fresh: SandboxServer, hooked: Wiring
) -> None:
    event_id = _undelivered_event(fresh)
    body = json.dumps({"data": fresh.paymongo.get(event_id)}, separators=(",", ":")).encode()
    first_try = SandboxTimeClock(fresh).now().timestamp() - 2 * 3600  # a retry keeps this t
    url = hooked.receiver.url
    forged = httpx.post(url, content=body, headers=_signed(body, "whsk_forged", first_try))
    assert forged.status_code == 400
    test_mode = _signed(body, hooked.secret, first_try)["Paymongo-Signature"]
    t, te, _ = test_mode.split(",")
    wrong_mode = {"Paymongo-Signature": f"{t},te=,li={te.removeprefix('te=')}"}
    assert httpx.post(url, content=body, headers=wrong_mode).status_code == 400
    retried = httpx.post(url, content=body, headers=_signed(body, hooked.secret, first_try))
    assert retried.status_code == 200
    assert retried.json() == {"result": "ok"}
    again = httpx.post(url, content=body, headers=_signed(body, hooked.secret, first_try))
    assert again.json() == {"result": "duplicate"}
    with database.unit_of_work(read_only=True) as uow:
        assert uow.webhook_events.is_processed(event_id)


def test_item_7_disabled_overnight_then_re_enabled_at_start_up(
    database: Database, fresh: SandboxServer, hooked: Wiring
) -> None:
    state = fresh.paymongo
    port = int(hooked.receiver.url.split(":")[2].split("/")[0])
    hooked.receiver.stop()  # the counter is switched off for the night
    with make_client(fresh) as client:
        for _ in range(3):
            _pay_card(client)
        for done, delay in enumerate(DEFAULT_RETRY_DELAYS, start=1):
            assert state.wait_for(deliveries_made(state, 3 * done), WAIT_S)
            state.advance_clock(delay + 1)
        [hook] = client.list_webhooks()
        assert state.wait_for(lambda: hook_status(fresh, hook.id) == "disabled", WAIT_S)
        # the counter starts again: its receiver listens, its guard looks at PayMongo
        clock = SandboxTimeClock(fresh)
        handler = MonitorEventHandler(hooked.monitor, database)
        receiver = WebhookReceiver(port, hooked.secret, False, handler, database, clock=clock)
        receiver.start()
        try:
            guard = WebhookGuard(client, database, clock, secret=hooked.secret)
            health = guard.check()
            assert health.state is WebhookState.RE_ENABLED
            assert health.disabled_reason == "max_retries_exceeded"
            assert guard.status() == health
            assert client.retrieve_webhook(hook.id).status.value == "enabled"
            with database.unit_of_work(read_only=True) as uow:
                audited = [e for e in uow.audit.entries() if e.action == "webhook_re_enabled"]
            assert [(e.subject, e.details["disabled_reason"]) for e in audited] == [
                (f"webhook:{hook.id}", "max_retries_exceeded")
            ]
            before = len(state.deliveries())
            _pay_card(client)  # the next event arrives
            assert state.wait_for(
                lambda: any(d["status"] == 200 for d in state.store.deliveries[before:]), WAIT_S
            )
        finally:
            receiver.stop()


def hook_status(fresh: SandboxServer, hook_id: str) -> str:
    return str(fresh.paymongo.store.objects[hook_id]["attributes"]["status"])


def _counter_for(fresh: SandboxServer, capabilities: list[str]) -> tuple[AccountMethods, object]:
    fresh.paymongo.configure(capabilities=capabilities)
    with make_client(fresh) as client:
        methods = AccountMethods.from_capabilities(client.payment_method_capabilities())
    return methods, dataclasses.replace(COUNTER, paymongo_methods=methods)


@pytest.mark.parametrize("spelling", ["shopeepay", "shopee_pay"])
def test_item_1_shopeepay_is_sent_as_the_accounts_capabilities_spell_it(
    database: Database, fresh: SandboxServer, spelling: str
) -> None:
    methods, counter = _counter_for(fresh, ["card", "qrph", spelling])
    assert methods.wire_type(TenderMethod.SHOPEE_PAY) == spelling
    bill = pending_bills(database)[0]
    with make_client(fresh) as client:
        service = CollectService(database, client, SandboxTimeClock(fresh), counter)  # type: ignore[arg-type]
        try:
            update = service.start(bill.id, TenderMethod.SHOPEE_PAY, bill.balance)
        finally:
            service.close()
    assert update.attempt.state is AttemptState.AWAITING_PAYMENT
    intent = fresh.paymongo.get(update.attempt.paymongo_ids["intent"])
    assert intent["attributes"]["payment_method_allowed"] == [spelling]


def test_item_4_an_account_without_shopeepay_is_never_asked_for_it(
    database: Database, fresh: SandboxServer
) -> None:
    methods, counter = _counter_for(fresh, ["card", "qrph", "gcash"])
    assert not methods.offers(TenderMethod.SHOPEE_PAY)
    bill = pending_bills(database)[0]
    fresh.paymongo_log.clear()
    with make_client(fresh) as client:
        service = CollectService(database, client, SandboxTimeClock(fresh), counter)  # type: ignore[arg-type]
        try:
            with pytest.raises(MethodUnavailable, match="does not take ShopeePay"):
                service.start(bill.id, TenderMethod.SHOPEE_PAY, bill.balance)
        finally:
            service.close()
    assert fresh.paymongo_log.entries() == []
    with database.unit_of_work(read_only=True) as uow:
        assert uow.attempts.list_open() == []


@pytest.mark.parametrize(
    ("method", "amount", "words"),
    [
        (TenderMethod.QRPH, Money(1999), "QR Ph needs at least ₱20.00"),
        (TenderMethod.GCASH, Money.of_pesos(100_000), "GCash takes less than ₱100,000.00"),
    ],
)
def test_item_3_amounts_outside_paymongos_limits_are_refused_before_asking(
    collect: CollectService,
    database: Database,
    fresh: SandboxServer,
    method: TenderMethod,
    amount: Money,
    words: str,
) -> None:
    bill = pending_bills(database)[0]
    fresh.paymongo_log.clear()
    with pytest.raises(PaymentLimitError, match=words):
        collect.start(bill.id, method, amount)
    assert fresh.paymongo_log.entries() == []
    with database.unit_of_work(read_only=True) as uow:
        assert uow.attempts.list_open() == []


def test_issue_16_a_declared_oversized_body_is_refused_unread(hooked: Wiring) -> None:
    host, port = "127.0.0.1", int(hooked.receiver.url.split(":")[2].split("/")[0])
    with socket.create_connection((host, port), timeout=WAIT_S) as sock:
        sock.sendall(
            b"POST /paymongo/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 400000000\r\n\r\n"
        )
        answer = sock.recv(4096)  # before the fix: no answer until 400 MB arrived (timeout)
    assert answer.startswith(b"HTTP/1.1 413")


def _chunks() -> Iterator[bytes]:
    piece = b"x" * (1024 * 1024)
    for _ in range(BIG_BODY_BYTES // len(piece)):
        yield piece


def test_issue_16_a_streamed_body_is_cut_off_without_memory_growing(hooked: Wiring) -> None:
    tracemalloc.start()
    try:
        try:
            answer = httpx.post(hooked.receiver.url, content=_chunks(), timeout=WAIT_S)
            status = answer.status_code
        except httpx.TransportError:  # the receiver may close before the sender is done
            status = 413
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert status == 413
    print(f"peak traced memory for a {BIG_BODY_BYTES >> 20} MB body: {peak >> 20} MB")
    assert peak < BIG_BODY_BYTES // 4  # read up to the cap, never the body
