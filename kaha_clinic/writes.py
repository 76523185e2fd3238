"""The counter's writes: payment results and refunds, each applied once per `Idempotency-Key`.

How "once" holds, even for two requests with one key at the same moment:
1. everything happens in one transaction that first locks the bill row (`select_for_update`;
   on SQLite the site's `transaction_mode: IMMEDIATE` serialises writers instead);
2. under that lock the key is looked up again, so a request that waited for another with the
   same key finds its stored answer and applies nothing;
3. the stored answer's key is unique, so if two requests with one key still meet (say, for two
   different bills) the second insert fails, its transaction (its write included) rolls back,
   and it answers from the stored row.

A repeat of a key with the same request gets the stored answer, errors included; the same key
with another request is 422, as in the sandbox.

Threading contract: each call runs on the calling request's thread and database connection.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from kaha_clinic.models import Bill, BillStatus, IdempotentAnswer, Refund
from kaha_clinic.serializers import (
    BillSerializer,
    PaymentUpdateSerializer,
    RefundInputSerializer,
    RefundSerializer,
    wire_amount,
    wire_time,
)

Json = dict[str, Any]
Answer = tuple[int, Json]
NOT_FOUND: Json = {"detail": "Not found."}
PAYING = (BillStatus.PAID, BillStatus.PARTIALLY_PAID)


def patch_payment(bill_id: int, data: object, key: str | None) -> Answer:
    """Apply PATCH /api/billing/<id>/ once; returns (HTTP status, JSON body)."""
    return _once("PATCH", bill_id, data, key, _apply_payment)


def add_refund(bill_id: int, data: object, key: str | None) -> Answer:
    """Apply POST /api/billing/<id>/refunds/ once; returns (HTTP status, JSON body)."""
    return _once("REFUND", bill_id, data, key, _apply_refund)


def _once(
    kind: str, bill_id: int, data: object, key: str | None, apply: Callable[[Bill, object], Answer]
) -> Answer:
    fingerprint = f"{kind} {bill_id} " + json.dumps(data, sort_keys=True, default=str)
    if key is not None and (stored := _stored(key)) is not None:
        return _replay(stored, fingerprint, key)
    try:
        with transaction.atomic():
            bill = Bill.objects.select_for_update().filter(pk=bill_id).first()
            if key is not None and (stored := _stored(key)) is not None:
                return _replay(stored, fingerprint, key)
            answer = apply(bill, data) if bill is not None else (404, NOT_FOUND)
            if key is not None:
                IdempotentAnswer.objects.create(
                    key=key,
                    fingerprint=fingerprint,
                    status_code=answer[0],
                    body=json.dumps(answer[1]),
                    bill_id=bill_id,
                )
            return answer
    except IntegrityError:
        stored = _stored(key) if key is not None else None
        if stored is None:
            raise
        return _replay(stored, fingerprint, key or "")


def _stored(key: str) -> IdempotentAnswer | None:
    return IdempotentAnswer.objects.filter(key=key).first()


def _replay(stored: IdempotentAnswer, fingerprint: str, key: str) -> Answer:
    if stored.fingerprint != fingerprint:
        return 422, {"detail": f"Idempotency-Key {key} was already used with a different request."}
    body = json.loads(stored.body)
    assert isinstance(body, dict)
    return stored.status_code, body


def _field_errors(errors: Any) -> Json:
    """DRF's `{field: [message]}` as plain JSON (ErrorDetail is a str subclass)."""
    result = json.loads(json.dumps(errors))
    assert isinstance(result, dict)
    return result


def _apply_payment(bill: Bill, data: object) -> Answer:
    serializer = PaymentUpdateSerializer(data=data)
    if not serializer.is_valid():
        return 400, _field_errors(serializer.errors)
    update = dict(serializer.validated_data)
    expected: Decimal | None = update.pop("expected_amount", None)
    amount_paid: Decimal | None = update.pop("amount_paid", None)
    if conflict := _conflict(bill, update.get("status"), expected, amount_paid):
        return conflict
    for name, value in update.items():
        setattr(bill, name, value)
    if "status" in update and "paid" not in update:
        bill.paid = bill.status == BillStatus.PAID
    if amount_paid is not None:
        bill.amount_paid = amount_paid
    bill.save()
    return 200, _bill_json(bill.pk)


def _conflict(
    bill: Bill, status: str | None, expected: Decimal | None, amount_paid: Decimal | None
) -> Answer | None:
    """409 when the counter would settle a bill whose content is no longer what it showed."""
    facts = {"amount": wire_amount(bill.amount), "updated_at": wire_time(bill.updated_at)}
    if bill.status == BillStatus.CANCELLED and status in PAYING:
        return 409, {"detail": "bill cancelled", "status": bill.status, **facts}
    if expected is not None:
        changed = expected != bill.amount
    else:
        changed = (
            status == BillStatus.PAID and amount_paid is not None and amount_paid != bill.amount
        )
    return (409, {"detail": "amount changed", **facts}) if changed else None


def _apply_refund(bill: Bill, data: object) -> Answer:
    serializer = RefundInputSerializer(data=data)
    if not serializer.is_valid():
        return 400, _field_errors(serializer.errors)
    values = dict(serializer.validated_data)
    refundable = bill.refundable()
    if values["amount"] > refundable:
        limit = wire_amount(refundable)
        return 400, {"amount": [f"Ensure this value is less than or equal to {limit}."]}
    refund = Refund.objects.create(bill=bill, **values)
    bill.save()  # moves updated_at, so a counter pulling changes sees the refund's bill
    return 201, _plain(RefundSerializer(refund).data)


def _bill_json(bill_id: int) -> Json:
    bill = (
        Bill.objects.select_related("patient", "clinic").prefetch_related("lines").get(pk=bill_id)
    )
    return _plain(BillSerializer(bill).data)


def _plain(data: Any) -> Json:
    result = json.loads(json.dumps(data, default=str))
    assert isinstance(result, dict)
    return result
