"""PayMongo-shaped answers for unit tests, built from the fact sheet's examples."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from pos_app.paymongo import Pacing, PayMongoClient, RetryPolicy, Timeouts

Json = dict[str, Any]
SECRET_KEY = "sk_test_unitTESTkey0123456789abcd"
PUBLIC_KEY = "pk_test_unitTESTkey0123456789abcd"
NOW = 1_700_000_000


def resource(kind: str, rid: str, **attributes: Any) -> Json:
    return {"id": rid, "type": kind, "attributes": attributes}


def answer(data: Any, **extra: Any) -> Json:
    return {"data": data, **extra}


def intent(status: str = "awaiting_payment_method", rid: str = "pi_A", **over: Any) -> Json:
    attrs: Json = {
        "amount": 150_000,
        "capture_type": "automatic",
        "client_key": f"{rid}_client_SECRETPART0123456789ab",
        "currency": "PHP",
        "description": "Cleaning",
        "livemode": False,
        "statement_descriptor": "KAHA",
        "status": status,
        "last_payment_error": None,
        "payment_method_allowed": ["card", "qrph"],
        "payments": [],
        "next_action": None,
        "payment_method_options": {"card": {"request_three_d_secure": "any"}},
        "metadata": {"bill": "7"},
        "created_at": NOW,
        "updated_at": NOW,
        "some_future_field": {"nested": [1, 2, 3]},
    }
    attrs.update(over)
    return resource("payment_intent", rid, **attrs)


def payment(rid: str = "pay_A", status: str = "paid", **over: Any) -> Json:
    attrs: Json = {
        "amount": 150_000,
        "currency": "PHP",
        "status": status,
        "livemode": False,
        "fee": 5_250,
        "net_amount": 144_750,
        "payment_intent_id": "pi_A",
        "source": {
            "id": "card_A",
            "type": "card",
            "brand": "visa",
            "country": "PH",
            "last4": "4345",
        },
        "refunds": [],
        "metadata": None,
        "created_at": NOW,
        "paid_at": NOW,
    }
    attrs.update(over)
    return resource("payment", rid, **attrs)


def refund(rid: str = "ref_A", **over: Any) -> Json:
    attrs: Json = {
        "amount": 5_000,
        "currency": "PHP",
        "payment_id": "pay_A",
        "reason": "requested_by_customer",
        "status": "pending",
        "livemode": False,
        "notes": None,
        "metadata": None,
        "created_at": NOW,
        "refunded_at": None,
    }
    attrs.update(over)
    return resource("refund", rid, **attrs)


def error_body(code: str, detail: str, pointer: str | None = None) -> bytes:
    entry: Json = {"code": code, "detail": detail}
    if pointer is not None:
        entry["source"] = {"pointer": pointer, "attribute": pointer.rsplit(".", 1)[-1]}
    return json.dumps({"errors": [entry]}).encode()


class FakePacing:
    """Pinned randomness, recorded sleeps, and a clock that only sleeps move."""

    def __init__(self, draw: float = 0.5) -> None:
        self.draw = draw
        self.now = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def pacing(self) -> Pacing:
        return Pacing(random=lambda: self.draw, sleep=self.sleep, monotonic=lambda: self.now)


Handler = Callable[[httpx.Request], httpx.Response]


def make_client(
    handler: Handler,
    *,
    pacing: FakePacing | None = None,
    retry: RetryPolicy | None = None,
    timeouts: Timeouts | None = None,
    secret_key: str | None = SECRET_KEY,
    public_key: str | None = PUBLIC_KEY,
) -> PayMongoClient:
    return PayMongoClient(
        secret_key=secret_key,
        public_key=public_key,
        base_url="https://api.paymongo.test",
        transport=httpx.MockTransport(handler),
        pacing=(pacing or FakePacing()).pacing(),
        retry=retry,
        timeouts=timeouts,
    )


def ok(data: Json) -> httpx.Response:
    return httpx.Response(200, json=answer(data))
