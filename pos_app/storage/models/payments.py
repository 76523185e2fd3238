"""Tables for payment attempts, tenders, invoices with their series, and refunds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pos_app.storage.models.base import Base
from pos_app.storage.types import UtcDateTime

CLIENT_ID_LENGTH = 64
"""Attempt and refund ids are client-made (uuid4 hex); room for other formats."""


class PaymentAttemptRow(Base):
    """One try to collect one tender; written before the first request leaves (write-ahead)."""

    __tablename__ = "payment_attempts"
    __table_args__ = (
        CheckConstraint("amount_centavos > 0", name="amount_positive"),
        Index("ix_payment_attempts_state", "state"),
    )

    id: Mapped[str] = mapped_column(String(CLIENT_ID_LENGTH), primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"), index=True)
    # the counter that made it: only that counter polls, recovers and settles it (several
    # counters may share one database), until staff hand it to another (``pos-app takeover``)
    terminal_id: Mapped[str] = mapped_column(String(40), index=True)
    method: Mapped[str] = mapped_column(String(20))
    amount_centavos: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    failure_code: Mapped[str | None] = mapped_column(String(100))
    failure_message: Mapped[str | None] = mapped_column(Text)

    idempotency_keys: Mapped[list[AttemptIdempotencyKeyRow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    paymongo_ids: Mapped[list[AttemptPaymongoIdRow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class AttemptIdempotencyKeyRow(Base):
    """The Idempotency-Key of one create step; unique across all attempts, reused on retry."""

    __tablename__ = "attempt_idempotency_keys"

    attempt_id: Mapped[str] = mapped_column(
        ForeignKey("payment_attempts.id", ondelete="CASCADE"), primary_key=True
    )
    step: Mapped[str] = mapped_column(String(30), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)


class AttemptPaymongoIdRow(Base):
    """A PayMongo object id (``pi_...``, ``src_...``, ``pay_...``) an attempt created or saw."""

    __tablename__ = "attempt_paymongo_ids"

    attempt_id: Mapped[str] = mapped_column(
        ForeignKey("payment_attempts.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    paymongo_id: Mapped[str] = mapped_column(String(100), index=True)


class TenderRow(Base):
    """A settled part of a bill's payment. At most one tender per attempt (no double count)."""

    __tablename__ = "tenders"
    __table_args__ = (
        CheckConstraint("amount_centavos > 0", name="amount_positive"),
        CheckConstraint(
            "cash_tendered_centavos IS NULL OR cash_tendered_centavos >= amount_centavos",
            name="cash_covers_amount",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"), index=True)
    method: Mapped[str] = mapped_column(String(20))
    amount_centavos: Mapped[int] = mapped_column(Integer)
    attempt_id: Mapped[str | None] = mapped_column(ForeignKey("payment_attempts.id"), unique=True)
    cash_tendered_centavos: Mapped[int | None] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    # the counter that took it, for its X and Z readings (None: taken before readings existed)
    terminal_id: Mapped[str | None] = mapped_column(String(40))
    # rev z_marks: the Z-reading that counted it (None: no Z-reading yet), set in the Z's own
    # transaction so every row is in exactly one Z-reading whenever it commits
    z_reading_id: Mapped[int | None] = mapped_column(Integer, index=True)


class InvoiceSeriesRow(Base):
    """The last invoice sequence a terminal issued; locked while the next one is taken."""

    __tablename__ = "invoice_series"

    terminal_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(20))
    last_sequence: Mapped[int] = mapped_column(Integer)


class InvoiceRow(Base):
    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("terminal_id", "sequence"),
        CheckConstraint("sequence > 0", name="sequence_positive"),
        CheckConstraint("total_centavos >= 0", name="total_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    terminal_id: Mapped[str] = mapped_column(ForeignKey("invoice_series.terminal_id"))
    sequence: Mapped[int] = mapped_column(Integer)
    # One invoice per bill: a late second payment becomes an overpayment case, not an invoice.
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    total_centavos: Mapped[int] = mapped_column(Integer)
    # rev z_marks: the Z-reading that counted it (None: no Z-reading yet), set in the Z's own
    # transaction so every row is in exactly one Z-reading whenever it commits
    z_reading_id: Mapped[int | None] = mapped_column(Integer, index=True)


class RefundRow(Base):
    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount_centavos > 0", name="amount_positive"),
        Index("ix_refunds_state", "state"),
    )

    id: Mapped[str] = mapped_column(String(CLIENT_ID_LENGTH), primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"), index=True)
    attempt_id: Mapped[str | None] = mapped_column(ForeignKey("payment_attempts.id"), index=True)
    amount_centavos: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20))
    paymongo_refund_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    requested_by: Mapped[str] = mapped_column(String(100))
    approved_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    manual: Mapped[bool] = mapped_column(Boolean)
    # rev refund_slips: what the refund dialog and the slip need, and exactly-once bookkeeping
    notes: Mapped[str] = mapped_column(String(255), default="", server_default="")
    paymongo_payment_id: Mapped[str | None] = mapped_column(String(100))
    channel: Mapped[str | None] = mapped_column(String(20))  # manual: cash, bank, e-wallet
    reference: Mapped[str | None] = mapped_column(String(100))  # transfer reference
    slip_number: Mapped[str | None] = mapped_column(String(60), unique=True)
    booked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # bill + outbox updated
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # last create sent
    failure: Mapped[str | None] = mapped_column(String(400))  # why it failed, plain words
    # rev applied_refunds: the tender it gives back when that is money applied from an
    # overpayment case (attempt_id is then the case's attempt, on another bill or this one)
    tender_id: Mapped[int | None] = mapped_column(ForeignKey("tenders.id"), index=True)
    # rev z_marks: the Z-reading that counted it (None: no Z-reading yet), set in the Z's own
    # transaction so every row is in exactly one Z-reading whenever it commits
    z_reading_id: Mapped[int | None] = mapped_column(Integer, index=True)


class RefundSlipSeriesRow(Base):
    """The last refund slip sequence a terminal issued; its own gap-free series (BIR)."""

    __tablename__ = "refund_slip_series"

    terminal_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(20))
    last_sequence: Mapped[int] = mapped_column(Integer)
