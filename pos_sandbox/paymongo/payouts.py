"""Payouts (fact sheet section 19.9) and the bulk-payment seeding the reconciliation bench needs.

The payout resource follows PayMongo's reference outline ([L-M]; inferred where it is silent):
``po_`` ids; ``amount`` is the gross of the payments in it; ``fee`` their fees; ``refund_amount``
the refunds deducted; ``tax_amount`` (also one ``taxes[]`` line) the 2% withholding on fees net of
VAT that PayMongo credits back (paymongo.help 4578019: (fee - fee/1.12 x 12%) x 2%);
``net_amount`` = amount - fee - refund_amount - dispute_amount + adjustment_amount + tax_amount.
A paid-out payment's ``payout`` holds the payout's id; a refund's ``payout_id`` likewise.

Routes: ``GET /v1/payouts`` (cursor pages, newest first) and ``GET /v1/payouts/{id}``; controls
``POST /_control/payouts`` (pay out everything paid and not yet paid out; ``{"adjustment": n,
"status": s}``) and ``POST /_control/bulk_payments`` (``{"payments": [{amount, method,
payment_intent_id, metadata}...]}``: paid payments made at once, for the bench).

Threading contract: the logic functions expect `PayMongoState.lock` held; the route handlers run
under it (``api_route``) and the controls take it.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pos_sandbox.paymongo import payments
from pos_sandbox.paymongo.api import Call, api_route
from pos_sandbox.paymongo.state import PayMongoState
from pos_sandbox.paymongo.store import Store

Json = dict[str, Any]


def withholding_on_fees(fee: int) -> int:
    """2% of the fee net of 12% VAT, in centavos, rounded half up: fee / 1.12 * 0.02 = fee / 56."""
    return (2 * fee + 56) // 112


def make_payout(
    store: Store, livemode: bool, *, adjustment: int = 0, status: str = "in_transit"
) -> Json:
    """Pay out every paid payment and succeeded refund not yet in a payout."""
    paid = [
        p
        for p in store.all_of("payment", livemode)
        if p["attributes"]["status"] == "paid" and p["attributes"]["payout"] is None
    ]
    refunds = [
        r
        for r in store.all_of("refund", livemode)
        if r["attributes"]["status"] == "succeeded" and r["attributes"]["payout_id"] is None
    ]
    gross = sum(p["attributes"]["amount"] for p in paid)
    fee = sum(p["attributes"]["fee"] + p["attributes"]["foreign_fee"] for p in paid)
    refund_amount = sum(r["attributes"]["amount"] for r in refunds)
    tax = withholding_on_fees(fee)
    now = store.now()
    payout = store.add(
        "po_",
        "payout",
        livemode,
        {
            "amount": gross,
            "currency": "PHP",
            "fee": fee,
            "refund_amount": refund_amount,
            "dispute_amount": 0,
            "adjustment_amount": adjustment,
            "tax_amount": tax,
            "taxes": [
                {"type": "withholding_tax", "name": "Withholding tax on fees", "amount": tax}
            ],
            "digital_withholding_vat_amount": 0,
            "net_amount": gross - fee - refund_amount + adjustment + tax,
            "status": status,
            "bank_name": "Sandbox Bank",
            "bank_account_name": "Kaha Sandbox Clinic",
            "bank_account_number": "XXXX1234",
            "last_payout_transfer": {
                "reference_number": "TRF" + store.random_chars(10).upper(),
                "status": status,
            },
            "payout_date": now,
        },
    )
    for payment in paid:
        store.touch(payment, payout=payout["id"])
    for refund in refunds:
        store.touch(refund, payout_id=payout["id"])
    return payout


def bulk_payments(store: Store, livemode: bool, specs: list[Json]) -> int:
    """Paid payments made at once, each like one from an intent (ledger entry and event too)."""
    for spec in specs:
        method = str(spec.get("method", "qrph"))
        payment = payments.create_payment(
            store,
            amount=int(spec["amount"]),
            livemode=livemode,
            method=method,
            source={"id": "src_" + store.random_chars(), "type": method},
            metadata={str(k): str(v) for k, v in (spec.get("metadata") or {}).items()},
        )
        payment["attributes"]["payment_intent_id"] = spec.get("payment_intent_id")
    return len(specs)


def _list(call: Call) -> Json:
    store = call.state.store
    chunk, has_more = payments.page(store.all_of("payout", call.livemode), call.query)
    return {"data": [store.render(p) for p in chunk], "has_more": has_more}


def _retrieve(call: Call) -> Json:
    store = call.state.store
    return {"data": store.render(store.get("payout", call.params["id"], call.livemode))}


def payout_routes(state: PayMongoState) -> list[Route]:
    async def payout_now(request: Request) -> Response:
        body = await request.json() if (await request.body()).strip() else {}
        with state.lock:
            payout = make_payout(
                state.store,
                bool(body.get("livemode", False)),
                adjustment=int(body.get("adjustment", 0)),
                status=str(body.get("status", "in_transit")),
            )
            return JSONResponse({"data": state.store.render(payout)})

    async def bulk(request: Request) -> Response:
        body = await request.json()
        with state.lock:
            made = bulk_payments(state.store, bool(body.get("livemode", False)), body["payments"])
        return JSONResponse({"created": made})

    return [
        api_route(state, "/v1/payouts", "GET", _list),
        api_route(state, "/v1/payouts/{id}", "GET", _retrieve),
        Route("/_control/payouts", payout_now, methods=["POST"]),
        Route("/_control/bulk_payments", bulk, methods=["POST"]),
    ]
