"""Shifts and X/Z readings: open a shift with a cash float, read it (X) at any time, close it
with the cash counted, and close the day (Z) once per terminal per day.

The X-reading needs ``Permission.VIEW_REPORTS`` and the Z-reading ``Permission.Z_READING``,
checked here (``access.require``), never only by a greyed-out menu. The names on the paper are
the signed-in people's. A Z-reading is stored with every figure and the terminal's accumulated
grand total moves on in the same transaction; printing it again prints the stored figures,
marked REPRINT. Every reading is printed through ``ReceiptService`` (its one output path).

Threading contract: every public method blocks on the database (and the print ones on the
printer or the disk): run them on the database worker or from a command.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from pos_app.domain.clinic_time import day_of, start_of_day, wall_clock, zone_named
from pos_app.domain.clock import Clock, SystemClock
from pos_app.domain.discount import DiscountKind, VatStatus
from pos_app.domain.errors import NotFound, PosError, ReadingRefused
from pos_app.domain.money import Money
from pos_app.domain.readings import (
    PeriodFacts,
    Sale,
    Shift,
    XReading,
    ZReading,
    cash_count,
    sales_figures,
    z_reading,
)
from pos_app.domain.roles import Permission
from pos_app.services.discounts import AUDIT_ACTION, applied_from
from pos_app.storage.repositories.reading_facts import ReadingFacts, Scope
from pos_app.storage.repositories.readings import ReadingRepository

if TYPE_CHECKING:
    from pos_app.printing.document import ReceiptDocument
    from pos_app.services.access import AccessService
    from pos_app.services.receipts import ReceiptService
    from pos_app.storage import Database
    from pos_app.storage.unit_of_work import UnitOfWork

__all__ = ["ReadingService", "z_reading_csv"]

log = logging.getLogger(__name__)


class ReadingService:
    """Shifts, X-readings and Z-readings of one terminal."""

    def __init__(
        self,
        database: Database,
        access: AccessService,
        receipts: ReceiptService,
        *,
        terminal_id: str,
        vat_status: VatStatus,
        time_zone: str = "Asia/Manila",
        clock: Clock | None = None,
        after_z_reading: Callable[[], Path] | None = None,
    ) -> None:
        self._database = database
        self.access = access  # who is signed in: the window shows it, the checks use it
        self._receipts = receipts
        self._terminal = terminal_id
        self._vat_status = vat_status
        self._zone = zone_named(time_zone)
        self._clock = clock or SystemClock()
        self._after_z = after_z_reading

    # --- shifts --------------------------------------------------------------------------------

    def open_shift(self, opening_float: Money) -> Shift:
        """Open this terminal's shift with ``opening_float`` in the drawer."""
        person = self.access.require(Permission.COLLECT_PAYMENT)
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            readings = ReadingRepository(uow.session)
            already = readings.open_shift(self._terminal)
            if already is not None:
                raise ReadingRefused(
                    f"A shift is already open on this counter (opened by {already.opened_by} "
                    f"at {self._local(already.opened_at)}). Close it before opening another."
                )
            shift = readings.add_shift(
                self._terminal, at=now, by=person.name, opening_float=opening_float
            )
            uow.audit.append(
                at=now,
                actor=person.name,
                action="shift_opened",
                subject=f"shift:{shift.id}",
                details={"terminal_id": self._terminal, "float": opening_float.centavos},
            )
            uow.commit()
        return shift

    def x_reading(self) -> XReading:
        """The open shift's totals now; resets nothing."""
        person = self.access.require(Permission.VIEW_REPORTS)
        now = self._clock.now()
        with self._database.unit_of_work(read_only=True) as uow:
            shift = self._open_shift_or_refuse(uow)
            figures = sales_figures(
                self._facts(uow, Scope(shift.opened_at, now), shift.opened_at), self._vat_status
            )
        cash = cash_count(shift.opening_float, figures)
        return XReading(self._terminal, shift, now, person.name, figures, cash)

    def close_shift(self, counted: Money) -> XReading:
        """Close the open shift with the cash ``counted`` in the drawer; the reading of the
        closed shift says what was expected and the difference (never forced to match)."""
        person = self.access.require(Permission.COLLECT_PAYMENT)
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            shift = self._open_shift_or_refuse(uow)
            figures = sales_figures(
                self._facts(uow, Scope(shift.opened_at, now), shift.opened_at), self._vat_status
            )
            closed = ReadingRepository(uow.session).close_shift(
                shift.id, at=now, by=person.name, counted=counted
            )
            cash = cash_count(shift.opening_float, figures, counted)
            uow.audit.append(
                at=now,
                actor=person.name,
                action="shift_closed",
                subject=f"shift:{shift.id}",
                details={
                    "terminal_id": self._terminal,
                    "expected": cash.expected.centavos,
                    "counted": counted.centavos,
                    "difference": cash.difference_centavos,
                },
            )
            uow.commit()
        return XReading(self._terminal, closed, now, person.name, figures, cash)

    # --- the Z-reading -------------------------------------------------------------------------

    def today(self) -> date:
        return day_of(self._clock.now(), self._zone)

    def take_z(self, day: date | None = None) -> ZReading:
        """Close ``day`` (today by default): store its Z-reading and add its net sales to the
        grand total. A second Z-reading for a day is refused in plain words."""
        person = self.access.require(Permission.Z_READING)
        now = self._clock.now()
        day = day or self.today()
        if day > self.today():
            raise ReadingRefused(f"{day.isoformat()} has not come yet. Close today instead.")
        with self._database.unit_of_work() as uow:
            readings = ReadingRepository(uow.session)
            total = readings.grand_total(self._terminal, at=now)  # locks the terminal's Z
            self._refuse_second(readings, day)
            start, end = self._period(readings, day, now)
            shift = readings.open_shift(self._terminal)
            if shift is not None and shift.opened_at < end:
                raise ReadingRefused(
                    f"{shift.opened_by}'s shift is still open. Close the shift first (count the "
                    "cash), then take the Z-reading."
                )
            # Mark first, then sum exactly what was marked: every tender, invoice, refund and
            # closed shift is in exactly one Z-reading, whenever it was committed.
            z_counter = total.z_counter + 1
            z_id = readings.add_z(self._terminal, day, z_counter, (start, end), (now, person.name))
            facts = ReadingFacts(uow.session, self._terminal)
            facts.mark_uncounted(z_id, end)
            counted = Scope(z_reading_id=z_id)
            reading = z_reading(
                terminal_id=self._terminal,
                business_date=day,
                z_counter=z_counter,
                period=(start, end),
                taken=(now, person.name),
                facts=self._facts(uow, counted, start),
                shifts=facts.shifts(counted),
                previous_grand_total=total.accumulated,
                vat_status=self._vat_status,
            )
            readings.store_z(z_id, reading)
            uow.audit.append(
                at=now,
                actor=person.name,
                action="z_reading",
                subject=f"z:{self._terminal}:{day.isoformat()}",
                details={"z_counter": reading.z_counter, "net": reading.figures.net.centavos},
            )
            uow.commit()
        self._back_up()
        return reading

    def stored_z(self, day: date) -> ZReading:
        """The day's Z-reading as stored (NotFound when the day was not closed)."""
        with self._database.unit_of_work(read_only=True) as uow:
            found = ReadingRepository(uow.session).z_for(self._terminal, day)
        if found is None:
            raise NotFound(f"Counter {self._terminal} has no Z-reading for {day.isoformat()}.")
        return found[0]

    def recompute_z(self, day: date) -> ZReading:
        """The stored Z-reading of ``day`` worked out again from the sales, payments and
        refunds it counted: equal to the stored one unless the records were changed."""
        stored = self.stored_z(day)
        start, end = stored.period_start, stored.period_end
        with self._database.unit_of_work(read_only=True) as uow:
            z_id = ReadingRepository(uow.session).z_id(self._terminal, day)
            assert z_id is not None, "stored_z found it"
            counted = Scope(z_reading_id=z_id)
            return z_reading(
                terminal_id=self._terminal,
                business_date=day,
                z_counter=stored.z_counter,
                period=(start, end),
                taken=(stored.taken_at, stored.taken_by),
                facts=self._facts(uow, counted, start),
                shifts=ReadingFacts(uow.session, self._terminal).shifts(counted),
                previous_grand_total=stored.previous_grand_total,
                vat_status=self._vat_status,
            )

    # --- printing ------------------------------------------------------------------------------

    def x_document(self, reading: XReading) -> ReceiptDocument:
        """The X-reading of an open shift, or the shift close of a closed one."""
        from pos_app.printing.readings import build_shift_close, build_x_reading

        build = build_x_reading if reading.shift.is_open else build_shift_close
        return build(self._receipts.header, reading)

    def z_document(self, reading: ZReading, *, reprint_number: int = 0) -> ReceiptDocument:
        from pos_app.printing.readings import build_z_reading

        return build_z_reading(self._receipts.header, reading, reprint_number=reprint_number)

    def print_x(self, reading: XReading) -> str:
        """Print the X-reading (or the shift close); returns what happened, in plain words."""
        return self._receipts.print_reading(self.x_document(reading))

    def print_z(self, day: date) -> str:
        """Print the day's stored Z-reading: the original once, then numbered REPRINTs."""
        self.access.require(Permission.Z_READING)
        with self._database.unit_of_work() as uow:
            readings = ReadingRepository(uow.session)
            found = readings.z_for(self._terminal, day)
            if found is None:
                raise NotFound(f"Counter {self._terminal} has no Z-reading for {day.isoformat()}.")
            reading = found[0]
            reprint = readings.count_z_print(self._terminal, day)
            uow.commit()
        document = self.z_document(reading, reprint_number=reprint)
        return self._receipts.print_reading(document, reprint_number=reprint)

    # --- the parts -----------------------------------------------------------------------------

    def _open_shift_or_refuse(self, uow: UnitOfWork) -> Shift:
        shift = ReadingRepository(uow.session).open_shift(self._terminal)
        if shift is None:
            raise ReadingRefused(
                "No shift is open on this counter. Open a shift (with the cash float) first."
            )
        return shift

    def _refuse_second(self, readings: ReadingRepository, day: date) -> None:
        found = readings.z_for(self._terminal, day)
        if found is not None:
            done = found[0]
            raise ReadingRefused(
                f"The Z-reading for {day.isoformat()} was already taken at "
                f"{self._local(done.taken_at)} by {done.taken_by} (Z No. {done.z_counter}). "
                "A day is closed only once; you can print that one again."
            )
        latest = readings.latest_z(self._terminal)
        if latest is not None and latest.business_date > day:
            raise ReadingRefused(
                f"{latest.business_date.isoformat()} is already closed, so the earlier day "
                f"{day.isoformat()} can no longer be closed. Its sales are in that Z-reading."
            )

    def _period(
        self, readings: ReadingRepository, day: date, now: datetime
    ) -> tuple[datetime, datetime]:
        """From the previous Z-reading's end (or the first sale) to now, or to the end of
        ``day`` when closing a day already past."""
        next_day = start_of_day(day + timedelta(days=1), self._zone)
        end = min(now.astimezone(UTC), next_day)
        latest = readings.latest_z(self._terminal)
        if latest is not None:
            start = latest.period_end.astimezone(UTC)
        else:
            first = readings.first_activity(self._terminal)
            start = min(first, end) if first is not None else end
        return start, end

    def _facts(self, uow: UnitOfWork, scope: Scope, start: datetime) -> PeriodFacts:
        """What ``scope`` holds (``start``: when its period began, for the discount records)."""
        facts = ReadingFacts(uow.session, self._terminal)
        invoiced = facts.invoiced_sales(scope)
        discounted = [sale.bill_id for sale in invoiced if sale.discount_on_bill]
        details = ReadingRepository(uow.session).latest_details(AUDIT_ACTION, discounted)
        sales = []
        for sale in invoiced:
            found = details.get(sale.bill_id)
            kind, statutory = DiscountKind.NONE, None
            if found is not None:
                applied = applied_from(found, start)
                kind, statutory = applied.card.kind, applied.result
            sales.append(
                Sale(
                    sale.invoice_number,
                    sale.sequence,
                    sale.total,
                    sale.discount_on_bill,
                    kind,
                    statutory,
                )
            )
        return PeriodFacts(
            sales=tuple(sales),
            payments=tuple(facts.payments(scope)),
            refunds=tuple(facts.refunds(scope)),
        )

    def _back_up(self) -> None:
        """The daily backup after a Z-reading; its failure never undoes the Z (it is logged)."""
        if self._after_z is None:
            return
        try:
            self._after_z()
        except (PosError, OSError):
            log.exception("the backup after the Z-reading failed; the daily backup will retry")

    def _local(self, moment: datetime) -> str:
        return wall_clock(moment, self._zone, "%Y-%m-%d %I:%M %p")


def z_reading_csv(reading: ZReading) -> str:
    """The Z-reading as a two-column CSV (field, value) for the accountant; amounts in pesos."""
    f, cash = reading.figures, reading.cash
    rows: list[tuple[str, str]] = [
        ("terminal", reading.terminal_id),
        ("business_date", reading.business_date.isoformat()),
        ("z_counter", str(reading.z_counter)),
        ("reset_counter", str(reading.reset_counter)),
        ("period_start", reading.period_start.isoformat()),
        ("period_end", reading.period_end.isoformat()),
        ("taken_at", reading.taken_at.isoformat()),
        ("taken_by", reading.taken_by),
        ("beginning_invoice", f.first_invoice or ""),
        ("ending_invoice", f.last_invoice or ""),
        ("invoice_count", str(f.invoice_count)),
        ("beginning_void", f.first_void or ""),
        ("ending_void", f.last_void or ""),
        ("void_count", str(f.void_count)),
        ("void_total", f.void_total.to_decimal_str()),
        ("beginning_refund", f.first_refund or ""),
        ("ending_refund", f.last_refund or ""),
        ("refund_count", str(f.refund_count)),
        ("refund_total", f.refund_total.to_decimal_str()),
    ]
    for name in (
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
    ):
        rows.append((name, getattr(f, name).to_decimal_str()))
    rows += [(f"payments_{method.value}", amount.to_decimal_str()) for method, amount in f.payments]
    difference = cash.difference_centavos
    rows += [
        ("opening_funds", cash.opening_float.to_decimal_str()),
        ("cash_payments", cash.cash_in.to_decimal_str()),
        ("cash_paid_out", cash.cash_out.to_decimal_str()),
        ("cash_expected", cash.expected.to_decimal_str()),
        ("cash_counted", "" if cash.counted is None else cash.counted.to_decimal_str()),
        ("cash_difference", "" if difference is None else _signed_pesos(difference)),
        ("previous_grand_total", reading.previous_grand_total.to_decimal_str()),
        ("present_grand_total", reading.present_grand_total.to_decimal_str()),
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("field", "value"))
    writer.writerows(rows)
    return out.getvalue()


def _signed_pesos(centavos: int) -> str:
    sign = "-" if centavos < 0 else ""
    return sign + Money(abs(centavos)).to_decimal_str()
