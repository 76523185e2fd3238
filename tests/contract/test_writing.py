"""The contract's writing half, on both servers: payment results, idempotency, 409, refunds."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.contract.backends import Stored, parse_instant
from tests.contract.conftest import TOKEN, Clinic
from tests.contract.test_reading import CLEANING

CONCURRENT = 6


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


def _paid_bill(clinic: Clinic, api: httpx.Client) -> int:
    bill_id = clinic.side.add_bill(CLEANING)
    response = api.patch(f"/api/billing/{bill_id}/", json=_paid_body(), headers=_key())
    assert response.status_code == 200, response.text
    return bill_id


def test_patch_writes_payment_fields_and_moves_updated_at(
    clinic: Clinic, api: httpx.Client
) -> None:
    bill_id = clinic.side.add_bill(CLEANING)
    before = api.get(f"/api/billing/{bill_id}/").json()
    response = api.patch(f"/api/billing/{bill_id}/", json=_paid_body(), headers=_key())
    assert response.status_code == 200
    bill = response.json()
    assert (bill["status"], bill["paid"], bill["payment_status"]) == ("paid", True, "succeeded")
    assert (bill["payment_intent_id"], bill["payment_method"]) == ("pi_test123", "qrph")
    assert parse_instant(bill["paid_at"]) == parse_instant("2026-11-26T10:02:11+08:00")
    assert parse_instant(bill["updated_at"]) > parse_instant(before["updated_at"])
    assert api.get(f"/api/billing/{bill_id}/").json() == bill
    assert clinic.side.stored(bill_id) == Stored(350_000, "MAIN-01-000123", "qrph", [])


def test_patch_cannot_change_the_bills_content(clinic: Clinic, api: httpx.Client) -> None:
    bill_id = clinic.side.add_bill(CLEANING)
    body = {"payment_method": "cash", "amount": "1.00", "lines": [], "description": "x"}
    bill = api.patch(f"/api/billing/{bill_id}/", json=body, headers=_key()).json()
    assert (bill["amount"], len(bill["lines"]), bill["payment_method"]) == ("3500.00", 2, "cash")
    assert bill["description"] != "x"


def test_status_without_paid_sets_paid_to_match(clinic: Clinic, api: httpx.Client) -> None:
    bill_id = clinic.side.add_bill(CLEANING)
    body = {"status": "partially_paid", "amount_paid": "1000.00"}
    bill = api.patch(f"/api/billing/{bill_id}/", json=body, headers=_key()).json()
    assert (bill["status"], bill["paid"]) == ("partially_paid", False)


def test_a_repeated_key_gets_the_stored_answer(clinic: Clinic, api: httpx.Client) -> None:
    bill_id = clinic.side.add_bill(CLEANING)
    headers = _key()
    first = api.patch(f"/api/billing/{bill_id}/", json=_paid_body(), headers=headers)
    clinic.side.change_bill(bill_id, status="partially_paid")  # staff touch the bill meanwhile
    replay = api.patch(f"/api/billing/{bill_id}/", json=_paid_body(), headers=headers)
    assert (replay.status_code, replay.json()) == (200, first.json())
    assert api.get(f"/api/billing/{bill_id}/").json()["status"] == "partially_paid"


def test_the_same_key_for_another_request_is_422(clinic: Clinic, api: httpx.Client) -> None:
    bill_id = clinic.side.add_bill(CLEANING)
    headers = _key()
    api.patch(f"/api/billing/{bill_id}/", json=_paid_body(), headers=headers)
    other = {**_paid_body(), "payment_method": "gcash"}
    response = api.patch(f"/api/billing/{bill_id}/", json=other, headers=headers)
    assert response.status_code == 422
    assert "different request" in response.json()["detail"]
    assert clinic.side.stored(bill_id).payment_method == "qrph"


def at_once(url: str, send: Any, token: str = TOKEN) -> list[httpx.Response]:
    """Send CONCURRENT requests released together, each on its own connection."""
    start = threading.Barrier(CONCURRENT)

    def one(_: int) -> httpx.Response:
        headers = {"Authorization": f"Token {token}"}
        with httpx.Client(base_url=url, headers=headers, timeout=30.0) as client:
            client.get("/api/billing/?page_size=1")  # connect before the barrier
            start.wait(timeout=30)
            response = send(client)
            assert isinstance(response, httpx.Response)
            return response

    with ThreadPoolExecutor(CONCURRENT) as pool:
        return list(pool.map(one, range(CONCURRENT)))


def test_patches_sent_at_once_with_one_key_apply_once(clinic: Clinic, api: httpx.Client) -> None:
    bill_id = clinic.side.add_bill(CLEANING)
    headers = _key()
    answers = at_once(
        clinic.url,
        lambda c: c.patch(f"/api/billing/{bill_id}/", json=_paid_body(), headers=headers),
    )
    assert {answer.status_code for answer in answers} == {200}
    # Applied twice, the later answer would carry a later updated_at.
    assert len({answer.text for answer in answers}) == 1
    assert api.get(f"/api/billing/{bill_id}/").json() == answers[0].json()


def test_refunds_sent_at_once_with_one_key_apply_once(clinic: Clinic, api: httpx.Client) -> None:
    bill_id = _paid_bill(clinic, api)
    headers = _key()
    body = {"amount": "500.00", "reason": "requested_by_customer", "method": "gcash"}
    answers = at_once(
        clinic.url, lambda c: c.post(f"/api/billing/{bill_id}/refunds/", json=body, headers=headers)
    )
    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.text for answer in answers}) == 1
    assert clinic.side.stored(bill_id).refunds_centavos == [50_000]


def test_a_changed_amount_is_409_with_the_new_amount(clinic: Clinic, api: httpx.Client) -> None:
    bill_id = clinic.side.add_bill(CLEANING)
    clinic.side.change_bill(bill_id, amount_centavos=400_000)
    response = api.patch(f"/api/billing/{bill_id}/", json=_paid_body(), headers=_key())
    assert response.status_code == 409
    body = response.json()
    assert (body["detail"], body["amount"]) == ("amount changed", "4000.00")
    current = api.get(f"/api/billing/{bill_id}/").json()
    assert (current["updated_at"], current["status"]) == (body["updated_at"], "pending")
    # The amount the counter showed, sent as expected_amount, is checked the same way.
    partial = {"status": "partially_paid", "amount_paid": "100.00", "expected_amount": "3500.00"}
    assert api.patch(f"/api/billing/{bill_id}/", json=partial, headers=_key()).status_code == 409
    assert clinic.side.stored(bill_id).amount_paid_centavos == 0


def test_paying_a_cancelled_bill_is_409(clinic: Clinic, api: httpx.Client) -> None:
    bill_id = clinic.side.add_bill(CLEANING)
    clinic.side.change_bill(bill_id, status="cancelled")
    response = api.patch(f"/api/billing/{bill_id}/", json=_paid_body(), headers=_key())
    assert (response.status_code, response.json()["detail"]) == (409, "bill cancelled")


def test_bad_payment_fields_are_drf_field_errors(clinic: Clinic, api: httpx.Client) -> None:
    bill_id = clinic.side.add_bill(CLEANING)
    cases: list[tuple[dict[str, Any], dict[str, list[str]]]] = [
        ({"amount_paid": "abc"}, {"amount_paid": ["A valid number is required."]}),
        ({"amount_paid": "1.001"},
         {"amount_paid": ["Ensure that there are no more than 2 decimal places."]}),
        ({"status": "lost"}, {"status": ['"lost" is not a valid choice.']}),
        ({"payment_status": None}, {"payment_status": ["This field may not be null."]}),
    ]  # fmt: skip
    for body, errors in cases:
        response = api.patch(f"/api/billing/{bill_id}/", json=body, headers=_key())
        assert (response.status_code, response.json()) == (400, errors)
    bad_time = api.patch(f"/api/billing/{bill_id}/", json={"paid_at": "noon"}, headers=_key())
    assert (bad_time.status_code, list(bad_time.json())) == (400, ["paid_at"])
    assert api.patch("/api/billing/987654/", json={}, headers=_key()).status_code == 404


def test_bodies_that_are_not_json_objects_are_400(clinic: Clinic, api: httpx.Client) -> None:
    bill_id = clinic.side.add_bill(CLEANING)
    listed = api.patch(f"/api/billing/{bill_id}/", json=[1], headers=_key())
    assert (listed.status_code, listed.json()) == (
        400,
        {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]},
    )
    broken = api.patch(
        f"/api/billing/{bill_id}/",
        content=b'{"status": ',
        headers={**_key(), "Content-Type": "application/json"},
    )
    assert broken.status_code == 400
    assert broken.json()["detail"].startswith("JSON parse error")


def test_refunds_are_stored_and_answered_201(clinic: Clinic, api: httpx.Client) -> None:
    bill_id = _paid_bill(clinic, api)
    before = api.get(f"/api/billing/{bill_id}/").json()["updated_at"]
    body = {
        "amount": "500.00",
        "reason": "requested_by_customer",
        "refund_id": "ref_test456",
        "method": "gcash",
        "refunded_at": "2026-11-27T09:00:00+08:00",
        "approved_by": "dr.dorotheo",
    }
    headers = _key()
    response = api.post(f"/api/billing/{bill_id}/refunds/", json=body, headers=headers)
    assert response.status_code == 201, response.text
    refund = response.json()
    assert {k: refund[k] for k in ("bill", "amount", "reason", "refund_id", "method")} == {
        "bill": bill_id, "amount": "500.00", "reason": "requested_by_customer",
        "refund_id": "ref_test456", "method": "gcash",
    }  # fmt: skip
    assert refund["approved_by"] == "dr.dorotheo"
    assert parse_instant(refund["refunded_at"]) == parse_instant(body["refunded_at"])
    replay = api.post(f"/api/billing/{bill_id}/refunds/", json=body, headers=headers)
    assert (replay.status_code, replay.json()) == (201, refund)
    after = api.get(f"/api/billing/{bill_id}/").json()["updated_at"]
    assert parse_instant(after) > parse_instant(before)
    assert clinic.side.stored(bill_id).refunds_centavos == [50_000]


def test_refunds_beyond_what_was_paid_or_without_amount_are_400(
    clinic: Clinic, api: httpx.Client
) -> None:
    bill_id = _paid_bill(clinic, api)
    first = api.post(f"/api/billing/{bill_id}/refunds/", json={"amount": "3000.00"}, headers=_key())
    assert first.status_code == 201
    over = api.post(f"/api/billing/{bill_id}/refunds/", json={"amount": "500.01"}, headers=_key())
    assert (over.status_code, over.json()) == (
        400,
        {"amount": ["Ensure this value is less than or equal to 500.00."]},
    )
    missing = api.post(f"/api/billing/{bill_id}/refunds/", json={}, headers=_key())
    assert (missing.status_code, missing.json()) == (400, {"amount": ["This field is required."]})
    unknown = api.post("/api/billing/987654/refunds/", json={"amount": "1.00"}, headers=_key())
    assert unknown.status_code == 404
    assert clinic.side.stored(bill_id).refunds_centavos == [300_000]
