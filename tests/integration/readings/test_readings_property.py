"""Issue 15 acceptance: over generated days of hundreds of sales, part payments, refunds and
senior/PWD discounts, the Z-reading worked out again from the records equals the stored one, the
grand total never decreases, and there is one Z-reading per terminal per day."""

from __future__ import annotations

import random
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from pos_app.domain.discount import VatStatus
from pos_app.domain.errors import ReadingRefused
from pos_app.domain.money import Money
from pos_app.domain.readings import ZReading
from pos_app.storage import open_database
from pos_app.storage.models import TenderRow, ZReadingRow
from tests.integration.readings.conftest import busy_day, make_counter


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
    phases=(Phase.explicit, Phase.generate),  # a day is slow to build: no shrinking
)
@given(
    seed=st.integers(0, 2**32 - 1),
    days=st.lists(st.integers(100, 180), min_size=2, max_size=3),
    vat=st.sampled_from(VatStatus),
)
def test_generated_days_recompute_to_the_stored_z_and_the_grand_total_only_grows(
    seed: int, days: list[int], vat: VatStatus
) -> None:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        database = open_database(f"sqlite:///{tmp / 'kaha.db'}")
        try:
            counter = make_counter(database, tmp, vat)
            service, clock = counter.readings, counter.clock
            previous = Money.ZERO
            for sales in days:
                service.open_shift(Money(rng.randint(0, 5000_00)))
                busy_day(counter, rng, sales, vat)
                expected_cash = service.x_reading().cash.expected
                service.close_shift(Money(max(0, expected_cash.centavos + rng.randint(-500, 500))))
                clock.advance(timedelta(minutes=5))
                z = service.take_z()

                assert (
                    service.recompute_z(z.business_date) == z == service.stored_z(z.business_date)
                )
                assert z.previous_grand_total == previous
                assert z.present_grand_total >= previous
                previous = z.present_grand_total
                _check_identities(z, vat)
                _check_payments_are_the_tenders(database, z)
                with pytest.raises(ReadingRefused, match="already taken"):
                    service.take_z()
                clock.set(clock.now() + timedelta(days=1))

            with database.unit_of_work(read_only=True) as uow:
                rows = uow.session.execute(
                    select(ZReadingRow.terminal_id, ZReadingRow.business_date)
                ).all()
            assert len(rows) == len(set(rows)) == len(days)
        finally:
            database.dispose()


def _check_identities(z: ZReading, vat: VatStatus) -> None:
    f = z.figures
    discounts = f.senior_discount + f.pwd_discount + f.other_discount + f.vat_taken_off
    assert f.gross == f.net + discounts
    if vat is VatStatus.VAT:
        assert f.net == f.vatable + f.vat + f.vat_exempt + f.zero_rated
    else:
        assert f.net == f.non_vat
    assert f.invoice_count == 0 or f.first_invoice is not None
    assert z.cash.expected == z.cash.opening_float + f.cash_in


def _check_payments_are_the_tenders(database: object, z: ZReading) -> None:
    from pos_app.storage import Database

    assert isinstance(database, Database)
    with database.unit_of_work(read_only=True) as uow:
        amounts = uow.session.scalars(
            select(TenderRow.amount_centavos).where(
                TenderRow.recorded_at >= z.period_start, TenderRow.recorded_at < z.period_end
            )
        ).all()
    assert Money.total(amount for _, amount in z.figures.payments) == Money(sum(amounts))
