"""DRF-style validation of the bodies the counter sends: field errors as `{field: [message]}`.

Unknown fields are ignored, as DRF ignores read-only and undeclared fields; in particular a PATCH
that carries `amount` or `lines` cannot change the bill's content.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pos_sandbox.clinic.model import BILL_STATUSES, parse_amount, parse_time

MAX_TEXT = 255
DATETIME_ERROR = (
    "Datetime has wrong format. Use one of these formats instead: "
    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
)
FieldErrors = dict[str, list[str]]


@dataclass
class PaymentUpdate:
    """The payment fields of one PATCH; None means "not sent" (except for the text fields)."""

    fields: dict[str, Any]
    amount_paid: int | None
    expected_amount: int | None


@dataclass
class RefundRequest:
    amount: int
    reason: str | None
    refund_id: str | None
    method: str | None
    refunded_at: str | None
    approved_by: str | None


def expect_object(data: object) -> FieldErrors:
    if isinstance(data, dict):
        return {}
    kind = {list: "list", str: "str", int: "int", float: "float", bool: "bool"}.get(
        type(data), type(data).__name__
    )
    return {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {kind}."]}


def _text(data: dict[str, Any], name: str, errors: FieldErrors) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        errors[name] = ["Not a valid string."]
        return None
    if len(value) > MAX_TEXT:
        errors[name] = [f"Ensure this field has no more than {MAX_TEXT} characters."]
        return None
    return value


def _amount(data: dict[str, Any], name: str, errors: FieldErrors) -> int | None:
    if data.get(name) is None:
        return None
    try:
        centavos = parse_amount(data[name])
    except ValueError as exc:
        errors[name] = [str(exc)]
        return None
    if centavos < 0:
        errors[name] = ["Ensure this value is greater than or equal to 0."]
        return None
    return centavos


def _datetime(data: dict[str, Any], name: str, errors: FieldErrors) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    try:
        parse_time(value)
    except ValueError:
        errors[name] = [DATETIME_ERROR]
        return None
    return str(value)


def validate_payment_update(data: dict[str, Any]) -> tuple[PaymentUpdate | None, FieldErrors]:
    errors: FieldErrors = {}
    fields: dict[str, Any] = {}
    if "status" in data:
        if data["status"] not in BILL_STATUSES:
            errors["status"] = [f'"{data["status"]}" is not a valid choice.']
        else:
            fields["status"] = data["status"]
    if "paid" in data:
        if not isinstance(data["paid"], bool):
            errors["paid"] = ["Must be a valid boolean."]
        else:
            fields["paid"] = data["paid"]
    for name in ("payment_intent_id", "payment_method", "payment_status", "invoice_number"):
        if name in data:
            fields[name] = _text(data, name, errors)
    if name := "paid_at" if "paid_at" in data else "":
        fields[name] = _datetime(data, name, errors)
    if fields.get("payment_status", "") is None:
        errors["payment_status"] = ["This field may not be null."]
    amount_paid = _amount(data, "amount_paid", errors)
    expected_amount = _amount(data, "expected_amount", errors)
    if errors:
        return None, errors
    return PaymentUpdate(fields, amount_paid, expected_amount), {}


def validate_refund(data: dict[str, Any]) -> tuple[RefundRequest | None, FieldErrors]:
    errors: FieldErrors = {}
    if data.get("amount") is None:
        errors["amount"] = ["This field is required."]
    amount = _amount(data, "amount", errors)
    if amount == 0:
        errors["amount"] = ["Ensure this value is greater than 0."]
    texts = {name: _text(data, name, errors) for name in ("reason", "refund_id", "method")}
    approved_by = _text(data, "approved_by", errors)
    refunded_at = _datetime(data, "refunded_at", errors)
    if errors or amount is None:
        return None, errors
    return RefundRequest(
        amount=amount, refunded_at=refunded_at, approved_by=approved_by, **texts
    ), {}
