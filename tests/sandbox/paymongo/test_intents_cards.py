"""Payment intents paid by card: every test card's outcome and the intent state machine."""

from __future__ import annotations

import pytest

from pos_sandbox.paymongo.cards import TEST_CARDS
from tests.sandbox.paymongo.conftest import Api, error_codes

SUCCESS_CARDS = [n for n, card in TEST_CARDS.items() if card.kind == "success"]
DECLINE_CARDS = [(n, c.failed_code) for n, c in TEST_CARDS.items() if c.kind == "decline"]


def test_create_intent_has_paymongo_shape(api: Api) -> None:
    intent = api.intent(metadata={"bill_id": "42"}, description="Bill 42")
    attributes = intent["attributes"]
    assert intent["id"].startswith("pi_")
    assert intent["type"] == "payment_intent"
    assert attributes["client_key"].startswith(intent["id"] + "_client_")
    assert attributes["status"] == "awaiting_payment_method"
    assert attributes["livemode"] is False
    assert attributes["payments"] == []
    assert attributes["metadata"] == {"bill_id": "42"}
    assert isinstance(attributes["created_at"], int)


@pytest.mark.parametrize("number", SUCCESS_CARDS)
def test_success_cards_pay_at_attach(api: Api, number: str) -> None:
    intent = api.pay_with_card(number)
    attributes = intent["attributes"]
    assert attributes["status"] == "succeeded"
    [payment] = attributes["payments"]
    assert payment["attributes"]["status"] == "paid"
    assert payment["attributes"]["source"]["last4"] == number[-4:]
    assert payment["attributes"]["source"]["id"].startswith("card_")
    fee = payment["attributes"]["fee"] + payment["attributes"]["foreign_fee"]
    assert payment["attributes"]["net_amount"] == 10_000 - fee
    assert payment["attributes"]["fee"] == 350 + 1500  # 3.5% + PHP 15


@pytest.mark.parametrize(("number", "code"), DECLINE_CARDS)
def test_decline_cards_fail_with_their_code(api: Api, number: str, code: str) -> None:
    intent = api.pay_with_card(number)
    attributes = intent["attributes"]
    assert attributes["status"] == "awaiting_payment_method"
    assert attributes["last_payment_error"]["failed_code"] == code
    [payment] = attributes["payments"]
    assert payment["attributes"]["status"] == "failed"
    assert payment["attributes"]["failed_code"] == code
    assert api.state.ledger() == []


def test_declined_intent_can_be_paid_with_another_card(api: Api) -> None:
    intent = api.intent()
    api.attach(intent, api.card("5100000000000198"))
    again = api.attach(intent, api.card("4343434343434345"))
    assert again["attributes"]["status"] == "succeeded"
    assert again["attributes"]["last_payment_error"] is None


def _three_ds_page(api: Api, intent: dict[str, object]) -> str:
    attributes = intent["attributes"]
    assert isinstance(attributes, dict)
    assert attributes["status"] == "awaiting_next_action"
    assert attributes["next_action"]["type"] == "redirect"
    url: str = attributes["next_action"]["redirect"]["url"]
    assert url.startswith(api.base + "/")
    assert attributes["next_action"]["redirect"]["return_url"] == "https://clinic.example/back"
    return url


def test_three_ds_card_authorized_on_the_test_page(api: Api) -> None:
    intent = api.attach(
        api.intent(), api.card("4120000000000007"), return_url="https://clinic.example/back"
    )
    url = _three_ds_page(api, intent)
    page = api.http.get(url)
    assert "Authorize Test Payment" in page.text
    assert "Fail Test Payment" in page.text
    done = api.http.post(url, data={"action": "authorize"})
    assert "Authentication Complete" in done.text
    assert "https://clinic.example/back" in done.text
    after = api.ok("GET", f"/v1/payment_intents/{intent['id']}")
    assert after["attributes"]["status"] == "succeeded"


def test_three_ds_failed_returns_to_awaiting_payment_method(api: Api) -> None:
    intent = api.attach(
        api.intent(), api.card("4120000000000007"), return_url="https://clinic.example/back"
    )
    done = api.http.post(_three_ds_page(api, intent), data={"action": "fail"})
    assert "Authentication failed or canceled" in done.text
    after = api.ok("GET", f"/v1/payment_intents/{intent['id']}")
    assert after["attributes"]["status"] == "awaiting_payment_method"
    assert after["attributes"]["payments"] == []


def test_three_ds_declined_before_authentication(api: Api) -> None:
    intent = api.pay_with_card("4230000000000004")
    assert intent["attributes"]["status"] == "awaiting_payment_method"
    assert intent["attributes"]["last_payment_error"]["failed_code"] == "generic_decline"
    assert intent["attributes"]["payments"][0]["attributes"]["status"] == "failed"


def test_three_ds_declined_after_authentication(api: Api) -> None:
    intent = api.attach(
        api.intent(), api.card("5234000000000106"), return_url="https://clinic.example/back"
    )
    api.http.post(_three_ds_page(api, intent), data={"action": "authorize"})
    after = api.ok("GET", f"/v1/payment_intents/{intent['id']}")
    assert after["attributes"]["status"] == "awaiting_payment_method"
    assert after["attributes"]["last_payment_error"]["failed_code"] == "generic_decline"


def test_optional_three_ds_card_follows_request_three_d_secure(api: Api) -> None:
    direct = api.pay_with_card("5123000000000001")
    assert direct["attributes"]["status"] == "succeeded"
    options = {"card": {"request_three_d_secure": "any"}}
    asked = api.attach(api.intent(payment_method_options=options), api.card("5123000000000001"))
    assert asked["attributes"]["status"] == "awaiting_next_action"


def test_manual_capture_holds_then_captures_partially(api: Api) -> None:
    intent = api.attach(api.intent(capture_type="manual"), api.card("4343434343434345"))
    assert intent["attributes"]["status"] == "awaiting_capture"
    assert api.state.ledger() == []
    captured = api.ok("POST", f"/v1/payment_intents/{intent['id']}/capture", {"amount": 6000})
    assert captured["attributes"]["status"] == "succeeded"
    assert captured["attributes"]["payments"][0]["attributes"]["amount"] == 6000
    assert [entry["amount"] for entry in api.state.ledger()] == [6000]


def test_manual_capture_hold_cancel(api: Api) -> None:
    intent = api.attach(api.intent(capture_type="manual"), api.card("4343434343434345"))
    cancelled = api.ok("POST", f"/v1/payment_intents/{intent['id']}/cancel")
    assert cancelled["attributes"]["status"] == "cancelled"


def test_uncancellable_hold_card(api: Api) -> None:
    intent = api.attach(api.intent(capture_type="manual"), api.card("5417881844647288"))
    response = api.post(f"/v1/payment_intents/{intent['id']}/cancel")
    assert response.status_code == 400
    assert error_codes(response) == ["resource_failed_state"]


def test_hold_released_after_seven_days(api: Api) -> None:
    intent = api.attach(api.intent(capture_type="manual"), api.card("4343434343434345"))
    api.state.advance_clock(7 * 86400 + 1)
    after = api.ok("GET", f"/v1/payment_intents/{intent['id']}")
    assert after["attributes"]["status"] == "cancelled"


def test_cancel_open_intent_then_attach_is_refused(api: Api) -> None:
    intent = api.intent()
    cancelled = api.ok("POST", f"/v1/payment_intents/{intent['id']}/cancel")
    assert cancelled["attributes"]["status"] == "cancelled"
    response = api.post(
        f"/v1/payment_intents/{intent['id']}/attach",
        {"payment_method": api.card("4343434343434345")["id"]},
    )
    assert response.status_code == 400
    assert error_codes(response) == ["resource_failed_state"]


def test_cancel_succeeded_intent_is_refused(api: Api) -> None:
    intent = api.pay_with_card("4343434343434345")
    response = api.post(f"/v1/payment_intents/{intent['id']}/cancel")
    assert error_codes(response) == ["resource_failed_state"]


def test_method_type_must_be_allowed(api: Api) -> None:
    intent = api.intent(allowed=["qrph"])
    response = api.post(
        f"/v1/payment_intents/{intent['id']}/attach",
        {"payment_method": api.card("4343434343434345")["id"]},
    )
    assert response.status_code == 400
    assert error_codes(response) == ["payment_method_not_allowed"]


def test_attach_unknown_method_is_404(api: Api) -> None:
    intent = api.intent()
    response = api.post(f"/v1/payment_intents/{intent['id']}/attach", {"payment_method": "test"})
    assert response.status_code == 404
    assert error_codes(response) == ["resource_not_found"]


def test_ewallet_redirect_authorized_and_failed(api: Api) -> None:
    back = {"return_url": "https://clinic.example/back"}
    paid = api.attach(api.intent(), api.method("gcash"), **back)
    url = paid["attributes"]["next_action"]["redirect"]["url"]
    api.http.post(url, data={"action": "authorize"})
    after = api.ok("GET", f"/v1/payment_intents/{paid['id']}")
    assert after["attributes"]["status"] == "succeeded"
    assert after["attributes"]["payments"][0]["attributes"]["fee"] == 250  # GCash 2.5%
    failed = api.attach(api.intent(), api.method("paymaya"), **back)
    api.http.post(failed["attributes"]["next_action"]["redirect"]["url"], data={"action": "fail"})
    after = api.ok("GET", f"/v1/payment_intents/{failed['id']}")
    assert after["attributes"]["status"] == "awaiting_payment_method"


def test_ewallet_needs_return_url(api: Api) -> None:
    intent = api.intent()
    response = api.post(
        f"/v1/payment_intents/{intent['id']}/attach", {"payment_method": api.method("gcash")["id"]}
    )
    assert error_codes(response) == ["parameter_required"]


@pytest.mark.parametrize(
    ("kind", "window"), [("gcash", 4 * 3600), ("paymaya", 1800), ("grab_pay", 900)]
)
def test_ewallet_window_lapses_on_the_clock(api: Api, kind: str, window: int) -> None:
    intent = api.intent(allowed=[kind])
    api.attach(intent, api.method(kind), return_url="https://clinic.example/back")
    api.state.advance_clock(window - 5)
    assert api.ok("GET", f"/v1/payment_intents/{intent['id']}")["attributes"]["status"] == (
        "awaiting_next_action"
    )
    api.state.advance_clock(10)
    assert api.ok("GET", f"/v1/payment_intents/{intent['id']}")["attributes"]["status"] == (
        "awaiting_payment_method"
    )


def test_decline_can_answer_402(api: Api) -> None:
    api.state.configure(decline_http_status=402)
    intent = api.intent()
    response = api.post(
        f"/v1/payment_intents/{intent['id']}/attach",
        {"payment_method": api.card("5100000000000198")["id"]},
    )
    assert response.status_code == 402
    assert error_codes(response) == ["insufficient_funds"]
    after = api.ok("GET", f"/v1/payment_intents/{intent['id']}")
    assert after["attributes"]["last_payment_error"]["failed_code"] == "insufficient_funds"
