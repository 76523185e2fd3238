"""What the client puts on the wire: auth, headers, envelope, keys per endpoint."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from pos_app import __version__
from pos_app.paymongo import AuthenticationError, PayMongoClient
from pos_app.paymongo.models import LineItem, PaymentIntentStatus, RefundReason
from tests.unit.paymongo import wire


def _basic(key: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:".encode()).decode()


class Recorder:
    def __init__(self, *answers: httpx.Response) -> None:
        self.requests: list[httpx.Request] = []
        self.answers = list(answers)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def test_create_intent_sends_envelope_key_headers_and_amount_in_centavos() -> None:
    recorder = Recorder(wire.ok(wire.intent()))
    client = wire.make_client(recorder)
    result = client.create_payment_intent(
        amount=150_000,
        payment_method_allowed=["qrph"],
        idempotency_key="key-1",
        description="Cleaning",
        metadata={"bill": "7"},
    )
    (request,) = recorder.requests
    assert request.method == "POST"
    assert request.url == "https://api.paymongo.test/v1/payment_intents"
    assert request.headers["Authorization"] == _basic(wire.SECRET_KEY)
    assert request.headers["Idempotency-Key"] == "key-1"
    assert request.headers["User-Agent"] == f"Kaha/{__version__}"
    assert request.headers["Content-Type"] == "application/json"
    attrs = json.loads(request.content)["data"]["attributes"]
    assert attrs == {
        "amount": 150_000,
        "currency": "PHP",
        "payment_method_allowed": ["qrph"],
        "capture_type": "automatic",
        "description": "Cleaning",
        "metadata": {"bill": "7"},
    }
    assert result.status is PaymentIntentStatus.AWAITING_PAYMENT_METHOD
    assert result.amount == 150_000


def test_idempotency_key_is_required_keyword() -> None:
    client = wire.make_client(Recorder(wire.ok(wire.intent())))
    with pytest.raises(TypeError):
        client.create_payment_intent(amount=100, payment_method_allowed=["card"])  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="idempotency_key"):
        client.create_payment_intent(
            amount=100, payment_method_allowed=["card"], idempotency_key=""
        )


@pytest.mark.parametrize("amount", [1.5, True, -1, "100"])
def test_amounts_must_be_int_centavos(amount: object) -> None:
    client = wire.make_client(Recorder(wire.ok(wire.intent())))
    with pytest.raises((TypeError, ValueError)):
        client.create_payment_intent(
            amount=amount,  # type: ignore[arg-type]
            payment_method_allowed=["card"],
            idempotency_key="k",
        )


def test_retrieve_and_list_send_no_idempotency_key() -> None:
    recorder = Recorder(
        wire.ok(wire.intent()),
        httpx.Response(200, json={"data": [wire.payment()], "has_more": False}),
    )
    client = wire.make_client(recorder)
    client.retrieve_payment_intent("pi_A")
    client.list_payments(limit=5)
    assert all("Idempotency-Key" not in r.headers for r in recorder.requests)
    assert recorder.requests[1].url.params["limit"] == "5"


def test_public_key_only_for_payment_methods_and_client_key_calls() -> None:
    method = wire.resource("payment_method", "pm_A", type="qrph", livemode=False, created_at=1)
    recorder = Recorder(wire.ok(method), wire.ok(wire.intent(payments=None)))
    client = wire.make_client(recorder, secret_key=None)
    client.create_payment_method(type="qrph", idempotency_key="k")
    intent = client.retrieve_payment_intent("pi_A", client_key="pi_A_client_x")
    assert [r.headers["Authorization"] for r in recorder.requests] == [_basic(wire.PUBLIC_KEY)] * 2
    assert recorder.requests[1].url.params["client_key"] == "pi_A_client_x"
    assert intent.payments is None
    with pytest.raises(AuthenticationError):
        client.create_refund(
            payment_id="pay_A", amount=100, reason=RefundReason.OTHERS, idempotency_key="k"
        )
    assert len(recorder.requests) == 2  # refused before anything was sent


def test_keys_are_checked_and_never_echoed() -> None:
    with pytest.raises(ValueError, match="sk_test_") as caught:
        PayMongoClient(secret_key="pk_test_oops123")
    assert "oops123" not in str(caught.value)
    client = wire.make_client(Recorder(wire.ok(wire.intent())))
    assert wire.SECRET_KEY not in repr(client)


def test_checkout_session_line_items_and_bad_ids_rejected() -> None:
    session = wire.resource(
        "checkout_session",
        "cs_A",
        status="active",
        checkout_url="https://checkout.paymongo.test/cs_A",
        client_key="cs_A_client_x",
        line_items=[{"name": "Cleaning", "amount": 150_000, "quantity": 1, "currency": "PHP"}],
        payment_method_types=["card"],
        payments=[],
        payment_intent=None,
        created_at=1,
    )
    recorder = Recorder(wire.ok(session))
    client = wire.make_client(recorder)
    result = client.create_checkout_session(
        line_items=[LineItem(name="Cleaning", amount=150_000, quantity=1)],
        payment_method_types=["card"],
        idempotency_key="k",
    )
    assert result.line_items[0].amount == 150_000
    sent = json.loads(recorder.requests[0].content)["data"]["attributes"]
    assert sent["line_items"] == [
        {"name": "Cleaning", "amount": 150_000, "quantity": 1, "currency": "PHP"}
    ]
    with pytest.raises(ValueError, match="not a PayMongo id"):
        client.retrieve_checkout_session("../v1/payments")


def test_capabilities_are_a_bare_array() -> None:
    # paymongo-api.md 19.1 item 2: no `data` envelope (tests/unit/paymongo/test_settled_facts.py)
    client = wire.make_client(Recorder(httpx.Response(200, json=["card", "qrph"])))
    assert client.payment_method_capabilities() == ("card", "qrph")


def test_iter_payments_follows_cursor_and_stops_before_window() -> None:
    pages = [
        {
            "data": [wire.payment("pay_3", created_at=300), wire.payment("pay_2", created_at=200)],
            "has_more": True,
        },
        {
            "data": [wire.payment("pay_1", created_at=100), wire.payment("pay_0", created_at=50)],
            "has_more": True,
        },
    ]
    recorder = Recorder(*(httpx.Response(200, json=p) for p in pages))
    client = wire.make_client(recorder)
    found = [p.id for p in client.iter_payments(since=100, until=250)]
    assert found == ["pay_2", "pay_1"]
    assert [r.url.params.get("after") for r in recorder.requests] == [None, "pay_2"]
