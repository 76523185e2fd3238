"""Bills round-trip as domain objects; remote upserts keep the counter's payment fields."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError

from pos_app.domain.bill import Bill, BillLine, BillStatus, Patient
from pos_app.domain.errors import NotFound
from pos_app.domain.money import Money
from pos_app.storage import Database, UnitOfWork
from tests.integration.storage.conftest import T0, make_bill, minutes


def _upsert(uow: UnitOfWork, remote: Bill) -> Bill:
    """One bill from the clinic server, through the page upsert the pull uses."""
    (bill_id,) = uow.bills.upsert_page_from_remote([remote])
    bill = uow.bills.get(bill_id)
    assert bill is not None
    return bill


def test_added_bill_comes_back_equal_with_its_new_id(db: Database) -> None:
    bill = make_bill()
    with db.unit_of_work() as uow:
        stored = uow.bills.add(bill)
        uow.commit()
    assert stored.id > 0
    with db.unit_of_work(read_only=True) as uow:
        loaded = uow.bills.get(stored.id)
    assert loaded == replace(bill, id=stored.id)
    assert loaded is not None
    assert loaded.updated_at == T0
    assert loaded.lines[1].total == Money(200_000)


def test_walk_in_patient_without_clinic_id_round_trips_as_zero(db: Database) -> None:
    walk_in = make_bill(number="W-0001", patient_id=0, remote_id=None, first_name="Jose")
    other = make_bill(number="W-0002", patient_id=0, remote_id=None, first_name="Ana")
    with db.unit_of_work() as uow:
        first, second = uow.bills.add(walk_in), uow.bills.add(other)
        uow.commit()
    assert first.patient == Patient(0, "Jose", "Santos")
    assert second.patient.first_name == "Ana"
    assert first.remote_id is None


def test_missing_bill_is_none(db: Database) -> None:
    with db.unit_of_work() as uow:
        assert uow.bills.get(999) is None


def test_upsert_inserts_then_refreshes_server_content(db: Database) -> None:
    with db.unit_of_work() as uow:
        first = _upsert(uow, make_bill())
        changed = make_bill(
            lines=(BillLine("EXT", "Extraction", 1, Money(250_000)),),
            updated_at=T0 + minutes(5),
        )
        second = _upsert(uow, changed)
        uow.commit()
    assert second.id == first.id
    assert second.amount_due == Money(250_000)
    assert [line.code for line in second.lines] == ["EXT"]
    assert second.updated_at == T0 + minutes(5)


def test_upsert_keeps_local_payment_once_money_was_collected(db: Database) -> None:
    with db.unit_of_work() as uow:
        bill = _upsert(uow, make_bill())
        uow.bills.set_payment_state(
            bill.id, amount_paid=Money(100_000), status=BillStatus.PARTIALLY_PAID, at=T0
        )
        refreshed = _upsert(uow, make_bill(status=BillStatus.PENDING))
        uow.commit()
    assert refreshed.status is BillStatus.PARTIALLY_PAID
    assert refreshed.amount_paid == Money(100_000)


def test_upsert_takes_server_status_when_nothing_collected_here(db: Database) -> None:
    with db.unit_of_work() as uow:
        _upsert(uow, make_bill())
        cancelled = _upsert(uow, make_bill(status=BillStatus.CANCELLED))
        uow.commit()
    assert cancelled.status is BillStatus.CANCELLED


def test_patient_rename_on_server_updates_search(db: Database) -> None:
    with db.unit_of_work() as uow:
        _upsert(uow, make_bill())
        _upsert(uow, make_bill(last_name="Reyes"))
        uow.commit()
    with db.unit_of_work(read_only=True) as uow:
        assert uow.bills.search("santos") == []
        assert [b.number for b in uow.bills.search("reyes")] == ["B-000812"]


def test_queue_is_most_recent_first_and_filters_status(db: Database) -> None:
    with db.unit_of_work() as uow:
        for index, status in enumerate([BillStatus.PENDING, BillStatus.PAID, BillStatus.PENDING]):
            uow.bills.add(
                make_bill(
                    number=f"B-{index}",
                    remote_id=index + 1,
                    status=status,
                    updated_at=T0 + minutes(index),
                )
            )
        uow.commit()
    with db.unit_of_work(read_only=True) as uow:
        assert [b.number for b in uow.bills.list_queue()] == ["B-2", "B-1", "B-0"]
        assert [b.number for b in uow.bills.list_queue(BillStatus.PENDING)] == ["B-2", "B-0"]
        assert [b.number for b in uow.bills.list_queue(limit=1)] == ["B-2"]


def test_negative_amounts_are_refused_by_the_database(db: Database) -> None:
    with db.unit_of_work() as uow:
        bill = uow.bills.add(make_bill())
        uow.commit()
        with pytest.raises(IntegrityError):
            uow.session.execute(
                text("UPDATE bills SET amount_paid_centavos = -1 WHERE id = :id"), {"id": bill.id}
            )


def test_times_are_stored_as_utc_and_naive_times_refused(db: Database) -> None:
    manila = timezone(timedelta(hours=8))
    local_time = datetime(2026, 11, 26, 9, 14, 3, 120000, tzinfo=manila)
    with db.unit_of_work() as uow:
        stored = uow.bills.add(make_bill(updated_at=local_time))
        uow.commit()
        raw = uow.session.execute(
            text("SELECT updated_at FROM bills WHERE id = :id"), {"id": stored.id}
        ).scalar_one()
    assert stored.updated_at == T0
    assert stored.updated_at.tzinfo == UTC
    assert str(raw).startswith("2026-11-26 01:14:03")
    with db.unit_of_work() as uow, pytest.raises(StatementError):
        uow.bills.add(make_bill(number="B-2", remote_id=2, updated_at=datetime(2026, 1, 1)))


def test_discount_and_payment_state_are_recorded(db: Database) -> None:
    with db.unit_of_work() as uow:
        bill = uow.bills.add(make_bill())
        discounted = uow.bills.set_discount(
            bill.id, discount=Money(70_000), amount_due=Money(280_000), at=T0 + minutes(1)
        )
        paid = uow.bills.set_payment_state(
            bill.id, amount_paid=Money(280_000), status=BillStatus.PAID, at=T0 + minutes(2)
        )
        uow.commit()
    assert discounted.discount == Money(70_000)
    assert paid.amount_due == Money(280_000)
    assert paid.is_settled
    with db.unit_of_work() as uow:
        assert uow.bills.get_for_update(bill.id) == paid
        with pytest.raises(NotFound):
            uow.bills.set_payment_state(999, amount_paid=Money(1), status=BillStatus.PAID, at=T0)
