"""QR Ph: consume_qr with a real PNG, the test page a phone opens, expiry on the clock."""

from __future__ import annotations

import base64
import datetime as dt
import io

from PIL import Image

from tests.sandbox.paymongo.conftest import Api, error_codes


def _qr_intent(api: Api, **method_extra: object) -> dict[str, object]:
    intent = api.intent(allowed=["qrph"])
    attached = api.attach(intent, api.method("qrph", **method_extra))
    return attached


def test_attach_returns_consume_qr_with_png_data_uri(api: Api) -> None:
    before = api.state.clock.now()
    intent = _qr_intent(api)
    attributes = intent["attributes"]
    assert isinstance(attributes, dict)
    assert attributes["status"] == "awaiting_next_action"
    next_action = attributes["next_action"]
    assert next_action["type"] == "consume_qr"
    code = next_action["code"]
    assert code["id"].startswith("code_")
    assert code["amount"] == 10_000
    prefix = "data:image/png;base64,"
    assert code["image_url"].startswith(prefix)
    image = Image.open(io.BytesIO(base64.b64decode(code["image_url"][len(prefix) :])))
    assert image.format == "PNG"
    assert image.size[0] == image.size[1] >= 150
    assert code["test_url"].startswith(api.base + "/")
    expires = dt.datetime.strptime(code["expires_at"][:26], "%Y-%m-%dT%H:%M:%S.%f")
    expires_unix = expires.replace(tzinfo=dt.UTC).timestamp()
    assert abs(expires_unix - (before + 1800)) < 5


def test_test_page_is_phone_friendly_and_pays(api: Api) -> None:
    intent = _qr_intent(api)
    attributes = intent["attributes"]
    assert isinstance(attributes, dict)
    url = attributes["next_action"]["code"]["test_url"]
    page = api.http.get(url)
    assert page.status_code == 200
    assert "width=device-width" in page.text
    assert "<form method='post'>" in page.text
    assert "Authorize Test Payment" in page.text
    assert "₱100.00" in page.text
    done = api.http.post(url, data={"action": "authorize"})
    assert done.status_code == 200
    after = api.ok("GET", f"/v1/payment_intents/{intent['id']}")
    assert after["attributes"]["status"] == "succeeded"
    payment = after["attributes"]["payments"][0]["attributes"]
    assert payment["source"]["type"] == "qrph"
    assert payment["fee"] == 150  # QR Ph 1.5%
    [entry] = api.state.ledger()
    assert entry["payment_intent_id"] == intent["id"]
    assert entry["amount"] == 10_000
    assert entry["late"] is False


def test_fail_button_declines(api: Api) -> None:
    intent = _qr_intent(api)
    attributes = intent["attributes"]
    assert isinstance(attributes, dict)
    api.http.post(attributes["next_action"]["code"]["test_url"], data={"action": "fail"})
    after = api.ok("GET", f"/v1/payment_intents/{intent['id']}")
    assert after["attributes"]["status"] == "awaiting_payment_method"
    assert after["attributes"]["last_payment_error"]["failed_code"] == "generic_decline"


def test_qr_expires_after_thirty_minutes_on_the_clock(api: Api) -> None:
    intent = _qr_intent(api)
    api.state.advance_clock(1799)
    still = api.ok("GET", f"/v1/payment_intents/{intent['id']}")
    assert still["attributes"]["status"] == "awaiting_next_action"
    api.state.advance_clock(2)
    expired = api.ok("GET", f"/v1/payment_intents/{intent['id']}")
    assert expired["attributes"]["status"] == "awaiting_payment_method"
    assert expired["attributes"]["next_action"] is None
    [event] = [e for e in api.state.events() if e["attributes"]["type"] == "qrph.expired"]
    data = event["attributes"]["data"]
    assert data["type"] == "qrph"
    assert data["attributes"]["payment_intent_id"] == intent["id"]
    assert data["attributes"]["source_status"] == "expired"
    assert data["attributes"]["created_at"].endswith("+08:00")


def test_custom_expiry_seconds(api: Api) -> None:
    intent = _qr_intent(api, expiry_seconds=60)
    api.state.advance_clock(61)
    expired = api.ok("GET", f"/v1/payment_intents/{intent['id']}")
    assert expired["attributes"]["status"] == "awaiting_payment_method"


def test_expiry_seconds_range(api: Api) -> None:
    response = api.post("/v1/payment_methods", {"type": "qrph", "expiry_seconds": 59})
    assert error_codes(response) == ["parameter_below_minimum"]
    response = api.post("/v1/payment_methods", {"type": "qrph", "expiry_seconds": 9001})
    assert error_codes(response) == ["parameter_above_maximum"]


def test_expired_qr_page_refuses_payment(api: Api) -> None:
    intent = _qr_intent(api)
    attributes = intent["attributes"]
    assert isinstance(attributes, dict)
    url = attributes["next_action"]["code"]["test_url"]
    api.state.expire(str(intent["id"]))
    assert api.http.post(url, data={"action": "authorize"}).status_code == 409
    assert api.state.ledger() == []


def test_late_payment_after_cancel_lands_in_ledger(api: Api) -> None:
    intent = _qr_intent(api)
    api.ok("POST", f"/v1/payment_intents/{intent['id']}/cancel")
    response = api.http.post(f"{api.base}/_control/objects/{intent['id']}/pay_late", json={})
    assert response.status_code == 200
    [entry] = api.state.ledger()
    assert entry["late"] is True
    assert entry["payment_intent_id"] == intent["id"]
    after = api.ok("GET", f"/v1/payment_intents/{intent['id']}")
    assert after["attributes"]["status"] == "cancelled"
    assert len(after["attributes"]["payments"]) == 1


def test_late_payment_after_expiry_succeeds_the_intent(api: Api) -> None:
    intent = _qr_intent(api)
    api.state.advance_clock(1801)
    api.state.pay_late(str(intent["id"]))
    after = api.ok("GET", f"/v1/payment_intents/{intent['id']}")
    assert after["attributes"]["status"] == "succeeded"


def test_public_key_flow_with_client_key(api: Api) -> None:
    from tests.sandbox.paymongo.conftest import PUBLIC_KEY

    intent = api.intent(allowed=["qrph"])
    client_key = intent["attributes"]["client_key"]
    method = api.ok("POST", "/v1/payment_methods", {"type": "qrph"}, key=PUBLIC_KEY)
    attached = api.ok(
        "POST",
        f"/v1/payment_intents/{intent['id']}/attach",
        {"payment_method": method["id"], "client_key": client_key},
        key=PUBLIC_KEY,
    )
    assert attached["attributes"]["next_action"]["type"] == "consume_qr"
    seen = api.ok(
        "GET",
        f"/v1/payment_intents/{intent['id']}",
        key=PUBLIC_KEY,
        params={"client_key": client_key},
    )
    assert "payments" not in seen["attributes"]
    wrong = api.get(
        f"/v1/payment_intents/{intent['id']}",
        key=PUBLIC_KEY,
        params={"client_key": "pi_x_client_y"},
    )
    assert wrong.status_code == 400
    missing = api.get(f"/v1/payment_intents/{intent['id']}", key=PUBLIC_KEY)
    assert missing.status_code == 401
