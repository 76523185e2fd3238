"""Writing payment results back: PATCH with Idempotency-Key, the 409 amount check, refunds."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.sandbox.clinic.conftest import ClinicServer


def _pending_bill(server: ClinicServer) -> dict[str, Any]:
    lines = [{"code": "PROPH", "description": "Oral prophylaxis", "quantity": 1,
              "unit_price": "1500.00"},
             {"code": "COMP1", "description": "Composite filling, 1 surface", "quantity": 1,
              "unit_price": "2000.00"}]  # fmt: skip
    with httpx.Client(base_url=server.url) as control:
        return dict(control.post("/_control/bills", json={"lines": lines}).json())


def _paid_body(amount: str = "3500.00") -> dict[str, Any]:
    return {
        "status": "paid",
        "paid": True,
        "amount_paid": amount,
        "payment_intent_id": "pi_test123",
        "payment_method": "qrph",
        "payment_status": "succeeded",
        "paid_at": "2026-11-26T10:02:11+08:00",
        "invoice_number": "MAIN-01-000123",
    }


def _key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def test_patch_applies_payment_fields_once(server: ClinicServer, api: httpx.Client) -> None:
    bill = _pending_bill(server)
    headers = _key()
    first = api.patch(f"/api/billing/{bill['id']}/", json=_paid_body(), headers=headers)
    assert first.status_code == 200
    paid = first.json()
    assert (paid["status"], paid["paid"], paid["payment_method"]) == ("paid", True, "qrph")
    assert paid["updated_at"] > bill["updated_at"]
    assert paid["amount"] == "3500.00"

    replay = api.patch(f"/api/billing/{bill['id']}/", json=_paid_body(), headers=headers)
    assert (replay.status_code, replay.json()) == (200, paid)
    (arrival,) = server.state.arrivals(bill["id"])
    assert arrival.idempotency_key == headers["Idempotency-Key"]
    assert arrival.body["invoice_number"] == "MAIN-01-000123"
    record = server.state.bill_record(bill["id"])
    assert record is not None
    assert (record["amount_paid"], record["invoice_number"]) == ("3500.00", "MAIN-01-000123")


def test_same_key_with_another_body_is_422(server: ClinicServer, api: httpx.Client) -> None:
    bill = _pending_bill(server)
    headers = _key()
    api.patch(f"/api/billing/{bill['id']}/", json=_paid_body(), headers=headers)
    other = {**_paid_body(), "payment_method": "gcash"}
    response = api.patch(f"/api/billing/{bill['id']}/", json=other, headers=headers)
    assert response.status_code == 422
    assert "different request" in response.json()["detail"]
    assert len(server.state.arrivals(bill["id"])) == 1


def test_changed_amount_is_409(server: ClinicServer, api: httpx.Client) -> None:
    bill = _pending_bill(server)
    server.state.change_bill(bill["id"], amount=400_000)
    response = api.patch(f"/api/billing/{bill['id']}/", json=_paid_body(), headers=_key())
    assert response.status_code == 409
    body = response.json()
    assert (body["detail"], body["amount"]) == ("amount changed", "4000.00")
    assert body["updated_at"] == server.state.bill(bill["id"])["updated_at"]  # type: ignore[index]
    assert server.state.arrivals() == []


def test_expected_amount_decides_when_sent(server: ClinicServer, api: httpx.Client) -> None:
    bill = _pending_bill(server)
    # A senior/PWD discount: paid less than the amount, and the amount is what the counter saw.
    discounted = {**_paid_body("2800.00"), "expected_amount": "3500.00"}
    assert api.patch(f"/api/billing/{bill['id']}/", json=discounted, headers=_key()).is_success
    stale = {"payment_status": "succeeded", "expected_amount": "3000.00"}
    response = api.patch(f"/api/billing/{bill['id']}/", json=stale, headers=_key())
    assert (response.status_code, response.json()["detail"]) == (409, "amount changed")


def test_paying_a_cancelled_bill_is_409(server: ClinicServer, api: httpx.Client) -> None:
    bill = _pending_bill(server)
    server.state.change_bill(bill["id"], status="cancelled")
    response = api.patch(f"/api/billing/{bill['id']}/", json=_paid_body(), headers=_key())
    assert (response.status_code, response.json()["detail"]) == (409, "bill cancelled")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"amount_paid": "abc"}, "amount_paid", "A valid number is required."),
        ({"amount_paid": 12.345}, "amount_paid", "Ensure that there are no more than 2 decimal"),
        ({"amount_paid": "-1.00"}, "amount_paid", "Ensure this value is greater than or equal"),
        ({"amount_paid": True}, "amount_paid", "A valid number is required."),
        ({"status": "settled"}, "status", '"settled" is not a valid choice.'),
        ({"paid": "yes"}, "paid", "Must be a valid boolean."),
        ({"payment_method": 5}, "payment_method", "Not a valid string."),
        ({"paid_at": "noon"}, "paid_at", "Datetime has wrong format."),
    ],
)
def test_bad_values_get_drf_field_errors(
    server: ClinicServer, api: httpx.Client, change: dict[str, Any], field: str, message: str
) -> None:
    bill = _pending_bill(server)
    response = api.patch(f"/api/billing/{bill['id']}/", json=change, headers=_key())
    assert response.status_code == 400
    (messages,) = response.json().values()
    assert list(response.json()) == [field]
    assert messages[0].startswith(message)
    assert server.state.arrivals() == []


@pytest.mark.parametrize(
    ("content", "status"),
    [
        (b"{not json", 400),
        (b"\xff\xfe", 400),
        (b"[1, 2]", 400),
        (b'"text"', 400),
        (b"[" * 100_000, 400),
        (b"x" * 2_000_000, 413),
    ],
)
def test_malformed_bodies_never_500(
    server: ClinicServer, api: httpx.Client, content: bytes, status: int
) -> None:
    bill = _pending_bill(server)
    for path in (f"/api/billing/{bill['id']}/", f"/api/billing/{bill['id']}/refunds/"):
        method = "PATCH" if path.endswith(f"{bill['id']}/") else "POST"
        response = api.request(method, path, content=content, headers=_key())
        assert response.status_code == status
        assert "detail" in response.json() or "non_field_errors" in response.json()


def test_patch_of_unknown_bill_is_404(api: httpx.Client) -> None:
    response = api.patch("/api/billing/424242/", json=_paid_body(), headers=_key())
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


def test_concurrent_requests_with_one_key_apply_once(
    server: ClinicServer, api: httpx.Client
) -> None:
    bill = _pending_bill(server)
    headers = {"Authorization": f"Token {server.token}", **_key()}

    def send(_: int) -> int:
        with httpx.Client(base_url=server.url, headers=headers) as client:
            return client.patch(f"/api/billing/{bill['id']}/", json=_paid_body()).status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert set(pool.map(send, range(8))) == {200}
    assert len(server.state.arrivals(bill["id"])) == 1


def _refund(amount: str) -> dict[str, str]:
    return {
        "amount": amount,
        "reason": "requested_by_customer",
        "refund_id": "ref_test1",
        "method": "gcash",
        "refunded_at": "2026-11-27T09:00:00+08:00",
        "approved_by": "dra.dorotheo",
    }


def test_refunds_apply_once_and_stay_within_what_was_paid(
    server: ClinicServer, api: httpx.Client
) -> None:
    bill = _pending_bill(server)
    api.patch(f"/api/billing/{bill['id']}/", json=_paid_body(), headers=_key())
    path = f"/api/billing/{bill['id']}/refunds/"
    headers = _key()
    created = api.post(path, json=_refund("500.00"), headers=headers)
    assert created.status_code == 201
    assert (created.json()["amount"], created.json()["bill"]) == ("500.00", bill["id"])
    assert api.post(path, json=_refund("500.00"), headers=headers).json() == created.json()

    too_much = api.post(path, json=_refund("3000.01"), headers=_key())
    assert too_much.status_code == 400
    assert too_much.json() == {"amount": ["Ensure this value is less than or equal to 3000.00."]}
    missing = api.post(path, json={"reason": "x"}, headers=_key())
    assert missing.json() == {"amount": ["This field is required."]}
    kinds = [a.kind for a in server.state.arrivals(bill["id"])]
    assert kinds == ["patch", "refund"]
    record = server.state.bill_record(bill["id"])
    assert record is not None
    assert len(record["refunds"]) == 1


def test_refund_of_unknown_bill_is_404(api: httpx.Client) -> None:
    response = api.post("/api/billing/424242/refunds/", json=_refund("1.00"), headers=_key())
    assert response.status_code == 404
