"""Tables for shifts, stored Z-readings and each terminal's accumulated grand total."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pos_app.storage.models.base import Base
from pos_app.storage.types import UtcDateTime


class ShiftRow(Base):
    """A cashier's shift at a terminal: opened with a cash float, closed with the cash counted."""

    __tablename__ = "shifts"
    __table_args__ = (
        CheckConstraint("opening_float_centavos >= 0", name="float_not_negative"),
        CheckConstraint("counted_centavos IS NULL OR counted_centavos >= 0", name="counted_ok"),
        Index("ix_shifts_terminal_id_closed_at", "terminal_id", "closed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(40))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())
    opened_by: Mapped[str] = mapped_column(String(100))
    opening_float_centavos: Mapped[int] = mapped_column(Integer)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(100))
    counted_centavos: Mapped[int | None] = mapped_column(Integer)
    # rev z_marks: the Z-reading that counted its cash (None: no Z-reading yet), set in the Z's own
    # transaction so every row is in exactly one Z-reading whenever it commits
    z_reading_id: Mapped[int | None] = mapped_column(Integer, index=True)


class ZReadingRow(Base):
    """One terminal's Z-reading for one day, stored as taken so it prints the same every time.

    ``figures_json`` holds every printed figure; never updated except ``print_count``, never
    deleted (BIR keeps records 10 years).
    """

    __tablename__ = "z_readings"
    __table_args__ = (
        UniqueConstraint("terminal_id", "business_date"),  # one Z-reading per terminal per day
        UniqueConstraint("terminal_id", "z_counter"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(40))
    business_date: Mapped[str] = mapped_column(String(10))  # "2026-12-07", the clinic's day
    z_counter: Mapped[int] = mapped_column(Integer)
    period_start: Mapped[datetime] = mapped_column(UtcDateTime())
    period_end: Mapped[datetime] = mapped_column(UtcDateTime())
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime())
    taken_by: Mapped[str] = mapped_column(String(100))
    figures_json: Mapped[str] = mapped_column(Text)
    print_count: Mapped[int] = mapped_column(Integer)  # 0: not printed yet; 1: the original


class GrandTotalRow(Base):
    """A terminal's accumulated grand total: never reset, only ever added to by a Z-reading.

    Locked while a Z-reading is taken, which also serialises two Z-readings of one terminal.
    """

    __tablename__ = "grand_totals"
    __table_args__ = (CheckConstraint("accumulated_centavos >= 0", name="never_negative"),)

    terminal_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    accumulated_centavos: Mapped[int] = mapped_column(BigInteger)
    z_counter: Mapped[int] = mapped_column(Integer)
    reset_counter: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
