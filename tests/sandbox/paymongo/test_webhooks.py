"""Webhooks: CRUD, delivery with a Paymongo-Signature verified independently, retry, disable."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.sandbox.paymongo.conftest import Api, error_codes

WAIT_S = 5.0


class Receiver:
    """A merchant endpoint: records every POST, answers with `status`."""

    def __init__(self) -> None:
        self.status = 200
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.changed:
                    receiver.received.append((dict(self.headers.items()), body))
                    receiver.changed.notify_all()
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def wait_for(self, count: int) -> list[tuple[dict[str, str], bytes]]:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.received) >= count, WAIT_S)
            return list(self.received)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hook_receiver = Receiver()
    yield hook_receiver
    hook_receiver.server.shutdown()
    hook_receiver.server.server_close()


def verify(header: str, body: bytes, secret: str, livemode: bool) -> bool:
    """Written from the fact sheet (§12.5), independent of the sandbox's code."""
    parts = dict(part.split("=", 1) for part in header.split(","))
    signature = parts["li"] if livemode else parts["te"]
    other = parts["te"] if livemode else parts["li"]
    message = parts["t"].encode() + b"." + body
    expected = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return other == "" and hmac.compare_digest(expected, signature)


def _hook(api: Api, url: str, events: list[str] | None = None, **kw: Any) -> dict[str, Any]:
    return api.ok("POST", "/v1/webhooks", {"url": url, "events": events or ["payment.paid"]}, **kw)


def test_webhook_crud(api: Api) -> None:
    hook = _hook(api, "https://clinic.example/hook")
    attributes = hook["attributes"]
    assert hook["id"].startswith("hook_")
    assert attributes["secret_key"].startswith("whsk_")
    assert attributes["status"] == "enabled"
    listed = api.get("/v1/webhooks").json()
    assert [item["id"] for item in listed["data"]] == [hook["id"]]
    updated = api.ok("PUT", f"/v1/webhooks/{hook['id']}", {"events": ["payment.failed"]})
    assert updated["attributes"]["events"] == ["payment.failed"]
    disabled = api.ok("POST", f"/v1/webhooks/{hook['id']}/disable")
    assert disabled["attributes"]["status"] == "disabled"
    assert disabled["attributes"]["disabled_reason"] == "disabled_by_merchant"
    enabled = api.ok("POST", f"/v1/webhooks/{hook['id']}/enable")
    assert enabled["attributes"]["status"] == "enabled"
    assert "disabled_reason" not in enabled["attributes"]
    assert api.ok("GET", f"/v1/webhooks/{hook['id']}")["id"] == hook["id"]


def test_webhook_validation(api: Api) -> None:
    assert error_codes(
        api.post("/v1/webhooks", {"url": "ftp://x", "events": ["payment.paid"]})
    ) == ["parameter_format_invalid"]
    assert error_codes(
        api.post("/v1/webhooks", {"url": "https://x.example", "events": ["no.such"]})
    ) == ["parameter_invalid"]
    _hook(api, "https://x.example")
    assert error_codes(
        api.post("/v1/webhooks", {"url": "https://x.example", "events": ["payment.paid"]})
    ) == ["parameter_invalid"]


def test_payment_paid_is_delivered_signed(api: Api, receiver: Receiver) -> None:
    hook = _hook(api, receiver.url, ["payment.paid", "payment.failed"])
    intent = api.pay_with_card("4343434343434345")
    [(headers, body)] = receiver.wait_for(1)
    event = json.loads(body)["data"]
    assert event["id"].startswith("evt_")
    assert event["type"] == "event"
    assert event["attributes"]["type"] == "payment.paid"
    assert event["attributes"]["livemode"] is False
    payment = event["attributes"]["data"]
    assert payment["type"] == "payment"
    assert payment["attributes"]["payment_intent_id"] == intent["id"]
    assert verify(headers["Paymongo-Signature"], body, hook["attributes"]["secret_key"], False)
    assert not verify(
        headers["Paymongo-Signature"], body + b" ", hook["attributes"]["secret_key"], False
    )


def test_live_events_are_signed_in_li(api: Api, receiver: Receiver) -> None:
    live = "sk_live_" + "Qw3rTy7uIo9pAs2d"  # made up key
    hook = _hook(api, receiver.url, key=live)
    intent = api.ok(
        "POST",
        "/v1/payment_intents",
        {"amount": 5000, "currency": "PHP", "payment_method_allowed": ["card"]},
        key=live,
    )
    card = api.ok(
        "POST",
        "/v1/payment_methods",
        {
            "type": "card",
            "details": {
                "card_number": "4343434343434345",
                "exp_month": 12,
                "exp_year": 2031,
                "cvc": "123",
            },
        },
        key=live,
    )
    api.ok(
        "POST",
        f"/v1/payment_intents/{intent['id']}/attach",
        {"payment_method": card["id"]},
        key=live,
    )
    [(headers, body)] = receiver.wait_for(1)
    assert verify(headers["Paymongo-Signature"], body, hook["attributes"]["secret_key"], True)


def test_only_subscribed_events_of_the_same_mode(api: Api, receiver: Receiver) -> None:
    _hook(api, receiver.url, ["payment.failed"])
    api.pay_with_card("4343434343434345")  # payment.paid: not subscribed
    api.pay_with_card("4400000000000016")  # payment.failed
    [(_, body)] = receiver.wait_for(1)
    assert json.loads(body)["data"]["attributes"]["type"] == "payment.failed"
    assert api.state.wait_for(lambda: not api.state.store.outbox)
    assert len(receiver.received) == 1


def test_failed_delivery_is_retried(api: Api, receiver: Receiver) -> None:
    receiver.status = 500
    _hook(api, receiver.url)
    api.pay_with_card("4343434343434345")
    received = receiver.wait_for(3)  # first try + two retries (test schedule)
    event_ids = {json.loads(body)["data"]["id"] for _, body in received}
    assert len(event_ids) == 1
    assert api.state.wait_for(lambda: len(api.state.store.deliveries) >= 3)
    attempts = [(d["attempt"], d["status"]) for d in api.state.deliveries()]
    assert attempts == [(0, 500), (1, 500), (2, 500)]


def test_webhook_disabled_after_three_exhausted_events(api: Api, receiver: Receiver) -> None:
    receiver.status = 503
    hook = _hook(api, receiver.url)
    for _ in range(3):
        api.pay_with_card("4343434343434345")
    state = api.state
    assert state.wait_for(
        lambda: state.store.objects[hook["id"]]["attributes"]["status"] == "disabled"
    )
    after = api.ok("GET", f"/v1/webhooks/{hook['id']}")
    assert after["attributes"]["disabled_reason"] == "max_retries_exceeded"


def test_drop_and_duplicate_controls(api: Api, receiver: Receiver) -> None:
    _hook(api, receiver.url)
    response = api.http.post(f"{api.base}/_control/webhooks", json={"drop": 1, "duplicate": 1})
    assert response.status_code == 200
    api.pay_with_card("4343434343434345")  # duplicated: two deliveries, the first dropped
    api.pay_with_card("4343434343434345")
    received = receiver.wait_for(2)
    ids = [json.loads(body)["data"]["id"] for _, body in received]
    assert api.state.wait_for(lambda: not api.state.store.outbox)
    assert len(set(ids)) == 2
    assert any(d["error"] == "dropped by control" for d in api.state.deliveries())


def test_unreachable_endpoint_does_not_block_requests(api: Api) -> None:
    api.state.configure(webhook_retry_delays=[60.0])
    _hook(api, "http://127.0.0.1:9/nothing-listens-here")
    intent = api.pay_with_card("4343434343434345")
    assert intent["attributes"]["status"] == "succeeded"
    assert api.state.wait_for(lambda: len(api.state.store.deliveries) >= 1)
    assert api.state.deliveries()[0]["status"] is None
