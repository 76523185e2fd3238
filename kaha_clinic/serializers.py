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

from kaha_clinic.models import Bill, BillLine, BillStatus, Clinic, Patient, Refund


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


class PatientSerializer(serializers.ModelSerializer[Patient]):
    class Meta:
        model = Patient
        fields = ("id", "first_name", "last_name", "senior_pwd_id")


class ClinicSerializer(serializers.ModelSerializer[Clinic]):
    class Meta:
        model = Clinic
        fields = ("id", "name")


class BillLineSerializer(serializers.ModelSerializer[BillLine]):
    class Meta:
        model = BillLine
        fields = ("code", "description", "quantity", "unit_price")


class BillSerializer(serializers.ModelSerializer[Bill]):
    """A bill as GET /api/billing/ and /api/billing/<id>/ show it (read only)."""

    patient = PatientSerializer(read_only=True)
    clinic = ClinicSerializer(read_only=True)
    lines = BillLineSerializer(many=True, read_only=True)
    updated_at = InstantField(read_only=True)

    class Meta:
        model = Bill
        fields = (
            "id", "patient", "clinic", "description", "lines", "amount", "status", "paid",
            "payment_intent_id", "payment_method", "payment_status", "paid_at", "updated_at",
        )  # fmt: skip
        read_only_fields = fields


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
