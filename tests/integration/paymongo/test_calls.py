"""Every PayMongoClient call, over real sockets, against the PayMongo sandbox."""

from __future__ import annotations

import pytest

from pos_app.paymongo import (
    AuthenticationError,
    Billing,
    CardDeclinedError,
    InvalidRequestError,
    PayMongoClient,
    ResourceNotFoundError,
    RouteNotFoundError,
)
from pos_app.paymongo.models import (
    CheckoutSessionStatus,
    LineItem,
    PaymentIntent,
    PaymentIntentStatus,
    PaymentStatus,
    RefundReason,
    RefundStatus,
    SourceStatus,
    WebhookStatus,
)
from pos_sandbox.server import SandboxServer
from tests.integration.paymongo.conftest import new_idempotency_key as key
from tests.integration.paymongo.conftest import new_key

CARD_OK = "4343434343434345"
CARD_NO_FUNDS = "5100000000000198"


def _card(client: PayMongoClient, number: str) -> str:
    details = {"card_number": number, "exp_month": 12, "exp_year": 2035, "cvc": "123"}
    return client.create_payment_method(type="card", details=details, idempotency_key=key()).id


def _intent(client: PayMongoClient, methods: list[str], **extra: object) -> PaymentIntent:
    return client.create_payment_intent(
        amount=150_000,
        payment_method_allowed=methods,
        idempotency_key=key(),
        **extra,  # type: ignore[arg-type]
    )


def test_card_intent_is_paid_on_attach(client: PayMongoClient) -> None:
    intent = _intent(client, ["card"], description="Cleaning", metadata={"bill": "7"})
    paid = client.attach_payment_intent(intent.id, payment_method_id=_card(client, CARD_OK))
    assert paid.status is PaymentIntentStatus.SUCCEEDED
    assert paid.payments is not None
    (payment,) = paid.payments
    assert payment.status is PaymentStatus.PAID
    assert payment.amount == 150_000
    assert payment.source is not None
    assert payment.source.last4 == "4345"
    assert client.retrieve_payment(payment.id) == payment
    assert client.retrieve_payment_intent(intent.id).metadata == {"bill": "7"}


def test_qrph_attach_gives_a_qr_code_and_settles(
    client: PayMongoClient, fresh: SandboxServer
) -> None:
    intent = _intent(client, ["qrph"])
    method = client.create_payment_method(type="qrph", expiry_seconds=600, idempotency_key=key())
    shown = client.attach_payment_intent(intent.id, payment_method_id=method.id)
    assert shown.status is PaymentIntentStatus.AWAITING_NEXT_ACTION
    assert shown.next_action is not None
    assert shown.next_action.type == "consume_qr"
    assert shown.next_action.code is not None
    assert shown.next_action.code.image_url.startswith("data:image/png;base64,")
    fresh.paymongo.settle(intent.id)
    assert client.retrieve_payment_intent(intent.id).status is PaymentIntentStatus.SUCCEEDED


def test_public_key_client_side_calls(fresh: SandboxServer) -> None:
    secret = PayMongoClient(secret_key=new_key("sk_test_"), base_url=fresh.paymongo_url)
    public = PayMongoClient(public_key=new_key("pk_test_"), base_url=fresh.paymongo_url)
    with secret, public:
        intent = _intent(secret, ["card"])
        method = _card(public, CARD_OK)
        paid = public.attach_payment_intent(
            intent.id, payment_method_id=method, client_key=intent.client_key
        )
        assert paid.status is PaymentIntentStatus.SUCCEEDED
        seen = public.retrieve_payment_intent(intent.id, client_key=intent.client_key)
        assert seen.payments is None  # PayMongo hides payments from the public key
        with pytest.raises(AuthenticationError):
            public.retrieve_payment_intent(intent.id)


@pytest.mark.parametrize("decline_status", [200, 402])
def test_declined_card_raises_with_receptionist_message(
    client: PayMongoClient, fresh: SandboxServer, decline_status: int
) -> None:
    fresh.paymongo.configure(decline_http_status=decline_status)
    intent = _intent(client, ["card"])
    with pytest.raises(CardDeclinedError) as caught:
        client.attach_payment_intent(intent.id, payment_method_id=_card(client, CARD_NO_FUNDS))
    assert caught.value.failed_code == "insufficient_funds"
    assert "not enough funds" in caught.value.user_message


def test_a_manual_capture_is_held_and_an_unpaid_intent_cancels(client: PayMongoClient) -> None:
    held = _intent(client, ["card"], capture_type="manual")
    held = client.attach_payment_intent(held.id, payment_method_id=_card(client, CARD_OK))
    assert held.status is PaymentIntentStatus.AWAITING_CAPTURE
    assert client.cancel_payment_intent(_intent(client, ["qrph"]).id).status is (
        PaymentIntentStatus.CANCELLED
    )


def test_payments_refunds_and_pagination(client: PayMongoClient) -> None:
    paid_ids = []
    for _ in range(5):
        intent = _intent(client, ["card"])
        paid = client.attach_payment_intent(intent.id, payment_method_id=_card(client, CARD_OK))
        assert paid.payments
        paid_ids.append(paid.payments[0].id)
    listed = [p.id for p in client.iter_payments(page_size=2)]
    assert sorted(listed) == sorted(paid_ids)
    assert client.list_payments(limit=2).has_more
    refund = client.create_refund(
        payment_id=paid_ids[0],
        amount=50_000,
        reason=RefundReason.REQUESTED_BY_CUSTOMER,
        idempotency_key=key(),
        notes="patient cancelled",
    )
    assert refund.status in {RefundStatus.PENDING, RefundStatus.SUCCEEDED}
    assert client.retrieve_refund(refund.id).amount == 50_000
    assert [r.id for r in client.iter_refunds(payment_id=paid_ids[0])] == [refund.id]
    assert client.list_refunds(payment_id=paid_ids[0]).items[0].id == refund.id
    with pytest.raises(InvalidRequestError) as too_much:
        client.create_refund(
            payment_id=paid_ids[0],
            amount=200_000,
            reason=RefundReason.OTHERS,
            idempotency_key=key(),
        )
    assert too_much.value.codes


def test_sources_become_payments(client: PayMongoClient, fresh: SandboxServer) -> None:
    source = client.create_source(
        type="gcash",
        amount=20_000,
        success_url="https://clinic.example/ok",
        failed_url="https://clinic.example/failed",
        billing=Billing(name="Maria Santos", email="maria@example.com"),
        idempotency_key=key(),
    )
    assert source.status is SourceStatus.PENDING
    assert source.checkout_url
    fresh.paymongo.settle(source.id)
    assert client.retrieve_source(source.id).status is SourceStatus.CHARGEABLE
    payment = client.create_payment(source_id=source.id, amount=20_000, idempotency_key=key())
    assert payment.status is PaymentStatus.PAID
    assert client.retrieve_source(source.id).status is SourceStatus.PAID


def test_checkout_sessions(client: PayMongoClient) -> None:
    session = client.create_checkout_session(
        line_items=[LineItem(name="Cleaning", amount=150_000, quantity=1)],
        payment_method_types=["card", "qrph"],
        success_url="https://clinic.example/ok",
        reference_number="BILL-7",
        idempotency_key=key(),
    )
    assert session.status is CheckoutSessionStatus.ACTIVE
    assert client.retrieve_checkout_session(session.id).reference_number == "BILL-7"
    assert client.expire_checkout_session(session.id).status is CheckoutSessionStatus.EXPIRED


def test_webhooks_and_capabilities(client: PayMongoClient, fresh: SandboxServer) -> None:
    hook = client.create_webhook(
        url="http://127.0.0.1:9/hook", events=["payment.paid"], idempotency_key=key()
    )
    assert hook.secret_key.startswith("whsk_")
    assert hook.secret_key not in repr(hook)
    assert [h.id for h in client.list_webhooks()] == [hook.id]
    fresh.paymongo.disable_webhook(hook.id)  # as a person (or PayMongo) does at PayMongo
    assert client.retrieve_webhook(hook.id).status is WebhookStatus.DISABLED
    assert client.enable_webhook(hook.id).status is WebhookStatus.ENABLED
    assert client.retrieve_webhook(hook.id).events == ("payment.paid",)
    assert "qrph" in client.payment_method_capabilities()


def test_not_found_resource_and_route(client: PayMongoClient, fresh: SandboxServer) -> None:
    with pytest.raises(ResourceNotFoundError):
        client.retrieve_payment("pay_doesnotexist000000000000")
    wrong_base = PayMongoClient(secret_key=new_key("sk_test_"), base_url=fresh.paymongo_url + "/x")
    with wrong_base, pytest.raises(RouteNotFoundError):
        wrong_base.retrieve_payment("pay_A")


def test_minimum_amount_is_an_invalid_request(client: PayMongoClient) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        client.create_payment_intent(
            amount=100, payment_method_allowed=["card"], idempotency_key=key()
        )
    assert caught.value.errors[0].code in {"parameter_below_minimum", "parameter_invalid"}
