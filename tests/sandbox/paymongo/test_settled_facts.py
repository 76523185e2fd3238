"""Contract tests: the sandbox behaves as PayMongo does where paymongo-api.md 19.1 settled it.

Each test names the 19.1 item it holds; the client suite has its twin
(tests/integration/paymongo/test_settled_facts.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest

from pos_sandbox.paymongo.config import DEFAULT_RETRY_DELAYS
from pos_sandbox.paymongo.state import PayMongoState
from tests.sandbox.paymongo.conftest import Api, error_codes
from tests.sandbox.paymongo.test_webhooks import Receiver

RECORDED_QRPH_REFUND_ANSWER = (
    b'{"errors":[{"code":"parameter_invalid","detail":"Refunds are not allowed for payments'
    b' with source type qrph.","source":{"pointer":"payment_id","attribute":"payment_id"}}]}'
)


def deliveries_made(state: PayMongoState, count: int) -> Callable[[], bool]:
    """For ``state.wait_for``: the dispatcher has recorded ``count`` tries (and scheduled the
    retries), so moving the clock now makes the next round due."""
    return lambda: len(state.store.deliveries) >= count


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    endpoint = Receiver()
    yield endpoint
    endpoint.server.shutdown()
    endpoint.server.server_close()


def _intent(api: Api, allowed: list[str], amount: int = 10_000) -> int:
    attrs = {"amount": amount, "currency": "PHP", "payment_method_allowed": allowed}
    return api.post("/v1/payment_intents", attrs).status_code


def test_item_1_shopeepay_is_accepted_only_as_capabilities_spell_it(api: Api) -> None:
    capabilities = api.get("/v1/merchants/capabilities/payment_methods").json()
    assert "shopeepay" in capabilities  # PayMongo's current e-wallets guide
    assert _intent(api, ["shopeepay"]) == 200
    assert api.post("/v1/payment_methods", {"type": "shopeepay"}).status_code == 200
    refused = api.post("/v1/payment_methods", {"type": "shopee_pay"})
    assert error_codes(refused) == ["parameter_invalid"]
    assert _intent(api, ["shopee_pay"]) == 400
    api.state.configure(capabilities=["card", "qrph", "shopee_pay"])
    assert _intent(api, ["shopee_pay"]) == 200
    assert _intent(api, ["shopeepay"]) == 400
    api.state.configure(capabilities=["card", "qrph"])  # an account without ShopeePay
    assert _intent(api, ["shopee_pay"]) == _intent(api, ["shopeepay"]) == 400


def test_item_1_a_shopeepay_intent_pays_with_the_accounts_spelling(api: Api) -> None:
    api.state.configure(capabilities=["shopee_pay"])
    attrs = {"amount": 10_000, "currency": "PHP", "payment_method_allowed": ["shopee_pay"]}
    intent = api.ok("POST", "/v1/payment_intents", attrs)
    attached = api.attach(intent, api.method("shopee_pay"), return_url="https://clinic.example")
    assert attached["attributes"]["status"] == "awaiting_next_action"
    api.state.settle(intent["id"])
    assert api.ok("GET", f"/v1/payment_intents/{intent['id']}")["attributes"]["status"] == (
        "succeeded"
    )


def test_item_2_capabilities_is_a_bare_json_array_of_strings(api: Api) -> None:
    response = api.get("/v1/merchants/capabilities/payment_methods")
    body = response.json()
    assert isinstance(body, list)
    assert all(isinstance(name, str) for name in body)
    assert {"card", "qrph", "gcash", "grab_pay", "paymaya"} <= set(body)


def test_item_3_intent_minimum_is_2000_and_maximum_999999999(api: Api) -> None:
    below = api.post(
        "/v1/payment_intents",
        {"amount": 1999, "currency": "PHP", "payment_method_allowed": ["qrph"]},
    )
    assert below.status_code == 400
    [error] = below.json()["errors"]
    assert error["code"] == "parameter_below_minimum"
    assert error["detail"] == "The minimum value for the amount is 2000."
    assert _intent(api, ["qrph"], 2000) == 200
    assert _intent(api, ["card"], 999_999_999) == 200
    above = api.post(
        "/v1/payment_intents",
        {"amount": 1_000_000_000, "currency": "PHP", "payment_method_allowed": ["card"]},
    )
    assert error_codes(above) == ["parameter_above_maximum"]


def test_item_3_gcash_fails_at_100000_pesos_with_amount_exceed_limit(api: Api) -> None:
    failed_codes = []
    for amount in (9_999_999, 10_000_000):
        intent = api.intent(amount, ["gcash"])
        api.attach(intent, api.method("gcash"), return_url="https://clinic.example")
        api.state.settle(intent["id"])
        after = api.ok("GET", f"/v1/payment_intents/{intent['id']}")["attributes"]
        error = after["last_payment_error"]
        failed_codes.append(None if error is None else error["failed_code"])
    assert failed_codes == [None, "AMOUNT_EXCEED_LIMIT"]


def _paid_qrph(api: Api) -> str:
    intent = api.intent(10_000, ["qrph"])
    api.attach(intent, api.method("qrph"))
    api.state.settle(intent["id"])
    payments = api.ok("GET", f"/v1/payment_intents/{intent['id']}")["attributes"]["payments"]
    return str(payments[0]["id"])


def test_item_5_qrph_refund_gets_the_recorded_answer_byte_for_byte(api: Api) -> None:
    payment_id = _paid_qrph(api)
    response = api.post(
        "/v1/refunds", {"payment_id": payment_id, "amount": 10_000, "reason": "others"}
    )
    assert response.status_code == 400
    assert response.content == RECORDED_QRPH_REFUND_ANSWER
    assert [entry["kind"] for entry in api.state.ledger()] == ["payment"]


def test_item_6_both_refund_events_carry_the_payment_with_its_refunds(api: Api) -> None:
    intent = api.pay_with_card("4343434343434345")
    payment_id = api.ok("GET", f"/v1/payment_intents/{intent['id']}")["attributes"]["payments"][0][
        "id"
    ]
    refund = api.ok(
        "POST", "/v1/refunds", {"payment_id": payment_id, "amount": 4000, "reason": "others"}
    )
    api.state.advance_clock(61)
    events = {e["attributes"]["type"]: e for e in api.state.events()}
    for name in ("payment.refund.updated", "payment.refunded"):
        data = events[name]["attributes"]["data"]
        assert data["type"] == "payment"
        assert data["id"] == payment_id
        [carried] = data["attributes"]["refunds"]
        assert carried["id"] == refund["id"]
        assert carried["attributes"]["status"] == "succeeded"


def _event_ids_and_ts(received: list[tuple[dict[str, str], bytes]]) -> dict[str, set[str]]:
    stamps: dict[str, set[str]] = {}
    for headers, body in received:
        t = dict(p.split("=", 1) for p in headers["Paymongo-Signature"].split(","))["t"]
        stamps.setdefault(json.loads(body)["data"]["id"], set()).add(t)
    return stamps


def test_item_7_three_exhausted_events_disable_the_webhook_retries_keep_t(
    api: Api, receiver: Receiver
) -> None:
    state = api.state
    state.configure(webhook_retry_delays=list(DEFAULT_RETRY_DELAYS))  # PayMongo's 12 retries
    receiver.status = 503  # the counter's receiver is down all night
    hook = api.ok("POST", "/v1/webhooks", {"url": receiver.url, "events": ["payment.paid"]})
    for _ in range(3):
        api.pay_with_card("4343434343434345")
    tries = len(DEFAULT_RETRY_DELAYS) + 1
    for done, delay in enumerate(DEFAULT_RETRY_DELAYS, start=1):
        # each round of tries is recorded (and its retry scheduled) before the clock moves on
        assert state.wait_for(deliveries_made(state, 3 * done))
        state.advance_clock(delay + 1)  # the schedule, 136.5 minutes in all
    assert state.wait_for(lambda: hook_status(api, hook["id"]) == "disabled")
    stamps = _event_ids_and_ts(receiver.received)
    assert len(stamps) == 3
    assert all(len(t) == 1 for t in stamps.values())  # every retry signed with the first t
    assert len(receiver.received) == 3 * tries
    after = api.ok("GET", f"/v1/webhooks/{hook['id']}")["attributes"]
    assert after["disabled_reason"] == "max_retries_exceeded"
    receiver.status = 200
    api.pay_with_card("4343434343434345")  # while disabled: never sent, not even later
    api.ok("POST", f"/v1/webhooks/{hook['id']}/enable")
    api.pay_with_card("4343434343434345")
    received = receiver.wait_for(3 * tries + 1)
    assert state.wait_for(lambda: not state.store.outbox)
    assert len(receiver.received) == len(received) == 3 * tries + 1


def hook_status(api: Api, hook_id: str) -> str:
    return str(api.state.store.objects[hook_id]["attributes"]["status"])
