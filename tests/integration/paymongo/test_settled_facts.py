"""Contract tests, client suite against the sandbox over real sockets: paymongo-api.md 19.1.

Each test names the 19.1 item it holds; the sandbox suite has the twins
(tests/sandbox/paymongo/test_settled_facts.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pos_app.domain.account_methods import AccountMethods
from pos_app.domain.clock import Clock
from pos_app.domain.tender import TenderMethod
from pos_app.paymongo import InvalidRequestError, PayMongoClient
from pos_app.paymongo.errors import ErrorDetail
from pos_app.paymongo.models import Event, Payment
from pos_app.paymongo.models.payments import RefundReason
from pos_app.services.webhook_receiver import refunds_in
from pos_app.services.webhook_status import WebhookGuard, WebhookState
from pos_app.storage import Database, open_database
from pos_sandbox.server import SandboxServer
from tests.integration.paymongo.conftest import new_idempotency_key as key

CARD = {"card_number": "4343434343434345", "exp_month": 12, "exp_year": 2035, "cvc": "123"}


class _Clock(Clock):
    def __init__(self, sandbox: SandboxServer) -> None:
        self._sandbox = sandbox

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._sandbox.clock.now(), tz=UTC)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path / 'counter.sqlite3'}")
    yield db
    db.dispose()


def _paid(client: PayMongoClient, fresh: SandboxServer, method: str) -> Payment:
    intent = client.create_payment_intent(
        amount=150_000, payment_method_allowed=[method], idempotency_key=key()
    )
    details = CARD if method == "card" else None
    pm = client.create_payment_method(type=method, details=details, idempotency_key=key())
    client.attach_payment_intent(intent.id, payment_method_id=pm.id)
    if method != "card":
        fresh.paymongo.settle(intent.id)
    [payment] = client.retrieve_payment_intent(intent.id).payments or ()
    return payment


@pytest.mark.parametrize("spelling", ["shopeepay", "shopee_pay"])
def test_item_1_shopeepay_as_capabilities_spell_it(
    client: PayMongoClient, fresh: SandboxServer, spelling: str
) -> None:
    fresh.paymongo.configure(capabilities=["card", spelling])
    methods = AccountMethods.from_capabilities(client.payment_method_capabilities())
    wire_type = methods.wire_type(TenderMethod.SHOPEE_PAY)
    assert wire_type == spelling
    intent = client.create_payment_intent(
        amount=10_000, payment_method_allowed=[wire_type], idempotency_key=key()
    )
    assert list(intent.payment_method_allowed) == [spelling]
    other = "shopee_pay" if spelling == "shopeepay" else "shopeepay"
    with pytest.raises(InvalidRequestError):
        client.create_payment_method(type=other, idempotency_key=key())


def test_item_2_capabilities_read_as_a_bare_array(client: PayMongoClient) -> None:
    names = client.payment_method_capabilities()
    assert isinstance(names, tuple)
    assert {"card", "qrph", "gcash", "shopeepay"} <= set(names)


def test_item_3_below_the_intent_minimum_is_refused(client: PayMongoClient) -> None:
    with pytest.raises(InvalidRequestError) as refused:
        client.create_payment_intent(
            amount=1999, payment_method_allowed=["qrph"], idempotency_key=key()
        )
    [error] = refused.value.errors
    assert (error.code, error.detail) == (
        "parameter_below_minimum",
        "The minimum value for the amount is 2000.",
    )


def test_item_3_gcash_at_100000_pesos_fails_with_amount_exceed_limit(
    client: PayMongoClient, fresh: SandboxServer
) -> None:
    intent = client.create_payment_intent(
        amount=10_000_000, payment_method_allowed=["gcash"], idempotency_key=key()
    )
    pm = client.create_payment_method(type="gcash", idempotency_key=key())
    client.attach_payment_intent(
        intent.id, payment_method_id=pm.id, return_url="https://clinic.example/done"
    )
    fresh.paymongo.settle(intent.id)
    error = client.retrieve_payment_intent(intent.id).last_payment_error
    assert error is not None
    assert error.failed_code == "AMOUNT_EXCEED_LIMIT"


def test_item_5_a_qrph_refund_is_refused_as_recorded(
    client: PayMongoClient, fresh: SandboxServer
) -> None:
    payment = _paid(client, fresh, "qrph")
    with pytest.raises(InvalidRequestError) as refused:
        client.create_refund(
            payment_id=payment.id, amount=150_000, reason=RefundReason.OTHERS, idempotency_key=key()
        )
    assert refused.value.status == 400
    assert list(refused.value.errors) == [
        ErrorDetail(
            code="parameter_invalid",
            detail="Refunds are not allowed for payments with source type qrph.",
            pointer="payment_id",
            attribute="payment_id",
        )
    ]


def test_item_6_refund_events_parse_as_the_payment_with_its_refunds(
    client: PayMongoClient, fresh: SandboxServer
) -> None:
    payment = _paid(client, fresh, "card")
    refund = client.create_refund(
        payment_id=payment.id, amount=50_000, reason=RefundReason.OTHERS, idempotency_key=key()
    )
    fresh.paymongo.settle(refund.id)
    events = [Event.from_answer({"data": raw}) for raw in fresh.paymongo.events()]
    about_refunds = [e for e in events if e.type.startswith("payment.refund")]
    assert {e.type for e in about_refunds} == {"payment.refunded", "payment.refund.updated"}
    for event in about_refunds:
        assert isinstance(event.data, Payment)
        assert [(r.id, r.status.value) for r in refunds_in(event)] == [(refund.id, "succeeded")]


def test_item_7_the_guard_finds_its_webhook_by_secret_and_leaves_a_hand_disabled_one(
    client: PayMongoClient, fresh: SandboxServer, database: Database
) -> None:
    missing = WebhookGuard(client, database, _Clock(fresh), secret="whsk_not_registered")
    assert missing.check().state is WebhookState.MISSING
    hook = client.create_webhook(
        url="https://clinic.example/hook", events=["payment.paid"], idempotency_key=key()
    )
    guard = WebhookGuard(client, database, _Clock(fresh), secret=hook.secret_key)
    assert guard.status().state is WebhookState.UNKNOWN
    assert guard.check().state is WebhookState.ENABLED
    fresh.paymongo.disable_webhook(hook.id)  # a person turned it off at PayMongo: not ours to undo
    health = guard.check()
    assert (health.state, health.disabled_reason) == (WebhookState.DISABLED, "disabled_by_merchant")
    assert client.retrieve_webhook(hook.id).status.value == "disabled"
    fresh.paymongo.store.objects[hook.id]["attributes"]["disabled_reason"] = "max_retries_exceeded"
    assert guard.check().state is WebhookState.RE_ENABLED
    assert client.retrieve_webhook(hook.id).status.value == "enabled"
    assert guard.check().state is WebhookState.RE_ENABLED  # still said until the next start
    assert "turned back on" in guard.status().summary


def test_item_7_the_re_enabling_is_audited_under_who_is_signed_in_else_the_counter(
    client: PayMongoClient, fresh: SandboxServer, database: Database
) -> None:
    hook = client.create_webhook(
        url="https://clinic.example/hook", events=["payment.paid"], idempotency_key=key()
    )
    signed_in: list[str | None] = ["Rosa"]
    guard = WebhookGuard(
        client, database, _Clock(fresh), secret=hook.secret_key, signed_in=lambda: signed_in[0]
    )
    for who in ("Rosa", None):  # Rosa at the counter; then nobody: the counter on its own
        signed_in[0] = who
        fresh.paymongo.disable_webhook(hook.id)
        fresh.paymongo.store.objects[hook.id]["attributes"]["disabled_reason"] = (
            "max_retries_exceeded"
        )
        assert guard.check().state is WebhookState.RE_ENABLED
    with database.unit_of_work(read_only=True) as uow:
        rows = [e.actor for e in uow.audit.entries() if e.action == "webhook_re_enabled"]
    assert rows == ["Rosa", "counter"]
