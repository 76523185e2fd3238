"""Payment intent calls: create, retrieve, attach (exactly once) and cancel."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from pos_app.paymongo._base import (
    ApiSection,
    attributes,
    check_amount,
    check_idempotency_key,
    metadata_json,
    path_id,
)
from pos_app.paymongo.errors import CardDeclinedError
from pos_app.paymongo.models import CaptureType, PaymentIntent, PaymentIntentStatus

ThreeDSecure = Literal["any", "automatic"]


class PaymentIntentsApi(ApiSection):
    def create_payment_intent(
        self,
        *,
        amount: int,
        payment_method_allowed: Sequence[str],
        idempotency_key: str,
        currency: str = "PHP",
        description: str | None = None,
        statement_descriptor: str | None = None,
        capture_type: CaptureType = CaptureType.AUTOMATIC,
        request_three_d_secure: ThreeDSecure | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> PaymentIntent:
        options = None
        if request_three_d_secure is not None:
            options = {"card": {"request_three_d_secure": request_three_d_secure}}
        body = attributes(
            amount=check_amount(amount),
            currency=currency,
            payment_method_allowed=list(payment_method_allowed),
            payment_method_options=options,
            capture_type=str(capture_type),
            description=description,
            statement_descriptor=statement_descriptor,
            metadata=metadata_json(metadata),
        )
        answer = self._http.request(
            "POST",
            "/v1/payment_intents",
            body=body,
            idempotency_key=check_idempotency_key(idempotency_key),
        )
        return PaymentIntent.from_answer(answer)

    def retrieve_payment_intent(
        self, intent_id: str, *, client_key: str | None = None, deadline: float | None = None
    ) -> PaymentIntent:
        """With the secret key; or, given `client_key` and only a public key, client-side
        (PayMongo then leaves out ``payments``)."""
        if client_key is not None and not self._http.has_key("secret"):
            answer = self._http.request(
                "GET",
                f"/v1/payment_intents/{path_id(intent_id)}",
                key="public",
                params={"client_key": client_key},
                deadline=deadline,
            )
        else:
            answer = self._http.request(
                "GET", f"/v1/payment_intents/{path_id(intent_id)}", deadline=deadline
            )
        return PaymentIntent.from_answer(answer)

    def attach_payment_intent(
        self,
        intent_id: str,
        *,
        payment_method_id: str,
        return_url: str | None = None,
        client_key: str | None = None,
    ) -> PaymentIntent:
        """Attach a payment method; the charge, QR code or redirect happens here.

        Never posted twice blindly: PayMongo takes no Idempotency-Key on attach (fact sheet
        §4.4, §14: keys are for creates), so after an ambiguous failure the intent is looked
        up, and attach is re-posted only if the intent is still ``awaiting_payment_method``
        with no decline recorded for this payment method. A declined card raises
        ``CardDeclinedError`` carrying the intent.
        """
        use_public = client_key is not None and not self._http.has_key("secret")
        path = f"/v1/payment_intents/{path_id(intent_id)}/attach"
        body = attributes(
            payment_method=payment_method_id, client_key=client_key, return_url=return_url
        )

        def post(deadline: float) -> PaymentIntent:
            answer = self._http.request(
                "POST",
                path,
                key="public" if use_public else "secret",
                body=body,
                resend="unless_acted",
                deadline=deadline,
            )
            return PaymentIntent.from_answer(answer)

        def look_up(deadline: float) -> PaymentIntent:
            return self.retrieve_payment_intent(intent_id, client_key=client_key, deadline=deadline)

        def attached(intent: PaymentIntent) -> bool:
            return intent.status is not PaymentIntentStatus.AWAITING_PAYMENT_METHOD or (
                _declined_method(intent) == payment_method_id
            )

        intent = self._post_exactly_once(post, look_up, attached, "attach")
        _raise_if_declined(intent, payment_method_id)
        return intent

    def cancel_payment_intent(self, intent_id: str) -> PaymentIntent:
        """Cancel an intent that is not paid. A lost answer is checked by looking it up."""
        path = f"/v1/payment_intents/{path_id(intent_id)}/cancel"
        final = {PaymentIntentStatus.CANCELLED, PaymentIntentStatus.SUCCEEDED}

        def post(deadline: float) -> PaymentIntent:
            answer = self._http.request("POST", path, resend="unless_acted", deadline=deadline)
            return PaymentIntent.from_answer(answer)

        def look_up(deadline: float) -> PaymentIntent:
            return self.retrieve_payment_intent(intent_id, deadline=deadline)

        def settled(intent: PaymentIntent) -> bool:
            return intent.status in final

        return self._post_exactly_once(post, look_up, settled, "cancel")


def _declined_method(intent: PaymentIntent) -> str | None:
    error = intent.last_payment_error
    return None if error is None else error.payment_method_id


def _raise_if_declined(intent: PaymentIntent, payment_method_id: str) -> None:
    error = intent.last_payment_error
    if intent.status is not PaymentIntentStatus.AWAITING_PAYMENT_METHOD or error is None:
        return
    if error.payment_method_id not in (None, payment_method_id):
        return  # an older decline, of another payment method
    raise CardDeclinedError(
        f"PayMongo declined the payment method: {error.failed_code}",
        failed_code=error.failed_code,
        failed_message=error.failed_message,
        status=200,
        payment_intent=intent,
    )
