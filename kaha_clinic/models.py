"""The clinic's billing records as the contract sees them, and the stored idempotent answers.

A bill's content (patient, lines, amount, description) is the clinic's; its payment fields are
written by the counter. `updated_at` moves on every save, so `updated_since` finds every change.
Money is `DecimalField(12, 2)` (pesos with centavos), never float.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models


class BillStatus(models.TextChoices):
    PENDING = "pending"  # nothing collected yet
    PARTIALLY_PAID = "partially_paid"  # a deposit or part of a split tender is in
    PAID = "paid"  # settled (terminal unless refunded)
    CANCELLED = "cancelled"  # withdrawn by the clinic (terminal)


class Clinic(models.Model):
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class Patient(models.Model):
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    # Senior citizen or PWD id number; the counter applies the statutory discount when set.
    senior_pwd_id = models.CharField(max_length=64, null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name}"


class Bill(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="bills")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="bills")
    description = models.TextField(blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(max_length=20, choices=BillStatus.choices, default=BillStatus.PENDING)
    paid = models.BooleanField(default=False)
    # Payment fields: the counter's, written through PATCH /api/billing/<id>/.
    amount_paid = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    payment_intent_id = models.CharField(max_length=255, null=True, blank=True)
    payment_method = models.CharField(max_length=255, null=True, blank=True)
    payment_status = models.CharField(max_length=255, default="pending")
    paid_at = models.DateTimeField(null=True, blank=True)
    invoice_number = models.CharField(max_length=255, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=False)

    class Meta:
        ordering = ("updated_at", "id")
        indexes = (models.Index(fields=("updated_at", "id"), name="kaha_bill_updated_id"),)

    def __str__(self) -> str:
        return f"Bill {self.pk} ({self.status})"

    def refundable(self) -> Decimal:
        """What was paid less what was already refunded."""
        refunded = self.refunds.aggregate(total=models.Sum("amount"))["total"] or Decimal(0)
        return self.amount_paid - refunded


class BillLine(models.Model):
    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="lines")
    code = models.CharField(max_length=32)
    description = models.CharField(max_length=255)
    quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return f"{self.code} x{self.quantity}"


class Refund(models.Model):
    """A refund the counter made and reported (POST /api/billing/<id>/refunds/)."""

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    reason = models.CharField(max_length=255, null=True, blank=True)
    refund_id = models.CharField(max_length=255, null=True, blank=True)
    method = models.CharField(max_length=255, null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.CharField(max_length=255, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return f"Refund {self.pk} of bill {self.bill_id}: {self.amount}"


class IdempotentAnswer(models.Model):
    """The answer given to the first request with an `Idempotency-Key`; repeats get it again.

    The unique key is what makes two requests sent at once apply once: the second one's insert
    fails (or waits for the first to commit, then fails) and it answers with the stored row.
    """

    key = models.CharField(max_length=255, unique=True)
    # The method, bill and body of the first request: the same key with another request is 422.
    fingerprint = models.TextField()
    status_code = models.PositiveSmallIntegerField()
    # The JSON text as first sent, not a JSONField: PostgreSQL's jsonb would reorder its keys,
    # and a repeat should get the very same answer.
    body = models.TextField()
    bill_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-id",)

    def __str__(self) -> str:
        return f"{self.key} -> {self.status_code}"
