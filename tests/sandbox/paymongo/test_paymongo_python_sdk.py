"""PayMongo's own Python library, unchanged except for its base URL, against the sandbox."""

from __future__ import annotations

from typing import Any

import paymongo
import pytest
from paymongo import PaymongoClient, PaymongoConfig

from tests.sandbox.paymongo.conftest import SECRET_KEY, Api


@pytest.fixture
def sdk(api: Api, monkeypatch: pytest.MonkeyPatch) -> Any:
    original_init = PaymongoConfig.__init__

    def init_with_sandbox_url(self: Any, api_key: str) -> None:
        original_init(self, api_key)
        self.api_base_url = api.base

    monkeypatch.setattr(PaymongoConfig, "__init__", init_with_sandbox_url)
    monkeypatch.setattr(paymongo, "api_key", SECRET_KEY)
    return paymongo


def test_sdk_full_card_flow(sdk: Any, api: Api) -> None:
    intent = sdk.PaymentIntent.create(
        {
            "amount": 10_000,
            "currency": "PHP",
            "payment_method_allowed": ["card"],
            "payment_method_options": {"card": {"request_three_d_secure": "automatic"}},
            "description": "Bill 12",
            "metadata": {"bill": "12"},
        }
    )
    assert intent.status == "awaiting_payment_method"
    method = sdk.PaymentMethod.create(
        {
            "type": "card",
            "details": {
                "card_number": "4343434343434345",
                "exp_month": 12,
                "exp_year": 2031,
                "cvc": "123",
            },
        }
    )
    assert method.details["last4"] == "4345"
    attached = sdk.PaymentIntent.attach(intent.id, {"payment_method": method.id})
    assert attached.status == "succeeded"
    retrieved = sdk.PaymentIntent.retrieve(intent.id)
    [payment] = retrieved.payments
    listed = PaymongoClient.execute_request(
        config=PaymongoConfig(SECRET_KEY), method="get", path="payments"
    )
    assert [item["id"] for item in listed.data] == [payment["id"]]
    assert listed.has_more is False
    fetched = sdk.Payment.retrieve(payment["id"])
    assert fetched.amount == 10_000
    refund = sdk.Refund.create(
        {"amount": 5000, "payment_id": payment["id"], "reason": "requested_by_customer"}
    )
    assert refund.status == "pending"
    assert sdk.Refund.retrieve(refund.id).amount == 5000


def test_sdk_webhooks(sdk: Any) -> None:
    created = sdk.Webhook.create(
        {"url": "https://clinic.example/hook", "events": ["payment.paid", "qrph.expired"]}
    )
    assert created.secret_key.startswith("whsk_")
    listing = sdk.Webhook.all()
    assert [hook.id for hook in listing.data] == [created.id]
    assert sdk.Webhook.disable(created.id).status == "disabled"
    assert sdk.Webhook.enable(created.id).status == "enabled"


def test_sdk_errors_map_to_its_exceptions(sdk: Any) -> None:
    with pytest.raises(paymongo.InvalidRequestException):
        sdk.PaymentIntent.create(
            {"amount": 1, "currency": "PHP", "payment_method_allowed": ["card"]}
        )
    with pytest.raises(paymongo.ResourceNotFoundException):
        sdk.PaymentIntent.retrieve("pi_missing")
