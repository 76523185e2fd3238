"""Fixtures for the PayMongo sandbox tests: a reset sandbox and a small /v1 client."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pos_sandbox.server import SandboxServer

SECRET_KEY = "sk_test_Zq8rT2xYv5KpW3nB"
PUBLIC_KEY = "pk_test_Lm4cV7hJd2sQa9eF"
Json = dict[str, Any]


def basic(key: str, *, colon: bool = True) -> str:
    raw = f"{key}:" if colon else key
    return "Basic " + base64.b64encode(raw.encode()).decode()


class Api:
    """A thin test client: JSON envelope in, httpx.Response out."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.state = server.paymongo
        self.base = server.paymongo_url
        self.http = httpx.Client(base_url=server.paymongo_url, timeout=10)

    def request(
        self,
        method: str,
        path: str,
        attrs: Json | None = None,
        *,
        key: str = SECRET_KEY,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> httpx.Response:
        body = None if attrs is None else {"data": {"attributes": attrs}}
        return self.http.request(
            method,
            path,
            json=body,
            params=params,
            headers={"Authorization": basic(key), **(headers or {})},
        )

    def post(self, path: str, attrs: Json | None = None, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, attrs if attrs is not None else {}, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def ok(self, method: str, path: str, attrs: Json | None = None, **kwargs: Any) -> Json:
        response = self.request(method, path, attrs, **kwargs)
        assert response.status_code == 200, response.text
        data: Json = response.json()["data"]
        return data

    def intent(self, amount: int = 10_000, allowed: list[str] | None = None, **extra: Any) -> Json:
        attrs = {
            "amount": amount,
            "currency": "PHP",
            "payment_method_allowed": allowed or ["card", "qrph", "gcash", "paymaya"],
            **extra,
        }
        return self.ok("POST", "/v1/payment_intents", attrs)

    def card(self, number: str, **extra: Any) -> Json:
        details = {"card_number": number, "exp_month": 12, "exp_year": 2031, "cvc": "123"}
        return self.ok("POST", "/v1/payment_methods", {"type": "card", "details": details, **extra})

    def method(self, kind: str, **extra: Any) -> Json:
        return self.ok("POST", "/v1/payment_methods", {"type": kind, **extra})

    def attach(self, intent: Json, method: Json, **extra: Any) -> Json:
        attrs = {"payment_method": method["id"], **extra}
        return self.ok("POST", f"/v1/payment_intents/{intent['id']}/attach", attrs)

    def pay_with_card(self, number: str, amount: int = 10_000) -> Json:
        return self.attach(self.intent(amount), self.card(number))


def error_codes(response: httpx.Response) -> list[str]:
    return [entry["code"] for entry in response.json()["errors"]]


@pytest.fixture
def api(sandbox: SandboxServer) -> Iterator[Api]:
    sandbox.reset()
    # Fast retries, slow refund settlement (tests move the clock), no throttling unless a test
    # asks for it: a quick test burst must not trip the 100 requests/second limit.
    sandbox.paymongo.configure(
        webhook_retry_delays=[0.05, 0.05], refund_settle_seconds=60.0, rate_limit_per_second=None
    )
    client = Api(sandbox)
    yield client
    client.http.close()
