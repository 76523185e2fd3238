"""Refunds (fact sheet §8, §19.1): validation rules, pending then succeeded, events and ledger.

Settled facts kept here (paymongo-api.md 19.1): a QR Ph payment cannot be refunded through the API
and gets the recorded answer byte for byte (item 5); both refund events carry the Payment with its
`refunds[]` (item 6, developers.paymongo.com/docs/webhooks).

Threading contract: every function expects `PayMongoState.lock` to be held by the caller.
"""

from __future__ import annotations

from typing import Any

from pos_sandbox.paymongo import events
from pos_sandbox.paymongo.errors import ApiError, failed_state, invalid
from pos_sandbox.paymongo.store import Store
from pos_sandbox.paymongo.validate import get_str, metadata, need_int, need_str, one_of

Json = dict[str, Any]

REASONS = ["duplicate", "fraudulent", "requested_by_customer", "others"]
# How long after payment each method may be refunded, in days (fact sheet §8).
REFUND_WINDOW_DAYS = {"card": 60, "gcash": 180, "grab_pay": 90, "paymaya": 365}
REFUND_WINDOW_DAYS |= {"shopeepay": 365, "shopee_pay": 365}


def qrph_refund_refused() -> ApiError:
    """The recorded live test-mode answer (19.1 item 5): HTTP 400 with exactly this body."""
    detail = "Refunds are not allowed for payments with source type qrph."
    return ApiError.of(400, "parameter_invalid", detail, "payment_id")


def create_refund(store: Store, livemode: bool, attrs: Json) -> Json:
    payment_id = need_str(attrs, "payment_id")
    amount = need_int(attrs, "amount", minimum=store.config.min_refund_amount)
    reason = one_of(attrs, "reason", REASONS)
    notes = get_str(attrs, "notes", optional=True, max_length=255)
    meta = metadata(attrs)
    payment = store.find(payment_id)
    if payment is None or payment["type"] != "payment":
        raise ApiError.of(
            404, "resource_not_found", f"No such payment with id {payment_id}.", "payment_id"
        )
    if payment["attributes"]["livemode"] != livemode:
        raise invalid("livemode_mismatched", "The payment's mode does not match the key's mode.")
    if payment["private"].get("method") == "qrph":
        raise qrph_refund_refused()
    if payment["attributes"]["status"] != "paid":
        raise failed_state(f"Payment {payment_id} is not paid and cannot be refunded.")
    earlier = [store.objects[i] for i in payment["private"]["refund_ids"]]
    if any(refund["attributes"]["status"] in {"pending", "processing"} for refund in earlier):
        raise invalid("resource_pending_state", "A previous refund for this payment is pending.")
    method = payment["private"].get("method", "card")
    days = REFUND_WINDOW_DAYS.get(method)
    paid_at = payment["attributes"]["paid_at"] or 0
    if days is not None and store.now() - paid_at > days * 86400:
        raise invalid(
            "allowed_date_exceeded", f"Not allowed to refund a {method} payment after {days} days."
        )
    refunded = sum(
        r["attributes"]["amount"] for r in earlier if r["attributes"]["status"] != "failed"
    )
    remaining = payment["attributes"]["amount"] - refunded
    if amount > remaining:
        raise invalid(
            "parameter_above_maximum",
            f"The amount cannot be greater than the refundable amount {remaining}.",
            "amount",
        )
    refund = store.add(
        "ref_",
        "refund",
        livemode,
        {
            "amount": amount,
            "balance_transaction_id": "bal_txn_" + store.random_chars(),
            "currency": "PHP",
            "metadata": meta,
            "notes": notes,
            "payment_id": payment_id,
            "payout_id": None,
            "reason": reason,
            "status": "pending",
            "available_at": None,
            "refunded_at": None,
        },
    )
    payment["private"]["refund_ids"].append(refund["id"])
    store.record(
        {
            "kind": "refund",
            "id": refund["id"],
            "payment_id": payment_id,
            "amount": amount,
            "currency": "PHP",
            "reason": reason,
            "metadata": meta or {},
            "payment_intent_id": payment["attributes"]["payment_intent_id"],
            "livemode": livemode,
            "status": "pending",
        }
    )
    store.schedule(
        store.clock.now() + store.config.refund_settle_seconds, "settle_refund", refund["id"]
    )
    return refund


def settle_refund(store: Store, refund: Json) -> bool:
    """The settle timer: a refund waits while the payout balance is short (it stays pending and
    is looked at again a settle period later, paymongo-api.md section 19)."""
    config = store.config
    if refund["attributes"]["status"] not in {"pending", "processing"}:
        return False
    if config.refund_balance_short:
        due = store.clock.now() + config.refund_settle_seconds
        store.schedule(due, "settle_refund", refund["id"])
        return False
    return finish_refund(store, refund)


def finish_refund(store: Store, refund: Json, status: str = "succeeded") -> bool:
    """Move a pending refund to `succeeded` (or `failed`); emits the refund events."""
    if refund["attributes"]["status"] not in {"pending", "processing"}:
        return False
    now = store.now()
    store.touch(
        refund, status=status, refunded_at=now if status == "succeeded" else None, available_at=now
    )
    for entry in store.ledger:
        if entry["id"] == refund["id"]:
            entry["status"] = status
    livemode = refund["attributes"]["livemode"]
    payment = store.objects[refund["attributes"]["payment_id"]]
    store.touch(payment)
    events.emit(store, "payment.refund.updated", store.render(payment), livemode)
    if status == "succeeded":
        events.emit(store, "payment.refunded", store.render(payment), livemode)
        link_id = payment["private"].get("link_id")
        if link_id:
            store.touch(store.objects[link_id], status="refunded")
    return True


def list_refunds(store: Store, livemode: bool, payment_id: str | None) -> list[Json]:
    refunds = store.all_of("refund", livemode)
    if payment_id is not None:
        refunds = [r for r in refunds if r["attributes"]["payment_id"] == payment_id]
    return refunds
