"""Issue 15 item 5: shifts, the X-reading of a shift, the shift close with the cash counted, and
the Z-reading once per terminal per day, stored and printed again the same."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from pos_app.domain.discount import DiscountKind, VatStatus
from pos_app.domain.errors import PermissionDenied, ReadingRefused
from pos_app.domain.money import Money
from pos_app.domain.refund import RefundState
from pos_app.domain.tender import TenderMethod
from pos_app.services.readings import z_reading_csv
from tests.integration.readings.conftest import (
    PINS,
    Counter,
    discount,
    make_counter,
    new_bill,
    pay,
    refund,
)

DAY = date(2026, 12, 7)


def _sales(counter: Counter) -> None:
    """Three bills: ₱1,120 cash, ₱1,120 senior (₱800 by GCash), ₱500 part-paid in cash."""
    db, clock = counter.database, counter.clock
    first = new_bill(db, Money(112000), clock.now(), "B-1")
    pay(db, first.id, TenderMethod.CASH, Money(112000), clock.advance(60))
    second = new_bill(db, Money(112000), clock.now(), "B-2")
    discount(db, clock, VatStatus.VAT, second.id, DiscountKind.SENIOR)
    pay(db, second.id, TenderMethod.GCASH, Money(80000), clock.advance(60))
    third = new_bill(db, Money(50000), clock.now(), "B-3")
    pay(db, third.id, TenderMethod.CASH, Money(20000), clock.advance(60))
    refund(db, first.id, Money(10000), clock.advance(60), RefundState.SUCCEEDED)
    refund(db, first.id, Money(5000), clock.advance(60), RefundState.PENDING)


def test_a_shift_is_read_and_closed_with_the_cash_counted(counter: Counter) -> None:
    service = counter.readings
    with pytest.raises(ReadingRefused, match="No shift is open"):
        service.x_reading()
    shift = service.open_shift(Money(200000))
    assert shift.opened_by == "Ben Cruz"
    with pytest.raises(ReadingRefused, match="already open"):
        service.open_shift(Money(100))
    _sales(counter)

    x = service.x_reading()
    assert x.figures.first_invoice == "MAIN-01-000001"
    assert x.figures.last_invoice == "MAIN-01-000002"
    assert x.cash.expected == Money(200000 + 112000 + 20000)
    assert x.cash.counted is None
    assert service.x_reading().figures == x.figures  # an X-reading resets nothing

    closed = service.close_shift(Money(330000))
    assert not closed.shift.is_open
    assert closed.shift.closed_by == "Ben Cruz"
    assert closed.cash.difference_centavos == -2000  # ₱20.00 short, recorded, not forced
    with pytest.raises(ReadingRefused, match="No shift is open"):
        service.x_reading()
    assert "Saved as PDF" in service.print_x(closed)


def test_the_z_reading_has_every_field_once_per_day_and_prints_the_same_again(
    counter: Counter,
) -> None:
    service = counter.readings
    service.open_shift(Money(200000))
    _sales(counter)
    with pytest.raises(ReadingRefused, match="Close the shift first"):
        service.take_z()
    service.close_shift(Money(332000))
    counter.clock.advance(timedelta(hours=1))

    z = service.take_z()
    f = z.figures
    assert (z.business_date, z.z_counter, z.reset_counter) == (DAY, 1, 1)
    assert (f.first_invoice, f.last_invoice, f.invoice_count) == (
        "MAIN-01-000001",
        "MAIN-01-000002",
        2,
    )
    assert f.gross == Money(224000)
    assert f.senior_discount == Money(20000)
    assert f.vat_taken_off == Money(12000)
    assert f.net == Money(192000)
    assert (f.vatable, f.vat, f.vat_exempt) == (Money(100000), Money(12000), Money(80000))
    assert (f.refund_count, f.refund_total) == (1, Money(10000))  # the pending one is not counted
    assert f.first_refund is not None
    assert f.void_count == 0
    assert f.first_void is None
    payments = dict(f.payments)
    assert payments[TenderMethod.CASH] == Money(132000)
    assert payments[TenderMethod.GCASH] == Money(80000)
    assert (z.cash.expected, z.cash.counted) == (Money(332000), Money(332000))
    assert (z.previous_grand_total, z.present_grand_total) == (Money.ZERO, Money(192000))
    assert len(counter.backups) == 1  # the daily backup ran after the Z-reading

    with pytest.raises(ReadingRefused, match="already taken") as second:
        service.take_z()
    assert "A day is closed only once" in second.value.user_message
    assert service.stored_z(DAY) == z
    assert service.recompute_z(DAY) == z

    first = service.print_z(DAY)
    again = service.print_z(DAY)
    assert "REPRINT" not in first
    assert again.startswith("REPRINT No. 1 of Z-01-2026-12-07")

    csv_text = z_reading_csv(z)
    assert "present_grand_total,1920.00" in csv_text
    assert "beginning_void," in csv_text


def test_the_grand_total_goes_on_from_day_to_day(counter: Counter) -> None:
    service = counter.readings
    db, clock = counter.database, counter.clock
    bill = new_bill(db, Money(50000), clock.now(), "B-1")
    pay(db, bill.id, TenderMethod.CASH, Money(50000), clock.advance(60))
    clock.advance(60)
    day_one = service.take_z()
    clock.advance(timedelta(days=1))
    bill = new_bill(db, Money(30000), clock.now(), "B-2")
    pay(db, bill.id, TenderMethod.QRPH, Money(30000), clock.advance(60))
    clock.advance(60)
    day_two = service.take_z()
    assert day_two.previous_grand_total == day_one.present_grand_total == Money(50000)
    assert day_two.present_grand_total == Money(80000)
    assert day_two.z_counter == 2
    assert day_two.figures.first_invoice == "MAIN-01-000002"
    with pytest.raises(ReadingRefused, match="can no longer be closed"):
        service.take_z(DAY - timedelta(days=1))


def test_each_terminal_has_its_own_z_and_grand_total(counter: Counter, tmp_path: Path) -> None:
    other = make_counter(counter.database, tmp_path / "two", terminal="02")
    db, clock = counter.database, counter.clock
    bill = new_bill(db, Money(50000), clock.now(), "B-1")
    pay(db, bill.id, TenderMethod.CASH, Money(50000), clock.advance(60))
    other.clock.set(clock.advance(60))
    assert counter.readings.take_z().figures.net == Money(50000)
    theirs = other.readings.take_z()
    assert theirs.figures.net == Money.ZERO
    assert theirs.z_counter == 1


def test_x_needs_view_reports_and_z_needs_z_reading(counter: Counter) -> None:
    counter.access.sign_in("Ana Reyes", PINS["Ana Reyes"])  # a receptionist
    counter.readings.open_shift(Money(100000))  # may open and close her own shift
    with pytest.raises(PermissionDenied, match="see reports"):
        counter.readings.x_reading()
    with pytest.raises(PermissionDenied, match="close the day"):
        counter.readings.take_z()
    counter.access.sign_out()
    with pytest.raises(PermissionDenied, match="Please sign in first"):
        counter.readings.close_shift(Money(100000))


def test_a_record_changed_after_the_z_reading_no_longer_recomputes_to_it(counter: Counter) -> None:
    """The property test's check has teeth: the stored figures are the ones printed, and a
    change to the records behind them shows."""
    from sqlalchemy import update

    from pos_app.storage.models import InvoiceRow

    db, clock = counter.database, counter.clock
    bill = new_bill(db, Money(50000), clock.now(), "B-1")
    pay(db, bill.id, TenderMethod.CASH, Money(50000), clock.advance(60))
    clock.advance(60)
    z = counter.readings.take_z()
    with db.unit_of_work() as uow:
        uow.session.execute(update(InvoiceRow).values(total_centavos=40000))
        uow.commit()
    assert counter.readings.stored_z(DAY) == z
    assert counter.readings.recompute_z(DAY).figures.net == Money(40000)
    assert counter.readings.recompute_z(DAY) != z
