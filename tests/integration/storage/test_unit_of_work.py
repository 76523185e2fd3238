"""A unit of work saves only on commit and rolls back on leaving or on an exception."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from pos_app.storage import Database
from tests.integration.storage.conftest import make_bill


def _count_bills(db: Database) -> int:
    with db.unit_of_work(read_only=True) as uow:
        return len(uow.bills.list_queue())


def test_commit_saves(db: Database) -> None:
    with db.unit_of_work() as uow:
        uow.bills.add(make_bill())
        uow.commit()
    assert _count_bills(db) == 1


def test_leaving_without_commit_saves_nothing(db: Database) -> None:
    with db.unit_of_work() as uow:
        uow.bills.add(make_bill())
    assert _count_bills(db) == 0


def test_exception_rolls_back_and_propagates(db: Database) -> None:
    def add_then_fail() -> None:
        with db.unit_of_work() as uow:
            uow.bills.add(make_bill())
            raise RuntimeError("printer on fire")

    with pytest.raises(RuntimeError, match="printer on fire"):
        add_then_fail()
    assert _count_bills(db) == 0


def test_work_after_a_commit_is_a_new_transaction(db: Database) -> None:
    with db.unit_of_work() as uow:
        uow.bills.add(make_bill(number="B-1", remote_id=1))
        uow.commit()
        uow.bills.add(make_bill(number="B-2", remote_id=2))
    assert _count_bills(db) == 1


def test_session_is_only_available_inside_the_block(db: Database) -> None:
    uow = db.unit_of_work()
    with pytest.raises(RuntimeError):
        _ = uow.session
    with uow:
        assert uow.session is not None
    with pytest.raises(RuntimeError):
        _ = uow.session


def test_reader_is_not_blocked_by_an_open_writer(db: Database) -> None:
    with db.unit_of_work() as writer:
        writer.bills.add(make_bill())  # holds the write lock until the block ends
        with db.unit_of_work(read_only=True) as reader:
            assert reader.bills.list_queue() == []
        writer.commit()
    assert _count_bills(db) == 1


def test_units_of_work_run_from_other_threads(db: Database) -> None:
    # The app's database worker thread and the GUI-side reader share one Database.
    def add(number: str, remote_id: int) -> None:
        with db.unit_of_work() as uow:
            uow.bills.add(make_bill(number=number, remote_id=remote_id))
            uow.commit()

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(add, [f"B-{i}" for i in range(6)], range(1, 7)))
    assert _count_bills(db) == 6
