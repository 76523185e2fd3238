"""Legacy sources + payments from them, checkout sessions, links, capabilities."""

from __future__ import annotations

from tests.sandbox.paymongo.conftest import PUBLIC_KEY, Api, error_codes

REDIRECT = {"success": "https://clinic.example/ok", "failed": "https://clinic.example/fail"}


def _source(api: Api, amount: int = 10_000, **extra: object) -> dict[str, object]:
    attrs = {"type": "gcash", "amount": amount, "currency": "PHP", "redirect": REDIRECT, **extra}
    return api.ok("POST", "/v1/sources", attrs)


def test_source_authorized_on_checkout_page_then_paid(api: Api) -> None:
    source = _source(api)
    attributes = source["attributes"]
    assert isinstance(attributes, dict)
    assert attributes["status"] == "pending"
    url = attributes["redirect"]["checkout_url"]
    assert url.startswith(api.base)
    done = api.http.post(url, data={"action": "authorize"})
    assert "https://clinic.example/ok" in done.text
    assert api.ok("GET", f"/v1/sources/{source['id']}")["attributes"]["status"] == "chargeable"
    assert "source.chargeable" in [e["attributes"]["type"] for e in api.state.events()]
    payment = api.ok(
        "POST",
        "/v1/payments",
        {"amount": 10_000, "currency": "PHP", "source": {"id": source["id"], "type": "source"}},
    )
    assert payment["attributes"]["status"] == "paid"
    assert payment["attributes"]["payment_intent_id"] is None
    assert payment["attributes"]["source"]["id"] == source["id"]
    assert api.ok("GET", f"/v1/sources/{source['id']}")["attributes"]["status"] == "paid"
    again = api.post(
        "/v1/payments",
        {"amount": 10_000, "currency": "PHP", "source": {"id": source["id"], "type": "source"}},
    )
    assert error_codes(again) == ["resource_failed_state"]


def test_source_payment_amount_must_match(api: Api) -> None:
    source = _source(api)
    api.state.settle(str(source["id"]))
    response = api.post(
        "/v1/payments",
        {"amount": 9999, "currency": "PHP", "source": {"id": source["id"], "type": "source"}},
    )
    assert error_codes(response) == ["parameter_invalid"]


def test_pending_source_cannot_be_charged(api: Api) -> None:
    source = _source(api)
    response = api.post(
        "/v1/payments",
        {"amount": 10_000, "currency": "PHP", "source": {"id": source["id"], "type": "source"}},
    )
    assert error_codes(response) == ["resource_failed_state"]


def test_source_fail_and_expire(api: Api) -> None:
    failed = _source(api)
    api.http.post(
        failed["attributes"]["redirect"]["checkout_url"],  # type: ignore[index]
        data={"action": "fail"},
    )
    assert api.ok("GET", f"/v1/sources/{failed['id']}")["attributes"]["status"] == "cancelled"
    lapsing = _source(api)
    api.state.advance_clock(3601)
    assert api.ok("GET", f"/v1/sources/{lapsing['id']}")["attributes"]["status"] == "expired"
    assert [e["attributes"]["type"] for e in api.state.events()] == []


def test_source_minimum_and_public_key(api: Api) -> None:
    response = api.post(
        "/v1/sources", {"type": "gcash", "amount": 9999, "currency": "PHP", "redirect": REDIRECT}
    )
    assert error_codes(response) == ["parameter_below_minimum"]
    created = api.post(
        "/v1/sources",
        {"type": "grab_pay", "amount": 10_000, "currency": "PHP", "redirect": REDIRECT},
        key=PUBLIC_KEY,
    )
    assert created.status_code == 200


SESSION = {
    "line_items": [
        {"amount": 150_000, "currency": "PHP", "name": "Cleaning", "quantity": 1},
        {"amount": 50_000, "currency": "PHP", "name": "X-ray", "quantity": 2},
    ],
    "payment_method_types": ["card", "gcash", "qrph"],
    "success_url": "https://clinic.example/ok",
    "cancel_url": "https://clinic.example/cancel",
    "description": "Bill 9",
    "reference_number": "BILL-9",
    "metadata": {"bill": "9"},
}


def test_checkout_session_paid_on_its_page(api: Api) -> None:
    session = api.ok("POST", "/v1/checkout_sessions", SESSION)
    attributes = session["attributes"]
    assert session["id"].startswith("cs_")
    assert attributes["status"] == "active"
    assert attributes["client_key"].startswith(session["id"] + "_client_")
    assert attributes["payment_intent"]["attributes"]["amount"] == 250_000
    page = api.http.get(attributes["checkout_url"])
    assert "card_number" in page.text
    assert "GCash" in page.text
    assert "Authorize Test Payment" in page.text
    done = api.http.post(
        attributes["checkout_url"],
        data={"action": "authorize", "method": "gcash", "card_number": "", "cvc": ""},
    )
    assert "https://clinic.example/ok" in done.text
    paid = api.ok("GET", f"/v1/checkout_sessions/{session['id']}")
    assert paid["attributes"]["status"] == "active"
    assert paid["attributes"]["payment_method_used"] == "gcash"
    assert paid["attributes"]["paid_at"] is not None
    assert len(paid["attributes"]["payments"]) == 1
    assert paid["attributes"]["payment_intent"]["attributes"]["status"] == "succeeded"
    kinds = [e["attributes"]["type"] for e in api.state.events()]
    assert "checkout_session.payment.paid" in kinds
    assert api.state.ledger()[0]["metadata"] == {"bill": "9"}


def test_checkout_session_expire(api: Api) -> None:
    session = api.ok("POST", "/v1/checkout_sessions", SESSION)
    expired = api.ok("POST", f"/v1/checkout_sessions/{session['id']}/expire")
    assert expired["attributes"]["status"] == "expired"
    again = api.post(f"/v1/checkout_sessions/{session['id']}/expire")
    assert error_codes(again) == ["resource_failed_state"]
    page = api.http.post(session["attributes"]["checkout_url"], data={"action": "authorize"})
    assert page.status_code == 409


def test_checkout_session_requires_items_and_types(api: Api) -> None:
    response = api.post("/v1/checkout_sessions", {"payment_method_types": ["card"]})
    assert error_codes(response) == ["parameter_required"]
    response = api.post("/v1/checkout_sessions", {"line_items": SESSION["line_items"]})
    assert error_codes(response) == ["parameter_required"]


def test_link_paid_and_found_by_reference(api: Api) -> None:
    link = api.ok("POST", "/v1/links", {"amount": 15_000, "description": "Deposit"})
    attributes = link["attributes"]
    assert attributes["status"] == "unpaid"
    assert len(attributes["reference_number"]) == 7
    found = api.get("/v1/links", params={"reference_number": attributes["reference_number"]})
    assert [item["id"] for item in found.json()["data"]] == [link["id"]]
    api.http.post(attributes["checkout_url"], data={"action": "authorize", "method": "card"})
    paid = api.ok("GET", f"/v1/links/{link['id']}")
    assert paid["attributes"]["status"] == "paid"
    assert paid["attributes"]["payments"][0]["data"]["attributes"]["origin"] == "links"
    assert "link.payment.paid" in [e["attributes"]["type"] for e in api.state.events()]


def test_link_archive_blocks_payment(api: Api) -> None:
    link = api.ok("POST", "/v1/links", {"amount": 15_000, "description": "Deposit"})
    archived = api.ok("POST", f"/v1/links/{link['id']}/archive")
    assert archived["attributes"]["archived"] is True
    assert api.http.get(link["attributes"]["checkout_url"]).status_code == 409
    assert api.ok("POST", f"/v1/links/{link['id']}/unarchive")["attributes"]["archived"] is False


def test_capabilities_is_a_bare_list(api: Api) -> None:
    response = api.get("/v1/merchants/capabilities/payment_methods")
    assert response.status_code == 200
    assert "qrph" in response.json()
    assert "card" in response.json()


def _card_form(number: str) -> dict[str, str]:
    return {
        "action": "authorize",
        "method": "card",
        "card_number": number,
        "exp_month": "12",
        "exp_year": "2031",
        "cvc": "123",
    }


def test_checkout_card_form_pays_with_a_test_card(api: Api) -> None:
    session = api.ok("POST", "/v1/checkout_sessions", SESSION)
    done = api.http.post(session["attributes"]["checkout_url"], data=_card_form("5555444444444457"))
    assert "Payment successful" in done.text
    paid = api.ok("GET", f"/v1/checkout_sessions/{session['id']}")
    source = paid["attributes"]["payments"][0]["attributes"]["source"]
    assert (source["brand"], source["last4"]) == ("mastercard", "4457")


def test_checkout_card_form_declines_and_stays_payable(api: Api) -> None:
    session = api.ok("POST", "/v1/checkout_sessions", SESSION)
    url = session["attributes"]["checkout_url"]
    declined = api.http.post(url, data=_card_form("5100000000000198"))
    assert "insufficient_funds" in declined.text
    intent = api.ok("GET", f"/v1/checkout_sessions/{session['id']}")["attributes"]["payment_intent"]
    assert intent["attributes"]["last_payment_error"]["failed_code"] == "insufficient_funds"
    bad = api.http.post(url, data=_card_form("1234"))
    assert bad.status_code == 409
    assert "card number is invalid" in bad.text
    assert "Payment successful" in api.http.post(url, data=_card_form("4343434343434345")).text
