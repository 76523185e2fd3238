"""The wire forms of clinic-backend.md: a bill as the counter pulls it, and the two write bodies.

Write serializers list only payment fields: anything else in a PATCH (`amount`, `lines`, ...) is
ignored, as DRF ignores undeclared fields, so the counter can never change a bill's content.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from kaha_clinic.models import Bill, BillStatus, Refund


def wire_time(value: datetime) -> str:
    """A moment in the site's time zone with microseconds: "2026-11-26T09:14:03.120000+08:00".

    Always six decimals, so a client that resumes from the `updated_at` it stored compares it
    with the server's own value exactly.
    """
    return timezone.localtime(value).isoformat(timespec="microseconds")


def wire_amount(value: Decimal) -> str:
    return f"{value:.2f}"


class InstantField(serializers.DateTimeField):
    def to_representation(self, value: datetime) -> str:
        return wire_time(value)


def _drf_time(value: datetime | None) -> str | None:
    """A moment as DRF's DateTimeField shows it: ISO 8601 in the site's zone, UTC as "Z"."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class BillSerializer(serializers.BaseSerializer[Bill]):
    """A bill as GET /api/billing/ and /api/billing/<id>/ show it (read only).

    Built by hand rather than from nested ModelSerializers: DRF's field-by-field path took about
    half the time of a 500-bill page. The contract tests pin the shape. Expects `patient` and
    `clinic` selected and `lines` prefetched.
    """

    def to_representation(self, instance: Bill) -> dict[str, Any]:
        patient, clinic = instance.patient, instance.clinic
        return {
            "id": instance.pk,
            "patient": {
                "id": patient.pk,
                "first_name": patient.first_name,
                "last_name": patient.last_name,
                "senior_pwd_id": patient.senior_pwd_id,
            },
            "clinic": {"id": clinic.pk, "name": clinic.name},
            "description": instance.description,
            "lines": [
                {
                    "code": line.code,
                    "description": line.description,
                    "quantity": line.quantity,
                    "unit_price": wire_amount(line.unit_price),
                }
                for line in instance.lines.all()
            ],
            "amount": wire_amount(instance.amount),
            "status": instance.status,
            "paid": instance.paid,
            "payment_intent_id": instance.payment_intent_id,
            "payment_method": instance.payment_method,
            "payment_status": instance.payment_status,
            "paid_at": _drf_time(instance.paid_at),
            "updated_at": wire_time(instance.updated_at),
        }


def _amount_field() -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal(0), required=False, allow_null=True
    )


def _text_field() -> serializers.CharField:
    return serializers.CharField(max_length=255, required=False, allow_null=True, allow_blank=True)


class PaymentUpdateSerializer(serializers.Serializer[dict[str, Any]]):
    """The body of PATCH /api/billing/<id>/: payment fields only.

    `expected_amount` (optional, not stored) is the bill amount the counter showed; the server
    answers 409 when the bill's amount is no longer that (see docs/clinic-server.md).
    """

    status = serializers.ChoiceField(choices=BillStatus.choices, required=False)
    paid = serializers.BooleanField(required=False)
    amount_paid = _amount_field()
    expected_amount = _amount_field()
    payment_intent_id = _text_field()
    payment_method = _text_field()
    payment_status = serializers.CharField(max_length=255, required=False)
    paid_at = serializers.DateTimeField(required=False, allow_null=True)
    invoice_number = _text_field()


class RefundInputSerializer(serializers.Serializer[dict[str, Any]]):
    """The body of POST /api/billing/<id>/refunds/."""

    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    reason = _text_field()
    refund_id = _text_field()
    method = _text_field()
    refunded_at = serializers.DateTimeField(required=False, allow_null=True)
    approved_by = _text_field()


class RefundSerializer(serializers.ModelSerializer[Refund]):
    """A stored refund as the refunds endpoint answers it (201)."""

    created_at = InstantField(read_only=True)

    class Meta:
        model = Refund
        fields = (
            "id", "bill", "amount", "reason", "refund_id", "method", "refunded_at",
            "approved_by", "created_at",
        )  # fmt: skip
        read_only_fields = fields
