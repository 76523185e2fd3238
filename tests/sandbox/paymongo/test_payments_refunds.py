"""Payments list with cursor pagination, refunds and their rules, Idempotency-Key."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.sandbox.paymongo.conftest import Api, error_codes

CARD = "4343434343434345"


def _paid(api: Api, amount: int = 10_000) -> str:
    intent = api.pay_with_card(CARD, amount)
    payment_id: str = intent["attributes"]["payments"][0]["id"]
    return payment_id


def test_list_payments_pages_newest_first(api: Api) -> None:
    ids = [_paid(api, 2000 + i) for i in range(25)]
    newest_first = list(reversed(ids))
    first = api.get("/v1/payments", params={"limit": "10"}).json()
    assert [p["id"] for p in first["data"]] == newest_first[:10]
    assert first["has_more"] is True
    second = api.get("/v1/payments", params={"limit": "10", "after": newest_first[9]}).json()
    assert [p["id"] for p in second["data"]] == newest_first[10:20]
    third = api.get("/v1/payments", params={"limit": "10", "after": newest_first[19]}).json()
    assert [p["id"] for p in third["data"]] == newest_first[20:]
    assert third["has_more"] is False
    back = api.get("/v1/payments", params={"limit": "5", "before": newest_first[10]}).json()
    assert [p["id"] for p in back["data"]] == newest_first[5:10]
    assert back["has_more"] is True


def test_default_page_is_ten(api: Api) -> None:
    for _ in range(11):
        _paid(api)
    page = api.get("/v1/payments").json()
    assert len(page["data"]) == 10
    assert page["has_more"] is True


@pytest.mark.parametrize("limit", ["0", "101", "ten"])
def test_bad_limit_is_400(api: Api, limit: str) -> None:
    assert api.get("/v1/payments", params={"limit": limit}).status_code == 400


def test_retrieve_payment(api: Api) -> None:
    payment_id = _paid(api)
    payment = api.ok("GET", f"/v1/payments/{payment_id}")
    assert payment["attributes"]["amount"] == 10_000
    assert payment["attributes"]["refunds"] == []


def _refund(api: Api, payment_id: str, amount: int, **extra: object) -> dict[str, Any]:
    attrs = {"payment_id": payment_id, "amount": amount, "reason": "requested_by_customer", **extra}
    return api.ok("POST", "/v1/refunds", attrs)


def test_refund_pending_then_succeeded(api: Api) -> None:
    payment_id = _paid(api)
    refund = _refund(api, payment_id, 4000, notes="patient left", metadata={"bill": "7"})
    assert refund["id"].startswith("ref_")
    assert refund["attributes"]["status"] == "pending"
    assert refund["attributes"]["refunded_at"] is None
    api.state.advance_clock(61)
    done = api.ok("GET", f"/v1/refunds/{refund['id']}")
    assert done["attributes"]["status"] == "succeeded"
    assert done["attributes"]["refunded_at"] is not None
    payment = api.ok("GET", f"/v1/payments/{payment_id}")
    assert payment["attributes"]["status"] == "paid"
    assert [r["id"] for r in payment["attributes"]["refunds"]] == [refund["id"]]
    kinds = [e["attributes"]["type"] for e in api.state.events()]
    assert "payment.refund.updated" in kinds
    assert "payment.refunded" in kinds
    entries = api.state.ledger()
    assert [(e["kind"], e["amount"], e["status"]) for e in entries] == [
        ("payment", 10_000, "paid"),
        ("refund", 4000, "succeeded"),
    ]


def test_second_refund_while_pending_is_refused(api: Api) -> None:
    payment_id = _paid(api)
    _refund(api, payment_id, 1000)
    response = api.post(
        "/v1/refunds", {"payment_id": payment_id, "amount": 1000, "reason": "others"}
    )
    assert error_codes(response) == ["resource_pending_state"]


def test_partial_refunds_up_to_the_remaining_amount(api: Api) -> None:
    payment_id = _paid(api)
    first = _refund(api, payment_id, 6000)
    api.state.settle(str(first["id"]))
    too_much = api.post(
        "/v1/refunds", {"payment_id": payment_id, "amount": 4001, "reason": "duplicate"}
    )
    assert error_codes(too_much) == ["parameter_above_maximum"]
    _refund(api, payment_id, 4000)


@pytest.mark.parametrize(
    ("attrs", "code"),
    [
        ({"amount": 99, "reason": "others"}, "parameter_below_minimum"),
        ({"amount": 100, "reason": "because"}, "parameter_invalid"),
        ({"amount": 100}, "parameter_required"),
        ({"amount": 100, "reason": "others", "notes": "x" * 256}, "parameter_above_maximum"),
    ],
)
def test_refund_validation(api: Api, attrs: dict[str, object], code: str) -> None:
    response = api.post("/v1/refunds", {"payment_id": _paid(api), **attrs})
    assert response.status_code == 400
    assert error_codes(response) == [code]


def test_refund_of_failed_payment_is_refused(api: Api) -> None:
    intent = api.pay_with_card("4400000000000016")
    failed_id = intent["attributes"]["payments"][0]["id"]
    response = api.post("/v1/refunds", {"payment_id": failed_id, "amount": 100, "reason": "others"})
    assert error_codes(response) == ["resource_failed_state"]


def test_refund_unknown_payment_and_other_mode(api: Api) -> None:
    response = api.post(
        "/v1/refunds", {"payment_id": "pay_nope", "amount": 100, "reason": "others"}
    )
    assert response.status_code == 404
    live = api.post(
        "/v1/refunds",
        {"payment_id": _paid(api), "amount": 100, "reason": "others"},
        key="sk_live_" + "Qw3rTy7uIo9pAs2d",  # made up key
    )
    assert error_codes(live) == ["livemode_mismatched"]


def test_card_refund_window_is_sixty_days(api: Api) -> None:
    payment_id = _paid(api)
    api.state.advance_clock(61 * 86400)
    response = api.post(
        "/v1/refunds", {"payment_id": payment_id, "amount": 100, "reason": "others"}
    )
    assert error_codes(response) == ["allowed_date_exceeded"]


def test_list_refunds_by_payment(api: Api) -> None:
    first, second = _paid(api), _paid(api)
    refund = _refund(api, first, 100)
    _refund(api, second, 200)
    listed = api.get("/v1/refunds", params={"payment_id": first}).json()
    assert [r["id"] for r in listed["data"]] == [refund["id"]]
    assert len(api.get("/v1/refunds").json()["data"]) == 2


def test_failed_refund_via_control(api: Api) -> None:
    refund = _refund(api, _paid(api), 100)
    api.state.fail(str(refund["id"]))
    assert api.ok("GET", f"/v1/refunds/{refund['id']}")["attributes"]["status"] == "failed"


# idempotency -------------------------------------------------------------------------------
INTENT = {"amount": 5000, "currency": "PHP", "payment_method_allowed": ["qrph"]}


def test_same_key_replays_the_first_answer(api: Api) -> None:
    key = str(uuid.uuid4())
    first = api.post("/v1/payment_intents", INTENT, headers={"Idempotency-Key": key})
    again = api.post("/v1/payment_intents", INTENT, headers={"Idempotency-Key": key})
    assert again.status_code == 200
    assert again.json() == first.json()
    assert len(api.state.objects("payment_intent")) == 1


def test_same_key_with_other_body_is_rejected(api: Api) -> None:
    key = str(uuid.uuid4())
    api.post("/v1/payment_intents", INTENT, headers={"Idempotency-Key": key})
    other = api.post(
        "/v1/payment_intents", {**INTENT, "amount": 6000}, headers={"Idempotency-Key": key}
    )
    assert other.status_code == 400
    assert error_codes(other) == ["parameter_invalid"]


def test_validation_failures_are_not_stored(api: Api) -> None:
    key = str(uuid.uuid4())
    bad = api.post("/v1/payment_intents", {**INTENT, "amount": 1}, headers={"Idempotency-Key": key})
    assert bad.status_code == 400
    fixed = api.post(
        "/v1/payment_intents", {**INTENT, "amount": 1}, headers={"Idempotency-Key": key}
    )
    assert fixed.status_code == 400
    assert len(api.state.objects("payment_intent")) == 0


def test_business_failures_are_replayed(api: Api) -> None:
    intent = api.pay_with_card(CARD)
    key = str(uuid.uuid4())
    path = f"/v1/payment_intents/{intent['id']}/cancel"
    first = api.post(path, headers={"Idempotency-Key": key})
    assert error_codes(first) == ["resource_failed_state"]
    assert api.post(path, headers={"Idempotency-Key": key}).json() == first.json()


def test_keys_expire_after_a_day(api: Api) -> None:
    key = str(uuid.uuid4())
    api.post("/v1/payment_intents", INTENT, headers={"Idempotency-Key": key})
    api.state.advance_clock(24 * 3600 + 1)
    api.post("/v1/payment_intents", INTENT, headers={"Idempotency-Key": key})
    assert len(api.state.objects("payment_intent")) == 2


def test_keys_are_scoped_to_the_api_key(api: Api) -> None:
    key = str(uuid.uuid4())
    api.post("/v1/payment_intents", INTENT, headers={"Idempotency-Key": key})
    api.post(
        "/v1/payment_intents",
        INTENT,
        headers={"Idempotency-Key": key},
        key="sk_test_AnotherAccount99",
    )
    assert len(api.state.objects("payment_intent")) == 2


def test_ignore_idempotency_control(api: Api) -> None:
    api.state.configure(ignore_idempotency=True)
    key = str(uuid.uuid4())
    for _ in range(2):
        api.post("/v1/payment_intents", INTENT, headers={"Idempotency-Key": key})
    assert len(api.state.objects("payment_intent")) == 2


def test_dropped_answer_then_retry_with_same_key_does_not_double_create(api: Api) -> None:
    import httpx

    from pos_sandbox.faults import FaultRule

    api.server.paymongo_faults.add(
        FaultRule(kind="drop_response", method="POST", path_regex="^/v1/payment_intents$", times=1)
    )
    key = str(uuid.uuid4())
    with pytest.raises(httpx.TransportError):
        api.post("/v1/payment_intents", INTENT, headers={"Idempotency-Key": key})
    retry = api.post("/v1/payment_intents", INTENT, headers={"Idempotency-Key": key})
    assert retry.status_code == 200
    [intent] = api.state.objects("payment_intent")
    assert retry.json()["data"]["id"] == intent["id"]
