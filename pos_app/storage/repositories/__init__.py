"""Repositories: each takes a Session and returns domain objects, never ORM rows."""

from pos_app.storage.repositories.attempts import AttemptRepository
from pos_app.storage.repositories.audit import AuditEntry, AuditRepository
from pos_app.storage.repositories.bills import BillRepository
from pos_app.storage.repositories.clinic_sync import (
    ClinicSyncRepository,
    HeldChange,
    SyncState,
)
from pos_app.storage.repositories.documents import DocumentPrintRepository, DocumentPrints
from pos_app.storage.repositories.invoices import (
    InvoiceNumber,
    InvoiceRepository,
    next_invoice_number,
)
from pos_app.storage.repositories.journal import JournalEntry, JournalRepository
from pos_app.storage.repositories.outbox import OutboxMessage, OutboxRepository
from pos_app.storage.repositories.refunds import RefundRepository
from pos_app.storage.repositories.tenders import TenderRepository
from pos_app.storage.repositories.webhook_events import WebhookEventRepository

__all__ = [
    "AttemptRepository",
    "AuditEntry",
    "AuditRepository",
    "BillRepository",
    "ClinicSyncRepository",
    "DocumentPrintRepository",
    "DocumentPrints",
    "HeldChange",
    "InvoiceNumber",
    "InvoiceRepository",
    "JournalEntry",
    "JournalRepository",
    "OutboxMessage",
    "OutboxRepository",
    "RefundRepository",
    "SyncState",
    "TenderRepository",
    "WebhookEventRepository",
    "next_invoice_number",
]
