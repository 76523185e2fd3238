"""Money moves once even when the server ignores Idempotency-Key and answers get lost (R2)."""

from __future__ import annotations

import os
import random

import pytest

from pos_app.paymongo import PayMongoClient, PayMongoError
from pos_app.paymongo.models import PaymentStatus, RefundReason
from pos_sandbox.server import SandboxServer
from tests.integration.paymongo.conftest import add_fault, requests_to
from tests.integration.paymongo.conftest import new_idempotency_key as key

CARD = {"card_number": "4343434343434345", "exp_month": 12, "exp_year": 2035, "cvc": "123"}


def _paid_payment_id(client: PayMongoClient) -> str:
    intent = client.create_payment_intent(
        amount=150_000, payment_method_allowed=["card"], idempotency_key=key()
    )
    method = client.create_payment_method(type="card", details=CARD, idempotency_key=key())
    paid = client.attach_payment_intent(intent.id, payment_method_id=method.id)
    assert paid.payments
    return paid.payments[0].id


@pytest.fixture
def forgetful(fresh: SandboxServer) -> SandboxServer:
    fresh.paymongo.configure(ignore_idempotency=True)
    return fresh


def test_refund_with_lost_answer_is_found_not_repeated(
    client: PayMongoClient, forgetful: SandboxServer
) -> None:
    payment_id = _paid_payment_id(client)
    add_fault(forgetful, kind="drop_response", method="POST", path_regex="^/v1/refunds$", times=1)
    refund = client.create_refund(
        payment_id=payment_id, amount=10_000, reason=RefundReason.OTHERS, idempotency_key=key()
    )
    assert len(requests_to(forgetful, "POST", "/v1/refunds")) == 1
    assert [r.id for r in client.iter_refunds(payment_id=payment_id)] == [refund.id]


def test_source_payment_with_lost_answer_is_found_not_repeated(
    client: PayMongoClient, forgetful: SandboxServer
) -> None:
    source = client.create_source(
        type="gcash",
        amount=20_000,
        success_url="https://clinic.example/ok",
        failed_url="https://clinic.example/no",
        idempotency_key=key(),
    )
    forgetful.paymongo.settle(source.id)
    add_fault(forgetful, kind="drop_response", method="POST", path_regex="^/v1/payments$", times=1)
    payment = client.create_payment(source_id=source.id, amount=20_000, idempotency_key=key())
    assert payment.status is PaymentStatus.PAID
    assert len(requests_to(forgetful, "POST", "/v1/payments")) == 1


# rate_limit is left out here only for speed (its Retry-After: 1 is waited out); see test_faults.
FAULTS = [("drop_response", 500), ("error", 503), ("error", 502), ("error", 500)]


def test_random_faults_never_double_a_charge_or_refund(
    client: PayMongoClient, forgetful: SandboxServer
) -> None:
    seed = int(os.environ.get("KAHA_FAULT_SEED") or random.randrange(1_000_000))
    print(f"seed={seed}")  # replay with KAHA_FAULT_SEED=<seed>
    rng = random.Random(seed)

    def maybe_fault() -> None:
        # One-shot faults on whatever request comes next (retries and look-ups included).
        for _ in range(rng.choice([0, 0, 1, 2])):
            kind, status = rng.choice(FAULTS)
            add_fault(forgetful, kind=kind, status=status, path_regex="^/v1/", times=1)

    outcomes = []
    for _ in range(12):
        try:
            maybe_fault()
            intent = client.create_payment_intent(
                amount=150_000, payment_method_allowed=["card"], idempotency_key=key()
            )
            maybe_fault()
            method = client.create_payment_method(type="card", details=CARD, idempotency_key=key())
            maybe_fault()
            paid = client.attach_payment_intent(intent.id, payment_method_id=method.id)
            assert paid.payments
            maybe_fault()
            client.create_refund(
                payment_id=paid.payments[0].id,
                amount=rng.choice([100, 5_000, 150_000]),
                reason=RefundReason.REQUESTED_BY_CUSTOMER,
                idempotency_key=key(),
            )
            outcomes.append("ok")
        except PayMongoError as error:  # faults may outlast the retry budget: that is allowed
            outcomes.append(type(error).__name__)
        forgetful.paymongo_faults.clear()
    intents = forgetful.paymongo.objects("payment_intent")
    for intent_json in intents:
        payments = intent_json["attributes"]["payments"]
        paid_count = sum(p["attributes"]["status"] == "paid" for p in payments)
        assert paid_count <= 1, f"seed={seed}: intent {intent_json['id']} was charged twice"
    for payment in client.iter_payments():
        refunds = client.list_refunds(payment_id=payment.id).items
        assert len(refunds) <= 1, f"seed={seed}: payment {payment.id} was refunded twice"
    assert outcomes.count("ok") >= 6, f"seed={seed}: {outcomes}"
    faulted = [e for e in forgetful.paymongo_log.entries() if e.fault is not None]
    assert faulted, f"seed={seed}: no fault was injected"
