"""Django admin: staff see bills with their payment fields, refunds, and the stored answers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.http import HttpRequest

from kaha_clinic.models import Bill, BillLine, Clinic, IdempotentAnswer, Patient, Refund

# Django's admin classes are generic only in django-stubs; at run time they take no parameters
# (django_stubs_ext.monkeypatch() would add that, but the app should not need the stubs installed).
if TYPE_CHECKING:
    BillAdminBase = admin.ModelAdmin[Bill]
    RefundAdminBase = admin.ModelAdmin[Refund]
    AnswerAdminBase = admin.ModelAdmin[IdempotentAnswer]
    PatientAdminBase = admin.ModelAdmin[Patient]
    LineInlineBase = admin.TabularInline[BillLine, Bill]
    RefundInlineBase = admin.TabularInline[Refund, Bill]
else:
    BillAdminBase = RefundAdminBase = AnswerAdminBase = PatientAdminBase = admin.ModelAdmin
    LineInlineBase = RefundInlineBase = admin.TabularInline


class BillLineInline(LineInlineBase):
    model = BillLine
    extra = 0


class RefundInline(RefundInlineBase):
    model = Refund
    extra = 0
    can_delete = False
    readonly_fields = (
        "amount", "reason", "refund_id", "method", "refunded_at", "approved_by", "created_at",
    )  # fmt: skip

    def has_add_permission(self, request: HttpRequest, obj: Bill | None = None) -> bool:
        return False


PAYMENT_FIELDS = (
    "amount_paid", "payment_intent_id", "payment_method", "payment_status", "paid_at",
    "invoice_number",
)  # fmt: skip


@admin.register(Bill)
class BillAdmin(BillAdminBase):
    list_display = (
        "id", "patient", "amount", "status", "paid", "amount_paid", "payment_method",
        "payment_status", "paid_at", "invoice_number", "updated_at",
    )  # fmt: skip
    list_filter = ("status", "paid", "payment_method", "payment_status")
    search_fields = ("id", "patient__last_name", "patient__first_name", "invoice_number",
                     "payment_intent_id")  # fmt: skip
    list_select_related = ("patient",)
    date_hierarchy = "updated_at"
    inlines = (BillLineInline, RefundInline)
    fieldsets = (
        (None, {"fields": ("clinic", "patient", "description", "amount", "status", "paid")}),
        ("Payment (written by the counter)", {"fields": PAYMENT_FIELDS}),
    )
    # Payment fields belong to the counter: staff read them here, the counter writes them.
    readonly_fields = PAYMENT_FIELDS


@admin.register(Refund)
class RefundAdmin(RefundAdminBase):
    list_display = ("id", "bill", "amount", "method", "reason", "refund_id", "approved_by",
                    "refunded_at", "created_at")  # fmt: skip
    list_filter = ("method", "reason")
    search_fields = ("refund_id", "approved_by", "bill__id")
    list_select_related = ("bill",)
    readonly_fields = ("bill", "amount", "reason", "refund_id", "method", "refunded_at",
                       "approved_by", "created_at")  # fmt: skip


@admin.register(IdempotentAnswer)
class IdempotentAnswerAdmin(AnswerAdminBase):
    list_display = ("key", "bill_id", "status_code", "created_at")
    search_fields = ("key",)
    readonly_fields = ("key", "fingerprint", "status_code", "body", "bill_id", "created_at")


@admin.register(Patient)
class PatientAdmin(PatientAdminBase):
    list_display = ("id", "last_name", "first_name", "senior_pwd_id")
    search_fields = ("last_name", "first_name", "senior_pwd_id")


admin.site.register(Clinic)
