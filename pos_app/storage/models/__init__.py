"""ORM models. Only the storage package sees these; callers get domain objects."""

from pos_app.storage.models.base import NAMING_CONVENTION, Base
from pos_app.storage.models.billing import BillLineRow, BillRow, BillSearchTokenRow, PatientRow
from pos_app.storage.models.overpayments import OverpaymentResolutionRow
from pos_app.storage.models.payments import (
    AttemptIdempotencyKeyRow,
    AttemptPaymongoIdRow,
    InvoiceRow,
    InvoiceSeriesRow,
    PaymentAttemptRow,
    RefundRow,
    RefundSlipSeriesRow,
    TenderRow,
)
from pos_app.storage.models.people import PersonRow
from pos_app.storage.models.readings import GrandTotalRow, ShiftRow, ZReadingRow
from pos_app.storage.models.reconcile import (
    ReconciledPaymentRow,
    ReconcileFlagRow,
    ReconcileMarkRow,
)
from pos_app.storage.models.records import (
    AuditHeadRow,
    AuditRow,
    ClinicHeldChangeRow,
    ClinicSyncStateRow,
    DatabaseFactRow,
    DocumentPrintRow,
    EJournalRow,
    OutboxRow,
    WebhookEventRow,
)

__all__ = [
    "NAMING_CONVENTION",
    "AttemptIdempotencyKeyRow",
    "AttemptPaymongoIdRow",
    "AuditHeadRow",
    "AuditRow",
    "Base",
    "BillLineRow",
    "BillRow",
    "BillSearchTokenRow",
    "ClinicHeldChangeRow",
    "ClinicSyncStateRow",
    "DatabaseFactRow",
    "DocumentPrintRow",
    "EJournalRow",
    "GrandTotalRow",
    "InvoiceRow",
    "InvoiceSeriesRow",
    "OutboxRow",
    "OverpaymentResolutionRow",
    "PatientRow",
    "PaymentAttemptRow",
    "PersonRow",
    "ReconcileFlagRow",
    "ReconcileMarkRow",
    "ReconciledPaymentRow",
    "RefundRow",
    "RefundSlipSeriesRow",
    "ShiftRow",
    "TenderRow",
    "WebhookEventRow",
    "ZReadingRow",
]
