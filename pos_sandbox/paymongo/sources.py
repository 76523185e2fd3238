"""Legacy Sources (fact sheet §6) and `POST /payments` from a chargeable source.

Threading contract: every function expects `PayMongoState.lock` to be held by the caller.
"""

from __future__ import annotations

from typing import Any

from pos_sandbox.paymongo import events, payments
from pos_sandbox.paymongo.errors import failed_state, invalid
from pos_sandbox.paymongo.intents import page_url
from pos_sandbox.paymongo.store import Store
from pos_sandbox.paymongo.validate import (
    currency,
    get_dict,
    get_str,
    metadata,
    need_int,
    need_str,
    one_of,
)

Json = dict[str, Any]


def create_source(store: Store, livemode: bool, attrs: Json, base_url: str) -> Json:
    kind = one_of(attrs, "type", ["gcash", "grab_pay"])
    config = store.config
    amount = need_int(attrs, "amount", minimum=config.min_source_amount, maximum=config.max_amount)
    currency(attrs)
    redirect = get_dict(attrs, "redirect", optional=False) or {}
    success = need_str(redirect, "success", pointer="redirect.success")
    failed = need_str(redirect, "failed", pointer="redirect.failed")
    source_id = store.new_id("src_")
    attributes = {
        "amount": amount,
        "billing": get_dict(attrs, "billing"),
        "currency": "PHP",
        "description": get_str(attrs, "description", optional=True),
        "statement_descriptor": get_str(attrs, "statement_descriptor", optional=True),
        "metadata": metadata(attrs),
        "type": kind,
        "status": "pending",
        "redirect": {
            "checkout_url": page_url(base_url, source_id),
            "success": success,
            "failed": failed,
        },
    }
    source = store.add("src_", "source", livemode, attributes, {}, source_id)
    store.schedule(store.clock.now() + config.source_expiry_seconds, "expire_source", source_id)
    return source


def authorize_source(store: Store, source: Json) -> None:
    if source["attributes"]["status"] != "pending":
        raise failed_state(f"Source {source['id']} is {source['attributes']['status']}.")
    store.touch(source, status="chargeable")
    events.emit(store, "source.chargeable", store.render(source), source["attributes"]["livemode"])


def end_source(store: Store, source: Json, status: str) -> bool:
    """Fail (`cancelled`) or lapse (`expired`) an unpaid source; no webhook, as at PayMongo."""
    if source["attributes"]["status"] not in {"pending", "chargeable"}:
        return False
    store.touch(source, status=status)
    return True


def pay_source(store: Store, livemode: bool, attrs: Json) -> Json:
    amount = need_int(attrs, "amount", minimum=1, maximum=store.config.max_amount)
    currency(attrs)
    ref = get_dict(attrs, "source", optional=False) or {}
    source_id = need_str(ref, "id", pointer="source.id")
    if ref.get("type") != "source":
        raise invalid("parameter_invalid", "source.type must be source.", "source.type")
    source = store.get("source", source_id, livemode)
    if source["attributes"]["status"] != "chargeable":
        raise failed_state(f"Source {source_id} is not chargeable.")
    if amount != source["attributes"]["amount"]:
        raise invalid(
            "parameter_invalid", "Source amount should match the payment amount.", "amount"
        )
    kind = source["attributes"]["type"]
    payment = payments.create_payment(
        store,
        amount=amount,
        livemode=livemode,
        method=kind,
        source={"id": source_id, "type": kind, "provider": {"id": None}, "provider_id": None},
        description=get_str(attrs, "description", optional=True),
        statement_descriptor=get_str(attrs, "statement_descriptor", optional=True),
        metadata=metadata(attrs),
        billing=source["attributes"]["billing"],
    )
    store.touch(source, status="paid")
    return payment
