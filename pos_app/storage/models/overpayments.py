"""How staff closed an overpayment case: a refund, or the money applied to another open bill."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pos_app.storage.models.base import Base
from pos_app.storage.types import UtcDateTime


class OverpaymentResolutionRow(Base):
    """One per case (the attempt that took the extra money). A refund that fails at PayMongo
    removes its row (audited), so the case is open again; ``closed_at`` is set once the money
    is applied or the refund succeeded."""

    __tablename__ = "overpayment_resolutions"
    __table_args__ = (
        CheckConstraint("amount_centavos > 0", name="amount_positive"),
        CheckConstraint("kind IN ('refund', 'applied')", name="kind_known"),
    )

    attempt_id: Mapped[str] = mapped_column(ForeignKey("payment_attempts.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    amount_centavos: Mapped[int] = mapped_column(Integer)
    refund_id: Mapped[str | None] = mapped_column(ForeignKey("refunds.id"), unique=True)
    applied_bill_id: Mapped[int | None] = mapped_column(ForeignKey("bills.id"))
    tender_id: Mapped[int | None] = mapped_column(ForeignKey("tenders.id"), unique=True)
    resolved_by: Mapped[str] = mapped_column(String(100))
    resolved_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    note: Mapped[str] = mapped_column(Text)
