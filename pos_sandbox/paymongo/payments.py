"""Payments: fees, creation (from intents, sources, links), the ledger entry, list pagination.

Threading contract: every function expects `PayMongoState.lock` to be held by the caller.
"""

from __future__ import annotations

from typing import Any

from pos_sandbox.paymongo import events
from pos_sandbox.paymongo.errors import invalid
from pos_sandbox.paymongo.store import Store
from pos_sandbox.paymongo.validate import get_int, get_str

Json = dict[str, Any]

# Basis points and fixed centavos per method (docs pricing, fact sheet §7).
_FEES: dict[str, tuple[int, int]] = {
    "card": (350, 1500),
    "gcash": (250, 0),
    "paymaya": (220, 0),
    "grab_pay": (200, 0),
    "shopeepay": (200, 0),
    "shopee_pay": (200, 0),
    "billease": (150, 0),
    "qrph": (150, 0),
}


def _bps(amount: int, bps: int) -> int:
    return (amount * bps + 5000) // 10_000  # round half up, integers only


def fees(amount: int, method: str, foreign: bool) -> tuple[int, int]:
    """(fee, foreign_fee) in centavos."""
    if method in {"dob", "brankas"}:
        return max(_bps(amount, 80), 1500), 0
    bps, fixed = _FEES.get(method, (250, 0))
    return _bps(amount, bps) + fixed, _bps(amount, 100) if foreign else 0


def create_payment(
    store: Store,
    *,
    amount: int,
    livemode: bool,
    method: str,
    source: Json,
    intent: Json | None = None,
    origin: str = "api",
    description: str | None = None,
    statement_descriptor: str | None = None,
    metadata: dict[str, str] | None = None,
    billing: Json | None = None,
    failed_code: str | None = None,
    failed_message: str | None = None,
    late: bool = False,
) -> Json:
    """A paid (or, with `failed_code`, failed) payment, its ledger entry and its event."""
    now = store.now()
    paid = failed_code is None
    fee, foreign_fee = fees(amount, method, source.get("country") not in (None, "PH"))
    if not paid:
        fee = foreign_fee = 0
    payment = store.add(
        "pay_",
        "payment",
        livemode,
        {
            "access_url": None,
            "amount": amount,
            "balance_transaction_id": "bal_txn_" + store.random_chars() if paid else None,
            "billing": billing,
            "currency": "PHP",
            "description": description,
            "disputed": False,
            "external_reference_number": None,
            "fee": fee,
            "foreign_fee": foreign_fee,
            "instant_settlement": None,
            "net_amount": amount - fee - foreign_fee if paid else 0,
            "origin": origin,
            "payment_intent_id": intent["id"] if intent else None,
            "payout": None,
            "source": source,
            "statement_descriptor": statement_descriptor,
            "status": "paid" if paid else "failed",
            "tax_amount": None,
            "metadata": metadata,
            "promotion": None,
            "taxes": [],
            "available_at": now + 2 * 86400 if paid else None,
            "credited_at": now + 3 * 86400 if paid else None,
            "paid_at": now if paid else None,
            **({"failed_code": failed_code, "failed_message": failed_message} if not paid else {}),
        },
        {"refund_ids": [], "method": method},
    )
    if intent is not None:
        intent["private"]["payment_ids"].append(payment["id"])
    if paid:
        store.record(
            {
                "kind": "payment",
                "id": payment["id"],
                "amount": amount,
                "currency": "PHP",
                "fee": fee + foreign_fee,
                "method": method,
                "payment_intent_id": intent["id"] if intent else None,
                "source_id": source["id"] if source.get("id", "").startswith("src_") else None,
                "metadata": metadata or {},
                "livemode": livemode,
                "late": late,
                "status": "paid",
            }
        )
    events.emit(
        store, "payment.paid" if paid else "payment.failed", store.render(payment), livemode
    )
    return payment


def page(items: list[Json], query: dict[str, str]) -> tuple[list[Json], bool]:
    """Cursor pagination over newest-first `items`: `limit` (1-100, default 10), after, before."""
    raw: dict[str, Any] = {}
    if "limit" in query:
        try:
            raw["limit"] = int(query["limit"])
        except ValueError:
            raw["limit"] = query["limit"]
    limit = get_int(raw, "limit", minimum=1, maximum=100, optional=True) or 10
    ids = [item["id"] for item in items]
    after = get_str(dict(query), "after", optional=True)
    before = get_str(dict(query), "before", optional=True)
    for cursor in (after, before):
        if cursor is not None and cursor not in ids:
            raise invalid("parameter_invalid", f"No such object {cursor} for the cursor.", "after")
    if after is not None:
        start = ids.index(after) + 1
        chunk = items[start : start + limit]
        return chunk, start + limit < len(items)
    if before is not None:
        end = ids.index(before)
        start = max(0, end - limit)
        return items[start:end], start > 0
    return items[:limit], limit < len(items)
