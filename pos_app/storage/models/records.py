"""Tables for the outbox to the clinic server, its sync state, the audit log, webhook events,
document prints and the e-journal."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from pos_app.storage.models.base import Base
from pos_app.storage.types import UtcDateTime


class OutboxRow(Base):
    """A change waiting to reach the clinic server, sent exactly once and in id order per bill."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_sent_at_id", "sent_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload_json: Mapped[str] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    # when the sender may try again after a failure (None: now); backoff with jitter
    next_try_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # set when the sender stops for good: "conflict" (a 409, a case for the receptionist),
    # "refused" (a 400: could not send, with the server's words), "local" (no clinic bill)
    stopped_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    stop_reason: Mapped[str | None] = mapped_column(String(20))


class AuditRow(Base):
    """One audit entry; ``hash`` covers its content and ``prev_hash`` (see storage.audit)."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    approver: Mapped[str | None] = mapped_column(String(100))
    details_json: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHeadRow(Base):
    """The single row naming the chain's last entry; locking it serialises appends."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class WebhookEventRow(Base):
    """A PayMongo webhook event seen once; the primary key makes replays harmless."""

    __tablename__ = "webhook_events"

    event_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(60))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    processed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ClinicSyncStateRow(Base):
    """The single row (id 1) saying where pulling bills from the clinic server stands.

    The cursor is the last stored bill's (``updated_at`` as the server wrote it, ``id``); it is
    written in the transaction that stores the page, so a killed sync resumes after that page.
    """

    __tablename__ = "clinic_sync_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    cursor_updated_at: Mapped[str | None] = mapped_column(String(64))
    cursor_updated_us: Mapped[int | None] = mapped_column(BigInteger)
    cursor_bill_id: Mapped[int | None] = mapped_column(Integer)
    first_sync_done_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_pull_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    offline_since: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)


class ClinicHeldChangeRow(Base):
    """A change the clinic server made to a bill while a payment was open on it at the counter.

    Kept, not applied, until the receptionist accepts it; ``payload_json`` is the server's bill.
    """

    __tablename__ = "clinic_held_changes"

    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"), primary_key=True)
    payload_json: Mapped[str] = mapped_column(Text)
    old_amount_centavos: Mapped[int] = mapped_column(Integer)
    new_amount_centavos: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DocumentPrintRow(Base):
    """How often a document (an invoice, an acknowledgement receipt) has been printed.

    The first print is the original; every later one is a REPRINT numbered by ``reprint_count``,
    so printing twice never makes two originals. Never deleted (BIR keeps records 10 years).
    """

    __tablename__ = "document_prints"
    __table_args__ = (CheckConstraint("reprint_count >= 0", name="reprint_count_not_negative"),)

    name: Mapped[str] = mapped_column(String(80), primary_key=True)  # "MAIN-01-000123", "AR-000045"
    kind: Mapped[str] = mapped_column(String(20))  # "invoice" or "acknowledgement"
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"), index=True)
    first_printed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_printed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    reprint_count: Mapped[int] = mapped_column(Integer)


class EJournalRow(Base):
    """A copy of one printout, in the order printed on its terminal (BIR's e-journal).

    Every document that leaves the counter (invoice, reprint, acknowledgement receipt, refund
    slip, X or Z reading) is copied here as the text printed, before the paper comes out. Rows
    are only ever added: the repository has no update or delete, and on SQLite and PostgreSQL
    database triggers refuse both (records are kept 10 years).
    """

    __tablename__ = "e_journal"
    __table_args__ = (
        UniqueConstraint("terminal_id", "seq"),
        CheckConstraint("seq > 0", name="seq_positive"),
        CheckConstraint("reprint_number >= 0", name="reprint_number_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(40))
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 ... per terminal, in print order
    kind: Mapped[str] = mapped_column(String(30))  # "invoice", "acknowledgement", "refund_slip"
    document_number: Mapped[str] = mapped_column(String(80), index=True)  # "MAIN-01-000123"
    reprint_number: Mapped[int] = mapped_column(Integer)  # 0: the original
    printed_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    person: Mapped[str] = mapped_column(String(100))  # the cashier as printed on the document
    text: Mapped[str] = mapped_column(Text)  # the document as printed, in plain text


class DatabaseFactRow(Base):
    """A fact about the database itself, written when it is first opened: ``books`` says whose
    books it holds ("practice": sandbox mode; "real": a PayMongo key), so a practice database is
    never taken for the real one whatever its file is called (storage.books)."""

    __tablename__ = "database_facts"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
