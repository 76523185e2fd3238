"""Payment intents (fact sheet §4, §10, §13, §17.3): create, attach, 3DS/redirect/QR, capture.

Threading contract: every function expects `PayMongoState.lock` to be held by the caller.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pos_sandbox.paymongo import events, payments
from pos_sandbox.paymongo.cards import brand_of, card_for, failed_message
from pos_sandbox.paymongo.errors import failed_state, invalid
from pos_sandbox.paymongo.methods import REDIRECT_TYPES, check_account_spelling
from pos_sandbox.paymongo.qr import emv_payload, qr_data_uri
from pos_sandbox.paymongo.store import Store
from pos_sandbox.paymongo.validate import (
    get_dict,
    get_str,
    get_str_list,
    metadata,
    need_int,
    one_of,
)

Json = dict[str, Any]

# Authorization windows of redirect methods, seconds after attach (fact sheet §16).
REDIRECT_WINDOWS = {"gcash": 4 * 3600, "paymaya": 1800, "grab_pay": 900}
REDIRECT_WINDOWS |= {"shopeepay": 1200, "shopee_pay": 1200}
DEFAULT_WINDOW = 1800
# GCash refuses ₱100,000 and above: a failed Payment with this code (19.1 item 3,
# developers.paymongo.com/docs/ewallet-errors).
GCASH_LIMIT = 10_000_000
GCASH_OVER_LIMIT = ("AMOUNT_EXCEED_LIMIT", "Transaction amount exceeds limit.")
OPEN_STATES = {"awaiting_payment_method", "awaiting_next_action"}


def create_intent(store: Store, livemode: bool, attrs: Json) -> Json:
    config = store.config
    amount = need_int(attrs, "amount", minimum=config.min_intent_amount, maximum=config.max_amount)
    currency = get_str(attrs, "currency")
    if currency not in {"PHP", "USD"}:
        raise invalid("parameter_invalid", "The currency must be PHP.", "currency")
    allowed = get_str_list(attrs, "payment_method_allowed")
    assert allowed is not None
    for kind in allowed:
        check_account_spelling(store, kind, "payment_method_allowed")
    if currency == "USD" and allowed != ["card"]:
        raise invalid("parameter_invalid", "USD is only accepted for cards.", "currency")
    options = _method_options(attrs)
    capture_type = one_of(attrs, "capture_type", ["automatic", "manual"], optional=True)
    intent_id = store.new_id("pi_")
    attributes = {
        "amount": amount,
        "capture_type": capture_type or "automatic",
        "client_key": f"{intent_id}_client_{store.random_chars()}",
        "currency": currency,
        "description": get_str(attrs, "description", optional=True),
        "original_amount": amount,
        "statement_descriptor": get_str(attrs, "statement_descriptor", optional=True)
        or "KAHA SANDBOX",
        "status": "awaiting_payment_method",
        "last_payment_error": None,
        "payment_method_allowed": allowed,
        "next_action": None,
        "payment_method_options": options,
        "metadata": metadata(attrs),
        "setup_future_usage": get_dict(attrs, "setup_future_usage"),
    }
    private: Json = {"payment_ids": []}
    return store.add("pi_", "payment_intent", livemode, attributes, private, intent_id)


def _method_options(attrs: Json) -> Json:
    options = get_dict(attrs, "payment_method_options") or {}
    card = get_dict(options, "card") or {}
    three_ds = one_of(card, "request_three_d_secure", ["any", "automatic"], optional=True)
    return {**options, "card": {**card, "request_three_d_secure": three_ds or "automatic"}}


def _allowed(intent: Json, method_type: str) -> bool:
    return method_type in intent["attributes"]["payment_method_allowed"]


def attach(store: Store, intent: Json, method: Json, return_url: str | None, base_url: str) -> None:
    status = intent["attributes"]["status"]
    if status not in OPEN_STATES:
        raise failed_state(f"Payment intent {intent['id']} is {status} and cannot be attached.")
    method_type = method["attributes"]["type"]
    if not _allowed(intent, method_type):
        raise invalid(
            "payment_method_not_allowed",
            f"{method_type} is not in this payment intent's payment_method_allowed.",
            "payment_method",
        )
    if method_type in REDIRECT_TYPES and not return_url:
        raise invalid("parameter_required", "return_url is required.", "return_url")
    private = intent["private"]
    private.update(method_id=method["id"], return_url=return_url, base_url=base_url)
    store.touch(intent, last_payment_error=None, next_action=None)
    if method_type == "card":
        _attach_card(store, intent, method)
    elif method_type == "qrph":
        _attach_qrph(store, intent, method)
    else:
        window = method["attributes"].get("expiry_seconds") or REDIRECT_WINDOWS.get(
            method_type, DEFAULT_WINDOW
        )
        _await_redirect(store, intent, "redirect", window)


def page_url(base_url: str, object_id: str) -> str:
    return f"{base_url}/sandbox/pay/{object_id}"


def _await_redirect(store: Store, intent: Json, action: str, window: float) -> None:
    private = intent["private"]
    private["action"] = action
    private["expires_at"] = store.clock.now() + window
    url = page_url(private["base_url"], intent["id"])
    next_action = {
        "type": "redirect",
        "redirect": {"url": url, "return_url": private["return_url"]},
    }
    store.touch(intent, status="awaiting_next_action", next_action=next_action)
    store.schedule(private["expires_at"], "expire_action", intent["id"])


def _attach_card(store: Store, intent: Json, method: Json) -> None:
    card = card_for(method["private"]["card_number"])
    wants_3ds = (
        intent["attributes"]["payment_method_options"].get("card", {}).get("request_three_d_secure")
        == "any"
    )
    if card.kind in {"decline", "decline_before_auth"}:
        fail(store, intent, card.failed_code or "generic_decline")
    elif card.kind in {"three_ds", "decline_after_auth", "hold_uncancellable_3ds"} or (
        card.kind == "three_ds_optional" and wants_3ds
    ):
        _await_redirect(store, intent, "three_ds", DEFAULT_WINDOW)
    else:
        authorize(store, intent)


def _attach_qrph(store: Store, intent: Json, method: Json) -> None:
    private = intent["private"]
    seconds = method["attributes"].get("expiry_seconds") or store.config.qrph_default_expiry
    expires_at = store.clock.now() + seconds
    private.update(action="qrph", expires_at=expires_at)
    test_url = page_url(private["base_url"], intent["id"])
    amount = intent["attributes"]["amount"]
    content = emv_payload(intent["id"], amount) if store.config.qr_content == "emv" else test_url
    stamp = dt.datetime.fromtimestamp(expires_at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    code = {
        "id": "code_" + store.random_chars(),
        "amount": amount,
        "label": None,
        "image_url": qr_data_uri(content),
        "test_url": test_url,
        "expires_at": stamp + "000Z",
    }
    private["qr_source_id"] = "src_" + store.random_chars()
    next_action = {"type": "consume_qr", "code": code}
    store.touch(intent, status="awaiting_next_action", next_action=next_action)
    store.schedule(expires_at, "expire_action", intent["id"])


def _payment_source(store: Store, intent: Json) -> tuple[str, Json]:
    method = store.objects[intent["private"]["method_id"]]
    method_type = method["attributes"]["type"]
    if method_type == "card":
        number = method["private"]["card_number"]
        country = card_for(number).country
        source = {
            "id": "card_" + store.random_chars(),
            "type": "card",
            "brand": brand_of(number),
            "country": country,
            "last4": number[-4:],
        }
        return "card", source
    source_id = intent["private"].get("qr_source_id") or "src_" + store.random_chars()
    return method_type, {
        "id": source_id,
        "type": method_type,
        "provider": {"id": None},
        "provider_id": None,
    }


def authorize(store: Store, intent: Json) -> None:
    """The customer completed the next action (or none was needed): hold or pay."""
    card = _card_of(store, intent)
    if card is not None and card.kind == "decline_after_auth":
        fail(store, intent, card.failed_code or "generic_decline")
        return
    if _method_type(store, intent) == "gcash" and intent["attributes"]["amount"] >= GCASH_LIMIT:
        fail(store, intent, *GCASH_OVER_LIMIT)
        return
    if intent["attributes"]["capture_type"] == "manual" and card is not None:
        intent["private"]["action"] = "hold"
        store.touch(intent, status="awaiting_capture", next_action=None)
        store.schedule(
            store.clock.now() + store.config.hold_expiry_seconds, "release_hold", intent["id"]
        )
        return
    pay(store, intent, intent["attributes"]["amount"])


def _method_type(store: Store, intent: Json) -> str | None:
    method = store.objects.get(intent["private"].get("method_id") or "")
    return None if method is None else str(method["attributes"]["type"])


def _card_of(store: Store, intent: Json) -> Any:
    method = store.objects.get(intent["private"].get("method_id") or "")
    if method is None or method["attributes"]["type"] != "card":
        return None
    return card_for(method["private"]["card_number"])


def pay(store: Store, intent: Json, amount: int, *, late: bool = False) -> Json:
    attributes = intent["attributes"]
    method, source = (
        _payment_source(store, intent)
        if intent["private"].get("method_id")
        else ("qrph", {"id": "src_" + store.random_chars(), "type": "qrph"})
    )
    payment = payments.create_payment(
        store,
        amount=amount,
        livemode=attributes["livemode"],
        method=method,
        source=source,
        intent=intent,
        description=attributes["description"],
        statement_descriptor=attributes["statement_descriptor"],
        metadata=attributes["metadata"],
        late=late,
    )
    intent["private"]["action"] = None
    if attributes["status"] != "cancelled":
        store.touch(intent, status="succeeded", next_action=None, last_payment_error=None)
    return payment


def fail(store: Store, intent: Json, code: str, message: str | None = None) -> Json:
    """A declined payment: failed Payment, `last_payment_error`, back to awaiting_payment_method."""
    attributes = intent["attributes"]
    method, source = _payment_source(store, intent)
    message = message or failed_message(code)
    payment = payments.create_payment(
        store,
        amount=attributes["amount"],
        livemode=attributes["livemode"],
        method=method,
        source=source,
        intent=intent,
        description=attributes["description"],
        statement_descriptor=attributes["statement_descriptor"],
        metadata=attributes["metadata"],
        failed_code=code,
        failed_message=message,
    )
    error = {
        "payment": payment["id"],
        "payment_method": intent["private"]["method_id"],
        "failed_code": code,
        "failed_message": message,
    }
    intent["private"]["action"] = None
    store.touch(
        intent, status="awaiting_payment_method", next_action=None, last_payment_error=error
    )
    return payment


def abandon(store: Store, intent: Json, message: str) -> None:
    """3DS failed or cancelled by the customer: no payment, back to awaiting_payment_method."""
    error = {
        "payment": None,
        "payment_method": intent["private"].get("method_id"),
        "failed_code": "authentication_error",
        "failed_message": message,
    }
    intent["private"]["action"] = None
    store.touch(
        intent, status="awaiting_payment_method", next_action=None, last_payment_error=error
    )


def expire_action(store: Store, intent: Json, *, forced: bool = False) -> bool:
    """Lapse the QR code or redirect window; True if something expired."""
    private = intent["private"]
    if intent["attributes"]["status"] != "awaiting_next_action":
        return False
    if not forced and store.clock.now() < private.get("expires_at", 0):
        return False
    was_qr = private.get("action") == "qrph"
    code_id = intent["attributes"]["next_action"].get("code", {}).get("id") if was_qr else None
    private["action"] = None
    store.touch(intent, status="awaiting_payment_method", next_action=None)
    if was_qr:
        livemode = intent["attributes"]["livemode"]
        stamp = dt.datetime.fromtimestamp(store.clock.now(), dt.timezone(dt.timedelta(hours=8)))
        resource = {
            "id": "qrph_" + store.random_chars(),
            "type": "qrph",
            "attributes": {
                "code_id": code_id,
                "livemode": livemode,
                "organization_id": "org_sandbox",
                "created_at": stamp.isoformat(),
                "source_id": private.get("qr_source_id"),
                "source_status": "expired",
                "payment_intent_id": intent["id"],
            },
        }
        events.emit(store, "qrph.expired", resource, livemode)
    return True


def cancel(store: Store, intent: Json) -> None:
    status = intent["attributes"]["status"]
    card = _card_of(store, intent)
    if (
        status == "awaiting_capture"
        and card is not None
        and card.kind.startswith("hold_uncancellable")
    ):
        raise failed_state("The hold on this card could not be released.")
    if status not in OPEN_STATES | {"awaiting_capture"}:
        raise failed_state(f"Payment intent {intent['id']} is {status} and cannot be cancelled.")
    intent["private"]["action"] = None
    store.touch(intent, status="cancelled", next_action=None)


def capture(store: Store, intent: Json, attrs: Json) -> None:
    if intent["attributes"]["status"] != "awaiting_capture":
        raise failed_state(f"Payment intent {intent['id']} is not awaiting_capture.")
    full = intent["attributes"]["amount"]
    amount = attrs.get("amount", full)
    if attrs.get("amount") is not None:
        amount = need_int(attrs, "amount", minimum=1, maximum=full)
    pay(store, intent, amount)
