"""Contract tests, client side without a network: what paymongo-api.md 19.1 settled.

Each test names the 19.1 item it holds; the sandbox suite has the twins
(tests/sandbox/paymongo/test_settled_facts.py).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from pos_app.domain.account_methods import AccountMethods, MethodUnavailable
from pos_app.domain.amount_limits import PaymentLimitError, check_amount_limit, limit_problem
from pos_app.domain.money import Money
from pos_app.domain.refund import RefundRoute, refund_route
from pos_app.domain.tender import TenderMethod
from pos_app.paymongo import MalformedResponseError, SignatureVerificationError
from pos_app.paymongo.models import Event
from pos_app.paymongo.webhooks import MAX_AGE_S, verify_signature
from pos_app.services.webhook_receiver import refunds_in
from tests.unit.paymongo import wire

SECRET = "whsk_unitSECRET0123456789abcdef"
BODY = b'{"data":{"id":"evt_A","type":"event","attributes":{}}}'
T = 1_700_000_000


def _header(t: int) -> str:
    digest = hmac.new(SECRET.encode(), f"{t}.".encode() + BODY, hashlib.sha256).hexdigest()
    return f"t={t},te={digest},li="


@pytest.mark.parametrize(
    "shape",
    [["shopeepay", "card"], ["shopee_pay", "card"]],
)
def test_item_1_shopeepay_goes_back_spelled_as_capabilities_spell_it(shape: list[str]) -> None:
    methods = AccountMethods.from_capabilities(shape)
    assert methods.wire_type(TenderMethod.SHOPEE_PAY) == shape[0]
    assert methods.offers(TenderMethod.CARD)
    assert not methods.offers(TenderMethod.QRPH)
    with pytest.raises(MethodUnavailable, match="does not take QR Ph"):
        methods.wire_type(TenderMethod.QRPH)
    assert methods.offers(TenderMethod.CASH)
    assert methods.checkout_types() == ["card"]


def test_item_2_capabilities_is_a_bare_array_and_an_envelope_is_refused() -> None:
    names = ["card", "qrph", "shopeepay"]
    client = wire.make_client(lambda request: httpx.Response(200, json=names))
    assert client.payment_method_capabilities() == tuple(names)
    enveloped = wire.make_client(lambda request: httpx.Response(200, json={"data": names}))
    with pytest.raises(MalformedResponseError):
        enveloped.payment_method_capabilities()


@pytest.mark.parametrize(
    ("method", "centavos", "via_source", "words"),
    [
        (TenderMethod.QRPH, 1999, False, "QR Ph needs at least ₱20.00"),
        (TenderMethod.CARD, 1_000_000_000, False, "Card takes at most ₱9,999,999.99"),
        (TenderMethod.GCASH, 10_000_000, False, "GCash takes less than ₱100,000.00"),
        (TenderMethod.GCASH, 9_999, True, "GCash needs at least ₱100.00"),
        (TenderMethod.PAYMAYA, 10_000_001, False, "Maya takes at most ₱100,000.00"),
    ],
)
def test_item_3_amounts_paymongo_refuses_are_known_before_asking(
    method: TenderMethod, centavos: int, via_source: bool, words: str
) -> None:
    problem = limit_problem(method, Money(centavos), via_source=via_source)
    assert problem is not None
    assert problem.startswith(words)
    with pytest.raises(PaymentLimitError, match=words):
        check_amount_limit(method, Money(centavos), via_source=via_source)


@pytest.mark.parametrize(
    ("method", "centavos"),
    [
        (TenderMethod.QRPH, 2000),
        (TenderMethod.CARD, 999_999_999),
        (TenderMethod.GCASH, 9_999_999),
        (TenderMethod.CASH, 1),
    ],
)
def test_item_3_amounts_within_the_limits_pass(method: TenderMethod, centavos: int) -> None:
    assert limit_problem(method, Money(centavos)) is None


def test_item_5_qrph_is_refunded_by_hand_never_through_paymongo() -> None:
    paid = datetime(2026, 12, 1, tzinfo=UTC)
    now = paid + timedelta(days=1)
    assert refund_route(TenderMethod.QRPH, paid, now) is RefundRoute.MANUAL
    assert refund_route(TenderMethod.CASH, paid, now) is RefundRoute.MANUAL
    assert refund_route(TenderMethod.GCASH, paid, now) is RefundRoute.THROUGH_PAYMONGO
    assert refund_route(TenderMethod.CARD, paid, paid + timedelta(days=61)) is RefundRoute.MANUAL


def _event(kind: str, data: dict[str, Any]) -> Event:
    body = {
        "data": wire.resource(
            "event",
            "evt_R",
            type=kind,
            livemode=False,
            data=data,
            previous_data={},
            created_at=wire.NOW,
            updated_at=wire.NOW,
        )
    }
    return Event.from_answer(json.loads(json.dumps(body)))


@pytest.mark.parametrize("kind", ["payment.refunded", "payment.refund.updated"])
def test_item_6_refund_events_are_read_from_the_payment(kind: str) -> None:
    refund = wire.refund("ref_R", status="succeeded", payment_id="pay_A")
    event = _event(kind, wire.payment("pay_A", refunds=[refund]))
    assert [(r.id, r.status.value) for r in refunds_in(event)] == [("ref_R", "succeeded")]


def test_item_6_the_older_refund_shape_is_still_read() -> None:
    event = _event("payment.refund.updated", wire.refund("ref_R", status="failed"))
    assert [r.id for r in refunds_in(event)] == ["ref_R"]
    assert refunds_in(_event("payment.paid", wire.payment("pay_A"))) == ()


@pytest.mark.parametrize("age_s", [0, 2 * 3600, 136 * 60 + 30, MAX_AGE_S])
def test_item_7_a_retry_keeping_its_first_t_still_verifies(age_s: int) -> None:
    verify_signature(BODY, _header(T), SECRET, livemode=False, now=T + age_s)


@pytest.mark.parametrize("skew_s", [MAX_AGE_S + 1, -301])
def test_item_7_outside_the_retry_window_is_refused(skew_s: int) -> None:
    with pytest.raises(SignatureVerificationError, match="retry window"):
        verify_signature(BODY, _header(T), SECRET, livemode=False, now=T + skew_s)
