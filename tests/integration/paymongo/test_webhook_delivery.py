"""Webhooks end to end: the sandbox signs and POSTs real deliveries; we verify and parse them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pos_app.paymongo import (
    CardDeclinedError,
    PayMongoClient,
    SignatureVerificationError,
    parse_event,
)
from pos_app.paymongo.models import Event, OtherResource, Payment
from pos_app.paymongo.webhooks import verify_signature
from pos_sandbox.server import SandboxServer
from tests.integration.paymongo.conftest import new_idempotency_key as key


class Receiver:
    """A webhook endpoint on 127.0.0.1 that keeps every (raw body, signature header)."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[bytes, str]] = []
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.arrived:
                    receiver.deliveries.append((body, self.headers.get("Paymongo-Signature", "")))
                    receiver.arrived.notify_all()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[tuple[bytes, str]]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.deliveries) >= count, timeout)
            return list(self.deliveries)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    endpoint = Receiver()
    endpoint.thread.start()
    yield endpoint
    endpoint.server.shutdown()
    endpoint.server.server_close()


def test_sandbox_deliveries_verify_and_parse(
    client: PayMongoClient, fresh: SandboxServer, receiver: Receiver
) -> None:
    hook = client.create_webhook(url=receiver.url, events=["payment.paid"], idempotency_key=key())
    intent = client.create_payment_intent(
        amount=150_000, payment_method_allowed=["card"], idempotency_key=key()
    )
    card = {"card_number": "4343434343434345", "exp_month": 12, "exp_year": 2035, "cvc": "123"}
    method = client.create_payment_method(type="card", details=card, idempotency_key=key())
    client.attach_payment_intent(intent.id, payment_method_id=method.id)
    ((body, header),) = receiver.wait_for(1)
    verify_signature(body, header, hook.secret_key, livemode=False, now=fresh.clock.now())
    with pytest.raises(SignatureVerificationError):  # never across modes
        verify_signature(body, header, hook.secret_key, livemode=True, now=fresh.clock.now())
    event = parse_event(body)
    assert event.type == "payment.paid"
    assert isinstance(event.data, Payment)
    assert event.data.payment_intent_id == intent.id


def test_every_sandbox_event_shape_parses(client: PayMongoClient, fresh: SandboxServer) -> None:
    card = {"card_number": "5100000000000198", "exp_month": 12, "exp_year": 2035, "cvc": "123"}
    intent = client.create_payment_intent(
        amount=150_000, payment_method_allowed=["card", "qrph"], idempotency_key=key()
    )
    declined = client.create_payment_method(type="card", details=card, idempotency_key=key())
    with pytest.raises(CardDeclinedError):
        client.attach_payment_intent(intent.id, payment_method_id=declined.id)
    qr = client.create_payment_method(type="qrph", idempotency_key=key())
    client.attach_payment_intent(intent.id, payment_method_id=qr.id)
    fresh.paymongo.expire(intent.id)
    source = client.create_source(
        type="gcash",
        amount=20_000,
        success_url="https://a/ok",
        failed_url="https://a/no",
        idempotency_key=key(),
    )
    fresh.paymongo.settle(source.id)
    events = [Event.from_answer({"data": raw}) for raw in fresh.paymongo.events()]
    types = {e.type for e in events}
    assert {"payment.failed", "qrph.expired", "source.chargeable"} <= types
    for event in events:
        if event.type == "qrph.expired":
            assert isinstance(event.data, OtherResource)
    assert len({e.id for e in events}) == len(events)
