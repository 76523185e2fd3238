"""Tables for patients, bills, their lines and the bill search index."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pos_app.storage.models.base import Base
from pos_app.storage.types import UtcDateTime, search_token_type

SEARCH_TOKEN_LENGTH = 64


class PatientRow(Base):
    """A patient as billing knows them; ``remote_id`` is the clinic server's id (None: walk-in)."""

    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    remote_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    senior_pwd_id: Mapped[str | None] = mapped_column(String(64))


class BillRow(Base):
    __tablename__ = "bills"
    __table_args__ = (
        CheckConstraint("amount_due_centavos >= 0", name="amount_due_not_negative"),
        CheckConstraint("amount_paid_centavos >= 0", name="amount_paid_not_negative"),
        CheckConstraint("discount_centavos >= 0", name="discount_not_negative"),
        Index("ix_bills_status_updated_at", "status", "updated_at"),
        Index("ix_bills_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    remote_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    clinic_name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    amount_due_centavos: Mapped[int] = mapped_column(Integer)
    amount_paid_centavos: Mapped[int] = mapped_column(Integer)
    discount_centavos: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())

    patient: Mapped[PatientRow] = relationship(lazy="joined")
    lines: Mapped[list[BillLineRow]] = relationship(
        order_by="BillLineRow.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class BillLineRow(Base):
    __tablename__ = "bill_lines"
    __table_args__ = (
        UniqueConstraint("bill_id", "position"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_centavos >= 0", name="unit_price_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_centavos: Mapped[int] = mapped_column(Integer)


class BillSearchTokenRow(Base):
    """One normalized word of a bill's patient name or number (see storage.search).

    A query word "sant" becomes the range ``token >= 'sant' AND token < 'sanu'``: portable
    and index-friendly. The bill's ``updated_at`` and ``status`` are copied here (kept in
    step by the bill repository) so that a search can filter and sort its matches newest
    first from one covering index, without visiting every matching bill.
    """

    __tablename__ = "bill_search_tokens"
    __table_args__ = (
        Index("ix_bill_search_tokens_newest", "token", "updated_at", "bill_id", "status"),
        # Answers "does this bill also have a word starting with ..." for the other words.
        Index("ix_bill_search_tokens_bill_id_token", "bill_id", "token"),
    )

    token: Mapped[str] = mapped_column(search_token_type(SEARCH_TOKEN_LENGTH), primary_key=True)
    bill_id: Mapped[int] = mapped_column(
        ForeignKey("bills.id", ondelete="CASCADE"), primary_key=True
    )
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(20))
