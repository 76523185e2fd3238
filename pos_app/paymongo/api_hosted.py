"""Hosted pages (checkout sessions), webhook registrations and capabilities."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pos_app.paymongo._base import (
    ApiSection,
    attributes,
    check_amount,
    check_idempotency_key,
    metadata_json,
    path_id,
)
from pos_app.paymongo.api_payments import Billing, billing_json
from pos_app.paymongo.errors import MalformedResponseError
from pos_app.paymongo.models import (
    CheckoutSession,
    CheckoutSessionStatus,
    LineItem,
    Page,
    Webhook,
    WebhookStatus,
)
from pos_app.paymongo.models._fields import string_item


class HostedApi(ApiSection):
    # --- checkout sessions ------------------------------------------------------------------
    def create_checkout_session(
        self,
        *,
        line_items: Sequence[LineItem],
        payment_method_types: Sequence[str],
        idempotency_key: str,
        success_url: str | None = None,
        cancel_url: str | None = None,
        description: str | None = None,
        reference_number: str | None = None,
        billing: Billing | None = None,
        statement_descriptor: str | None = None,
        send_email_receipt: bool = False,
        show_description: bool = True,
        show_line_items: bool = True,
        metadata: Mapping[str, str] | None = None,
    ) -> CheckoutSession:
        for item in line_items:
            check_amount(item.amount, "line item amount")
        body = attributes(
            line_items=[item.to_json() for item in line_items],
            payment_method_types=list(payment_method_types),
            success_url=success_url,
            cancel_url=cancel_url,
            description=description,
            reference_number=reference_number,
            billing=billing_json(billing),
            statement_descriptor=statement_descriptor,
            send_email_receipt=send_email_receipt,
            show_description=show_description,
            show_line_items=show_line_items,
            metadata=metadata_json(metadata),
        )
        key = check_idempotency_key(idempotency_key)
        answer = self._http.request("POST", "/v1/checkout_sessions", body=body, idempotency_key=key)
        return CheckoutSession.from_answer(answer)

    def retrieve_checkout_session(
        self, session_id: str, *, deadline: float | None = None
    ) -> CheckoutSession:
        path = f"/v1/checkout_sessions/{path_id(session_id)}"
        return CheckoutSession.from_answer(self._http.request("GET", path, deadline=deadline))

    def expire_checkout_session(self, session_id: str) -> CheckoutSession:
        """Expire a session; a lost answer is checked by looking the session up."""
        path = f"/v1/checkout_sessions/{path_id(session_id)}/expire"

        def post(deadline: float) -> CheckoutSession:
            answer = self._http.request("POST", path, resend="unless_acted", deadline=deadline)
            return CheckoutSession.from_answer(answer)

        def look_up(deadline: float) -> CheckoutSession:
            return self.retrieve_checkout_session(session_id, deadline=deadline)

        def expired(session: CheckoutSession) -> bool:
            return session.status is CheckoutSessionStatus.EXPIRED

        return self._post_exactly_once(post, look_up, expired, "expire")

    # --- webhooks ---------------------------------------------------------------------------
    def create_webhook(self, *, url: str, events: Sequence[str], idempotency_key: str) -> Webhook:
        """Register a webhook. PayMongo advises doing this once, by hand, not from app code."""
        body = attributes(url=url, events=list(events))
        key = check_idempotency_key(idempotency_key)
        answer = self._http.request("POST", "/v1/webhooks", body=body, idempotency_key=key)
        return Webhook.from_answer(answer)

    def list_webhooks(self) -> list[Webhook]:
        answer = self._http.request("GET", "/v1/webhooks")
        return list(Page.from_answer(answer, Webhook.from_json).items)

    def retrieve_webhook(self, webhook_id: str, *, deadline: float | None = None) -> Webhook:
        path = f"/v1/webhooks/{path_id(webhook_id)}"
        return Webhook.from_answer(self._http.request("GET", path, deadline=deadline))

    def enable_webhook(self, webhook_id: str) -> Webhook:
        """Turn a disabled webhook back on; a lost answer is checked by looking it up."""
        path = f"/v1/webhooks/{path_id(webhook_id)}/enable"

        def post(deadline: float) -> Webhook:
            answer = self._http.request("POST", path, resend="unless_acted", deadline=deadline)
            return Webhook.from_answer(answer)

        def look_up(deadline: float) -> Webhook:
            return self.retrieve_webhook(webhook_id, deadline=deadline)

        def enabled(hook: Webhook) -> bool:
            return hook.status is WebhookStatus.ENABLED

        return self._post_exactly_once(post, look_up, enabled, "enable")

    # --- account ----------------------------------------------------------------------------
    def payment_method_capabilities(self) -> tuple[str, ...]:
        """Payment method types enabled for the account, e.g. ("card", "gcash", "qrph"), spelled
        as PayMongo spells them (ShopeePay: "shopeepay" or "shopee_pay"; send it back as is).

        A bare JSON array of strings, no ``data`` envelope (paymongo-api.md 19.1 item 2: a Go
        client running against the live API reads it into ``[]string``).
        """
        answer = self._http.request("GET", "/v1/merchants/capabilities/payment_methods")
        if isinstance(answer, list):
            return tuple(string_item(v, f"capabilities[{i}]") for i, v in enumerate(answer))
        raise MalformedResponseError("Malformed PayMongo answer: capabilities is not an array")
