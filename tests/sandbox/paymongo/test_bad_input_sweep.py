"""Every create/update endpoint, every attribute it reads, every wrong kind of value: no 5xx."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.paymongo.conftest import Api

WEIRD_VALUES: list[Any] = [None, [], {}, "x", "", 1.5, True, -1, 10**30, {"a": [1]}, ["x", 2]]

VALID: dict[str, dict[str, Any]] = {
    "/v1/payment_intents": {
        "amount": 10_000,
        "currency": "PHP",
        "payment_method_allowed": ["card", "qrph"],
        "capture_type": "manual",
        "payment_method_options": {"card": {"request_three_d_secure": "any"}},
        "description": "d",
        "statement_descriptor": "s",
        "metadata": {"a": "b"},
        "setup_future_usage": None,
    },
    "/v1/payment_methods": {
        "type": "card",
        "details": {
            "card_number": "4343434343434345",
            "exp_month": 12,
            "exp_year": 2031,
            "cvc": "123",
        },
        "billing": {"name": "Juan"},
        "metadata": {"a": "b"},
    },
    "/v1/sources": {
        "type": "gcash",
        "amount": 10_000,
        "currency": "PHP",
        "redirect": {"success": "https://a.example", "failed": "https://b.example"},
        "billing": {"name": "Juan"},
        "description": "d",
        "metadata": {"a": "b"},
    },
    "/v1/refunds": {
        "payment_id": "{payment}",
        "amount": 100,
        "reason": "others",
        "notes": "n",
        "metadata": {"a": "b"},
    },
    "/v1/checkout_sessions": {
        "line_items": [{"amount": 5000, "currency": "PHP", "name": "n", "quantity": 1}],
        "payment_method_types": ["card"],
        "success_url": "https://a.example",
        "cancel_url": "https://b.example",
        "description": "d",
        "reference_number": "r",
        "metadata": {"a": "b"},
        "billing": {},
    },
    "/v1/links": {"amount": 10_000, "description": "d", "remarks": "r"},
    "/v1/webhooks": {"url": "https://hooks.example/{n}", "events": ["payment.paid"]},
    "/v1/payments": {
        "amount": 10_000,
        "currency": "PHP",
        "description": "d",
        "source": {"id": "src_x", "type": "source"},
        "metadata": {"a": "b"},
    },
    "/v1/payment_intents/{intent}/attach": {
        "payment_method": "{method}",
        "client_key": "{key}",
        "return_url": "https://a.example",
    },
    "/v1/payment_intents/{intent}/capture": {"amount": 100},
}


def _fill(api: Api, template: dict[str, Any], path: str) -> tuple[str, dict[str, Any]]:
    intent = api.intent(capture_type="manual")
    payment = api.pay_with_card("4343434343434345")["attributes"]["payments"][0]["id"]
    method = api.card("4343434343434345")["id"]
    names = {
        "{intent}": intent["id"],
        "{payment}": payment,
        "{method}": method,
        "{key}": intent["attributes"]["client_key"],
    }
    for placeholder, value in names.items():
        path = path.replace(placeholder, value)
    attrs = {k: names.get(v, v) if isinstance(v, str) else v for k, v in template.items()}
    return path, attrs


@pytest.mark.parametrize("path", list(VALID))
def test_no_server_error_for_any_wrong_value(api: Api, path: str) -> None:
    api.state.configure(rate_limit_per_second=None)
    real_path, attrs = _fill(api, VALID[path], path)
    for name in attrs:
        for value in WEIRD_VALUES:
            changed = {**attrs, name: value}
            if "url" in changed and isinstance(changed["url"], str):
                changed["url"] = changed["url"].replace("{n}", f"{name}-{value!r}")
            response = api.post(real_path, changed)
            assert response.status_code < 500, (name, value, response.text)
            if response.status_code != 200:
                assert response.json()["errors"], (name, value)


@pytest.mark.parametrize(
    "options",
    [
        {"card": []},
        {"card": {"request_three_d_secure": 3}},
        {"card": {"request_three_d_secure": "always"}},
        [],
    ],
)
def test_bad_payment_method_options_are_400(api: Api, options: Any) -> None:
    response = api.post(
        "/v1/payment_intents",
        {
            "amount": 10_000,
            "currency": "PHP",
            "payment_method_allowed": ["card"],
            "payment_method_options": options,
        },
    )
    assert response.status_code == 400
