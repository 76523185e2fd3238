"""The SQLite fast path for new pulled bills writes exactly what the ORM path writes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from pos_app.domain.bill import Bill, BillLine, BillStatus, Patient
from pos_app.domain.money import Money
from pos_app.storage import Database, open_database
from pos_app.storage.repositories.bill_writing import insert_bills

BILL = Bill(
    id=0,
    number="B-000812",
    patient=Patient(51, "María", "Santos", "SC-1"),
    clinic_name="Dorotheo Dental Clinic - Main",
    description="Oral prophylaxis",
    lines=(BillLine("PROPH", "Oral prophylaxis", 1, Money(150_000)),),
    amount_due=Money(150_000),
    amount_paid=Money(0),
    status=BillStatus.PENDING,
    updated_at=datetime(2026, 11, 26, 1, 14, 3, 120_000, tzinfo=UTC),
    remote_id=812,
)


def _rows(database: Database, bill_id: int) -> list[tuple[object, ...]]:
    with database.unit_of_work(read_only=True) as uow:
        bill = uow.session.execute(
            text(
                "SELECT number, clinic_name, description, amount_due_centavos, "
                "amount_paid_centavos, discount_centavos, status, updated_at "
                "FROM bills WHERE id = :id"
            ),
            {"id": bill_id},
        ).all()
        lines = uow.session.execute(
            text(
                "SELECT position, code, description, quantity, unit_price_centavos "
                "FROM bill_lines WHERE bill_id = :id ORDER BY position"
            ),
            {"id": bill_id},
        ).all()
        tokens = uow.session.execute(
            text(
                "SELECT token, updated_at, status FROM bill_search_tokens "
                "WHERE bill_id = :id ORDER BY token"
            ),
            {"id": bill_id},
        ).all()
    return [tuple(row) for row in (*bill, *lines, *tokens)]


def test_fast_path_rows_equal_orm_rows(database: Database, tmp_path: Path) -> None:
    with database.unit_of_work() as uow:
        (fast_id,) = uow.bills.upsert_page_from_remote([BILL])
        uow.commit()
    other = open_database(f"sqlite:///{tmp_path / 'orm.db'}")
    with other.unit_of_work() as uow:
        (orm_id,) = insert_bills(uow.session, [BILL])
        uow.commit()
    assert _rows(database, fast_id) == _rows(other, orm_id)
    other.dispose()
    with database.unit_of_work(read_only=True) as uow:
        loaded = uow.bills.get(fast_id)
        assert loaded is not None
        assert replace(loaded, id=0) == BILL
        assert [bill.id for bill in uow.bills.search("maria")] == [fast_id]
