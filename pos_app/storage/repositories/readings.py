"""Shifts, Z-readings and grand totals, and the facts of a period that readings are made from.

A Z-reading is stored with every printed figure (``figures_json``), so printing it again gives
the same paper whatever changed since; the grand-total row is locked while one is taken (on SQLite
the transaction already holds the write lock), and a unique (terminal, day) refuses a second.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pos_app.domain.money import Money
from pos_app.domain.readings import CashCount, SalesFigures, Shift, ZReading
from pos_app.domain.tender import TenderMethod
from pos_app.storage.models import (
    AuditRow,
    GrandTotalRow,
    InvoiceRow,
    ShiftRow,
    TenderRow,
    ZReadingRow,
)
from pos_app.storage.repositories.reading_facts import shift_of

__all__ = ["GrandTotal", "ReadingRepository"]

_CHUNK = 500  # bills per IN (...) list: far under every database's limit on bound parameters


@dataclass(frozen=True, slots=True)
class GrandTotal:
    accumulated: Money
    z_counter: int
    reset_counter: int


class ReadingRepository:
    """Runs on the caller's session; never commits."""

    def __init__(self, session: Session) -> None:
        self._session = session

    # --- shifts --------------------------------------------------------------------------------

    def open_shift(self, terminal_id: str) -> Shift | None:
        row = self._session.scalars(
            select(ShiftRow)
            .where(ShiftRow.terminal_id == terminal_id, ShiftRow.closed_at.is_(None))
            .order_by(ShiftRow.id)
        ).first()
        return None if row is None else shift_of(row)

    def add_shift(self, terminal_id: str, *, at: datetime, by: str, opening_float: Money) -> Shift:
        row = ShiftRow(
            terminal_id=terminal_id,
            opened_at=at,
            opened_by=by,
            opening_float_centavos=opening_float.centavos,
        )
        self._session.add(row)
        self._session.flush()
        return shift_of(row)

    def close_shift(self, shift_id: int, *, at: datetime, by: str, counted: Money) -> Shift:
        row = self._session.get(ShiftRow, shift_id)
        assert row is not None, "only a stored shift is closed"
        assert row.closed_at is None, "only an open shift is closed"
        row.closed_at, row.closed_by, row.counted_centavos = at, by, counted.centavos
        self._session.flush()
        return shift_of(row)

    # --- the facts of a period -----------------------------------------------------------------

    def latest_details(self, action: str, bill_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """The last audit entry ``action`` on each bill ("bill:ID"), as its details."""
        found: dict[int, dict[str, Any]] = {}
        for chunk in _chunks(sorted(set(bill_ids))):
            subjects = [f"bill:{bill_id}" for bill_id in chunk]
            rows = self._session.execute(
                select(AuditRow.subject, AuditRow.details_json)
                .where(AuditRow.action == action, AuditRow.subject.in_(subjects))
                .order_by(AuditRow.seq)
            )
            for subject, details in rows:
                found[int(subject.removeprefix("bill:"))] = dict(json.loads(details))
        return found

    def first_activity(self, terminal_id: str) -> datetime | None:
        """When the terminal first issued an invoice or took a tender (None: never)."""
        invoice = self._session.scalar(
            select(func.min(InvoiceRow.issued_at)).where(InvoiceRow.terminal_id == terminal_id)
        )
        tender = self._session.scalar(
            select(func.min(TenderRow.recorded_at)).where(
                or_(TenderRow.terminal_id == terminal_id, TenderRow.terminal_id.is_(None))
            )
        )
        times = [moment for moment in (invoice, tender) if moment is not None]
        return min(times) if times else None

    # --- Z-readings and the grand total --------------------------------------------------------

    def grand_total(self, terminal_id: str, *, at: datetime) -> GrandTotal:
        """The terminal's grand total, locked until the transaction ends (made at zero once)."""
        row = self._locked_total(terminal_id)
        if row is None:
            try:
                with self._session.begin_nested():
                    self._session.add(
                        GrandTotalRow(
                            terminal_id=terminal_id,
                            accumulated_centavos=0,
                            z_counter=0,
                            reset_counter=0,
                            updated_at=at,
                        )
                    )
            except IntegrityError:
                pass  # another counter process made it first; lock theirs
            row = self._locked_total(terminal_id)
        assert row is not None
        return GrandTotal(Money(row.accumulated_centavos), row.z_counter, row.reset_counter)

    def add_z(
        self,
        terminal_id: str,
        day: date,
        z_counter: int,
        period: tuple[datetime, datetime],
        taken: tuple[datetime, str],
    ) -> int:
        """Take the Z-reading's row (its id marks what it counts); ``store_z`` fills it in, in
        the same transaction."""
        row = ZReadingRow(
            terminal_id=terminal_id,
            business_date=day.isoformat(),
            z_counter=z_counter,
            period_start=period[0],
            period_end=period[1],
            taken_at=taken[0],
            taken_by=taken[1],
            figures_json="{}",
            print_count=0,
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def store_z(self, z_reading_id: int, reading: ZReading) -> None:
        """Store ``reading`` in its row and move the grand total on to its present total."""
        total = self._locked_total(reading.terminal_id)
        assert total is not None, "take grand_total() first, in the same transaction"
        assert reading.present_grand_total.centavos >= total.accumulated_centavos
        total.accumulated_centavos = reading.present_grand_total.centavos
        total.z_counter, total.reset_counter = reading.z_counter, reading.reset_counter
        total.updated_at = reading.taken_at
        row = self._session.get(ZReadingRow, z_reading_id)
        assert row is not None
        assert row.z_counter == reading.z_counter
        row.figures_json = json.dumps(z_to_dict(reading), sort_keys=True)
        self._session.flush()

    def z_id(self, terminal_id: str, day: date) -> int | None:
        """The row id of the terminal's Z-reading of ``day`` (what its counted rows carry)."""
        return self._session.scalar(
            select(ZReadingRow.id).where(
                ZReadingRow.terminal_id == terminal_id,
                ZReadingRow.business_date == day.isoformat(),
            )
        )

    def z_for(self, terminal_id: str, day: date) -> tuple[ZReading, int] | None:
        """The terminal's stored Z-reading of ``day`` and how often it was printed."""
        row = self._session.scalars(
            select(ZReadingRow).where(
                ZReadingRow.terminal_id == terminal_id,
                ZReadingRow.business_date == day.isoformat(),
            )
        ).first()
        return None if row is None else (z_from_dict(json.loads(row.figures_json)), row.print_count)

    def count_z_print(self, terminal_id: str, day: date) -> int:
        """Count one print of the day's Z-reading before it leaves: 0 for the original, then the
        reprint's number (1, 2...)."""
        row = self._session.scalars(
            select(ZReadingRow)
            .where(
                ZReadingRow.terminal_id == terminal_id,
                ZReadingRow.business_date == day.isoformat(),
            )
            .with_for_update()
        ).one()
        row.print_count += 1
        self._session.flush()
        return row.print_count - 1  # the prints before this one

    def latest_z(self, terminal_id: str) -> ZReading | None:
        row = self._session.scalars(
            select(ZReadingRow)
            .where(ZReadingRow.terminal_id == terminal_id)
            .order_by(ZReadingRow.z_counter.desc())
        ).first()
        return None if row is None else z_from_dict(json.loads(row.figures_json))

    def _locked_total(self, terminal_id: str) -> GrandTotalRow | None:
        return self._session.scalars(
            select(GrandTotalRow)
            .where(GrandTotalRow.terminal_id == terminal_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for index in range(0, len(ids), _CHUNK):
        yield ids[index : index + _CHUNK]


# --- the stored Z-reading: every figure as JSON (centavos as ints, times as ISO text) -----------

_MONEY_FIELDS = (
    "gross",
    "senior_discount",
    "pwd_discount",
    "other_discount",
    "vat_taken_off",
    "net",
    "vatable",
    "vat",
    "vat_exempt",
    "zero_rated",
    "non_vat",
    "refund_total",
    "void_total",
    "cash_refunded",
)
_PLAIN_FIELDS = (
    "invoice_count",
    "first_invoice",
    "last_invoice",
    "refund_count",
    "first_refund",
    "last_refund",
    "void_count",
    "first_void",
    "last_void",
)


def z_to_dict(z: ZReading) -> dict[str, Any]:
    f, cash = z.figures, z.cash
    figures: dict[str, Any] = {name: getattr(f, name).centavos for name in _MONEY_FIELDS}
    figures |= {name: getattr(f, name) for name in _PLAIN_FIELDS}
    figures["payments"] = [[method.value, amount.centavos] for method, amount in f.payments]
    return {
        "terminal_id": z.terminal_id,
        "business_date": z.business_date.isoformat(),
        "z_counter": z.z_counter,
        "reset_counter": z.reset_counter,
        "period_start": z.period_start.isoformat(),
        "period_end": z.period_end.isoformat(),
        "taken_at": z.taken_at.isoformat(),
        "taken_by": z.taken_by,
        "previous_grand_total": z.previous_grand_total.centavos,
        "cash": {
            "opening_float": cash.opening_float.centavos,
            "cash_in": cash.cash_in.centavos,
            "cash_out": cash.cash_out.centavos,
            "counted": None if cash.counted is None else cash.counted.centavos,
        },
        "shift_count": z.shift_count,
        "cashiers": list(z.cashiers),
        "figures": figures,
    }


def z_from_dict(data: dict[str, Any]) -> ZReading:
    raw = data["figures"]
    fields: dict[str, Any] = {name: Money(int(raw.get(name, 0))) for name in _MONEY_FIELDS}
    fields |= {name: raw[name] for name in _PLAIN_FIELDS}
    fields["payments"] = tuple((TenderMethod(m), Money(int(c))) for m, c in raw["payments"])
    figures = SalesFigures(**fields)
    cash = data["cash"]
    return ZReading(
        terminal_id=data["terminal_id"],
        business_date=date.fromisoformat(data["business_date"]),
        z_counter=int(data["z_counter"]),
        reset_counter=int(data["reset_counter"]),
        period_start=datetime.fromisoformat(data["period_start"]),
        period_end=datetime.fromisoformat(data["period_end"]),
        taken_at=datetime.fromisoformat(data["taken_at"]),
        taken_by=data["taken_by"],
        figures=figures,
        previous_grand_total=Money(int(data["previous_grand_total"])),
        cash=CashCount(
            Money(int(cash["opening_float"])),
            Money(int(cash["cash_in"])),
            Money(int(cash["cash_out"])),
            None if cash["counted"] is None else Money(int(cash["counted"])),
        ),
        shift_count=int(data["shift_count"]),
        cashiers=tuple(data["cashiers"]),
    )
