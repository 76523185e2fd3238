"""Issue 15 item 5 (defects): every tender, invoice and refund is in exactly one Z-reading of
its terminal whatever the interleaving, and cash refunded by hand leaves the drawer's expected
cash (X-reading, shift close and Z-reading)."""

from __future__ import annotations

from datetime import date, timedelta

from alembic import command

from pos_app.domain.money import Money
from pos_app.domain.refund import RefundState
from pos_app.domain.tender import TenderMethod
from pos_app.services.refunds.port import RefundChannel
from pos_app.services.refunds.service import RefundService
from pos_app.storage.migrate import alembic_config
from tests.integration.readings.conftest import Counter, new_bill, pay, refund

DAY = date(2026, 12, 7)


def test_a_payment_stamped_before_a_z_but_committed_after_it_is_in_the_next_z(
    counter: Counter,
) -> None:
    """The interleaving of the defect, made deterministic: the payment takes its time, the
    Z-reading commits while the payment waits for the database, then the payment commits with
    its earlier time (inside the closed period)."""
    service, db, clock = counter.readings, counter.database, counter.clock
    first = new_bill(db, Money(50000), clock.now(), "B-1")
    pay(db, first.id, TenderMethod.CASH, Money(50000), clock.advance(60))
    late = new_bill(db, Money(30000), clock.advance(60), "B-2")
    asked = new_bill(db, Money(20000), clock.now(), "B-3")
    pay(db, asked.id, TenderMethod.GCASH, Money(20000), clock.advance(60))
    pending = refund(db, asked.id, Money(5000), clock.advance(60), RefundState.PENDING)

    stamped = clock.advance(60)  # the payment stamps its time here, then waits for the lock
    clock.advance(60)
    day_one = service.take_z()  # ...and the Z-reading commits in that gap
    assert day_one.period_end > stamped
    pay(db, late.id, TenderMethod.QRPH, Money(30000), stamped)  # commits with the earlier time
    with db.unit_of_work() as uow:  # the refund asked before the Z succeeds after it
        found = uow.refunds.get(pending)
        assert found is not None
        uow.refunds.update(found.advance(RefundState.SUCCEEDED))
        uow.commit()
    assert service.recompute_z(DAY) == day_one  # the stored Z-reading still holds

    clock.advance(timedelta(days=1))
    day_two = service.take_z()
    one, two = day_one.figures, day_two.figures
    assert (one.invoice_count, one.last_invoice) == (2, "MAIN-01-000002")
    assert (two.invoice_count, two.first_invoice) == (1, "MAIN-01-000003")
    assert dict(one.payments)[TenderMethod.QRPH] == Money.ZERO
    assert dict(two.payments)[TenderMethod.QRPH] == Money(30000)  # counted, in the next Z
    assert (one.refund_count, two.refund_count) == (0, 1)
    assert two.refund_total == Money(5000)
    assert day_two.present_grand_total == Money(100000)  # every invoice, exactly once
    assert service.recompute_z(DAY + timedelta(days=1)) == day_two


def test_a_z_taken_for_a_past_day_leaves_later_sales_to_the_next_z(counter: Counter) -> None:
    service, db, clock = counter.readings, counter.database, counter.clock
    bill = new_bill(db, Money(50000), clock.now(), "B-1")
    pay(db, bill.id, TenderMethod.CASH, Money(50000), clock.advance(60))
    clock.advance(timedelta(days=1))
    bill = new_bill(db, Money(30000), clock.now(), "B-2")
    pay(db, bill.id, TenderMethod.CASH, Money(30000), clock.advance(60))
    clock.advance(60)
    past = service.take_z(DAY)
    today = service.take_z()
    assert (past.figures.net, today.figures.net) == (Money(50000), Money(30000))


def test_cash_refunded_by_hand_is_taken_out_of_the_cash_expected(counter: Counter) -> None:
    service, db, clock = counter.readings, counter.database, counter.clock
    refunds = RefundService(db, None, clock, counter.access, terminal_id="01")
    service.open_shift(Money(100000))
    bill = new_bill(db, Money(50000), clock.now(), "B-1")
    pay(db, bill.id, TenderMethod.CASH, Money(50000), clock.advance(60))
    other = new_bill(db, Money(40000), clock.now(), "B-2")
    pay(db, other.id, TenderMethod.CASH, Money(40000), clock.advance(60))
    clock.advance(60)
    cash = refunds.refund_by_hand(
        bill.id, None, Money(12000), "", "", channel=RefundChannel.CASH, reference=None
    )
    clock.advance(60)
    refunds.refund_by_hand(
        other.id, None, Money(7000), "", "", channel=RefundChannel.BANK, reference="BPI-778"
    )
    clock.advance(60)

    x = service.x_reading()
    assert x.cash.cash_out == Money(12000)  # the bank transfer left no drawer
    assert x.cash.expected == Money(100000 + 90000 - 12000)
    closed = service.close_shift(Money(178000))
    assert closed.cash.difference_centavos == 0
    clock.advance(60)
    z = service.take_z()
    assert z.cash.cash_out == Money(12000)
    assert z.cash.expected == Money(178000)
    assert z.cash.difference_centavos == 0
    assert (z.figures.refund_count, z.figures.refund_total) == (2, Money(19000))
    assert z.figures.first_refund == cash.slip_number  # the refund slip numbers
    assert z.figures.last_refund is not None
    assert z.figures.last_refund.startswith("RF-01-")
    assert service.stored_z(DAY) == z
    assert service.recompute_z(DAY) == z


def test_the_upgrade_marks_what_earlier_z_readings_counted(counter: Counter) -> None:
    """A database whose Z-readings were taken before the marks existed: the migration marks the
    rows of each stored period, so the next Z-reading counts only the new sales."""
    service, db, clock = counter.readings, counter.database, counter.clock
    service.open_shift(Money(100000))
    bill = new_bill(db, Money(50000), clock.now(), "B-1")
    pay(db, bill.id, TenderMethod.CASH, Money(50000), clock.advance(60))
    refund(db, bill.id, Money(1000), clock.advance(60), RefundState.SUCCEEDED)
    service.close_shift(Money(149000))
    clock.advance(60)
    day_one = service.take_z()
    assert (day_one.figures.refund_count, day_one.shift_count) == (1, 1)

    config = alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "overpayment_resolutions")  # the marks are gone
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    assert service.recompute_z(DAY) == day_one

    clock.advance(timedelta(days=1))
    bill = new_bill(db, Money(30000), clock.now(), "B-2")
    pay(db, bill.id, TenderMethod.GCASH, Money(30000), clock.advance(60))
    clock.advance(60)
    day_two = service.take_z()
    assert (day_two.figures.invoice_count, day_two.figures.refund_count) == (1, 0)
    assert day_two.figures.net == Money(30000)
    assert day_two.shift_count == 0
