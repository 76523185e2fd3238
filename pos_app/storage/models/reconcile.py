"""Tables of the reconciliation with PayMongo: payments seen, flags raised, where runs got to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pos_app.storage.models.base import Base
from pos_app.storage.types import UtcDateTime


class ReconciledPaymentRow(Base):
    """One PayMongo payment as the last reconciliation that looked at it found it."""

    __tablename__ = "reconciled_payments"

    payment_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    amount_centavos: Mapped[int] = mapped_column(Integer)
    fee_centavos: Mapped[int] = mapped_column(Integer)
    net_centavos: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(30))
    intent_id: Mapped[str | None] = mapped_column(String(100), index=True)
    source_id: Mapped[str | None] = mapped_column(String(100))
    payout_id: Mapped[str | None] = mapped_column(String(100), index=True)
    paymongo_created_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    outcome: Mapped[str] = mapped_column(String(20), index=True)
    attempt_id: Mapped[str | None] = mapped_column(ForeignKey("payment_attempts.id"), index=True)
    bill_id: Mapped[int | None] = mapped_column(ForeignKey("bills.id"))
    note: Mapped[str] = mapped_column(Text)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ReconcileFlagRow(Base):
    """Something local PayMongo does not bear out; raised once per (kind, subject)."""

    __tablename__ = "reconcile_flags"
    __table_args__ = (UniqueConstraint("kind", "subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(120))
    bill_id: Mapped[int | None] = mapped_column(ForeignKey("bills.id"))
    amount_centavos: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ReconcileMarkRow(Base):
    """Per counter: the newest payment and refund its reconciliation has seen (list cursors)."""

    __tablename__ = "reconcile_marks"

    terminal_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    payments_cursor: Mapped[str | None] = mapped_column(String(100))
    refunds_cursor: Mapped[str | None] = mapped_column(String(100))
    covered_since: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_run_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
