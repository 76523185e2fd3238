"""Checkout sessions (fact sheet §11) and legacy Links (§15), both paid on a hosted test page.

Threading contract: every function expects `PayMongoState.lock` to be held by the caller.
"""

from __future__ import annotations

from typing import Any

from pos_sandbox.paymongo import events, intents, methods, payments
from pos_sandbox.paymongo.cards import card_for
from pos_sandbox.paymongo.errors import failed_state, invalid, wrong_type
from pos_sandbox.paymongo.store import Store
from pos_sandbox.paymongo.validate import (
    get_dict,
    get_str,
    get_str_list,
    metadata,
    need_int,
    need_str,
)

Json = dict[str, Any]

# Bank-specific checkout names map onto the payment method types of the inner intent.
_SESSION_TYPE_TO_METHOD = {
    "dob_ubp": "dob",
    "brankas_bdo": "brankas",
    "brankas_landbank": "brankas",
    "brankas_metrobank": "brankas",
}


def _line_items(attrs: Json) -> list[Json]:
    items = attrs.get("line_items")
    if items is None:
        raise invalid("parameter_required", "line_items is required.", "line_items")
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise wrong_type("line_items", "a non-empty array of objects")
    if len(items) > 999:
        raise invalid("parameter_above_maximum", "line_items cannot exceed 999.", "line_items")
    clean = []
    for index, item in enumerate(items):
        where = f"line_items.{index}"
        clean.append(
            {
                "amount": need_int(item, "amount", minimum=1, pointer=f"{where}.amount"),
                "currency": "PHP",
                "name": need_str(item, "name", pointer=f"{where}.name"),
                "quantity": need_int(
                    item, "quantity", minimum=1, maximum=1_000_000_000, pointer=f"{where}.quantity"
                ),
                "description": get_str(item, "description", optional=True),
                "images": item.get("images") if isinstance(item.get("images"), list) else [],
            }
        )
    return clean


def create_session(store: Store, livemode: bool, attrs: Json, base_url: str) -> Json:
    items = _line_items(attrs)
    types = get_str_list(attrs, "payment_method_types")
    assert types is not None
    total = sum(item["amount"] * item["quantity"] for item in items)
    methods = sorted({_SESSION_TYPE_TO_METHOD.get(t, t) for t in types})
    intent = intents.create_intent(
        store,
        livemode,
        {
            "amount": total,
            "currency": "PHP",
            "payment_method_allowed": methods,
            "description": get_str(attrs, "description", optional=True),
            "statement_descriptor": get_str(attrs, "statement_descriptor", optional=True),
            "metadata": metadata(attrs),
        },
    )
    session_id = store.new_id("cs_")
    client_key = f"{session_id}_client_{store.random_chars()}"
    attributes = {
        "billing": get_dict(attrs, "billing"),
        "billing_information_fields_editable": attrs.get(
            "billing_information_fields_editable", "enabled"
        ),
        "cancel_url": get_str(attrs, "cancel_url", optional=True),
        "checkout_url": intents.page_url(base_url, session_id),
        "client_key": client_key,
        "customer_email": get_str(attrs, "customer_email", optional=True),
        "description": intent["attributes"]["description"],
        "line_items": items,
        "merchant": "Kaha Sandbox",
        "metadata": intent["attributes"]["metadata"],
        "paid_at": None,
        "payment_method_types": types,
        "payment_method_used": None,
        "reference_number": get_str(attrs, "reference_number", optional=True),
        "send_email_receipt": bool(attrs.get("send_email_receipt", False)),
        "show_description": bool(attrs.get("show_description", True)),
        "show_line_items": bool(attrs.get("show_line_items", True)),
        "status": "active",
        "success_url": get_str(attrs, "success_url", optional=True),
    }
    private = {"payment_ids": [], "payment_intent_id": intent["id"]}
    session = store.add("cs_", "checkout_session", livemode, attributes, private, session_id)
    intent["private"]["session_id"] = session_id
    store.schedule(
        store.clock.now() + store.config.checkout_session_expiry_seconds,
        "expire_session",
        session_id,
    )
    return session


def expire_session(store: Store, session: Json) -> None:
    if session["attributes"]["status"] != "active":
        raise failed_state(f"Checkout session {session['id']} is already expired.")
    store.touch(session, status="expired")
    intent = store.objects[session["private"]["payment_intent_id"]]
    if intent["attributes"]["status"] in intents.OPEN_STATES:
        store.touch(intent, status="cancelled", next_action=None)


def pay_session(store: Store, session: Json, method_type: str) -> Json:
    """The customer paid on the checkout page (status stays `active`: availability, not payment)."""
    if session["attributes"]["status"] != "active":
        raise failed_state("This checkout session has expired.")
    intent = store.objects[session["private"]["payment_intent_id"]]
    if intent["attributes"]["status"] == "succeeded":
        raise failed_state("This checkout session is already paid.")
    payment = intents.pay(store, intent, intent["attributes"]["amount"])
    session["private"]["payment_ids"].append(payment["id"])
    store.touch(session, paid_at=store.now(), payment_method_used=method_type)
    livemode = session["attributes"]["livemode"]
    events.emit(store, "checkout_session.payment.paid", store.render(session), livemode)
    return payment


def pay_session_with_card(store: Store, session: Json, details: Json) -> str | None:
    """Pay from the page's card form; returns the failed_code if the test card declines."""
    if session["attributes"]["status"] != "active":
        raise failed_state("This checkout session has expired.")
    intent = store.objects[session["private"]["payment_intent_id"]]
    livemode = session["attributes"]["livemode"]
    method = methods.create_method(store, livemode, {"type": "card", "details": details})
    intent["private"]["method_id"] = method["id"]
    card = card_for(method["private"]["card_number"])
    if card.kind in {"decline", "decline_before_auth", "decline_after_auth"}:
        code = card.failed_code or "generic_decline"
        intents.fail(store, intent, code)
        return code
    pay_session(store, session, "card")
    return None


def create_link(store: Store, livemode: bool, attrs: Json, base_url: str) -> Json:
    config = store.config
    amount = need_int(attrs, "amount", minimum=config.min_link_amount, maximum=config.max_amount)
    description = need_str(attrs, "description")
    link_id = store.new_id("link_")
    reference = store.random_chars(7)
    attributes = {
        "amount": amount,
        "archived": False,
        "currency": "PHP",
        "description": description,
        "fee": 0,
        "remarks": get_str(attrs, "remarks", optional=True),
        "status": "unpaid",
        "tax_amount": None,
        "taxes": [],
        "checkout_url": intents.page_url(base_url, link_id),
        "reference_number": reference,
    }
    return store.add("link_", "link", livemode, attributes, {"payment_ids": []}, link_id)


def set_archived(store: Store, link: Json, archived: bool) -> None:
    store.touch(link, archived=archived)


def pay_link(store: Store, link: Json, method_type: str) -> Json:
    attributes = link["attributes"]
    if attributes["archived"] or attributes["status"] != "unpaid":
        raise failed_state("This link cannot be paid.")
    livemode = attributes["livemode"]
    payment = payments.create_payment(
        store,
        amount=attributes["amount"],
        livemode=livemode,
        method=method_type,
        source={"id": "src_" + store.random_chars(), "type": method_type},
        origin="links",
        description=attributes["description"],
    )
    payment["private"]["link_id"] = link["id"]
    link["private"]["payment_ids"].append(payment["id"])
    store.touch(link, status="paid", fee=payment["attributes"]["fee"])
    events.emit(store, "link.payment.paid", store.render(link), livemode)
    return payment
