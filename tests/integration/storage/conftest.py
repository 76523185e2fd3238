"""Fixtures for storage tests: a migrated database per test, on each backend, and builders.

``db`` and ``db_url`` run every test that uses them on both backends (tests/integration/
conftest.py). Tests about SQLite itself (pragmas, the file) use ``db_path`` or ``sqlite_db``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pos_app.domain.bill import Bill, BillLine, BillStatus, Patient
from pos_app.domain.money import Money
from pos_app.storage import Database, open_database

T0 = datetime(2026, 11, 26, 1, 14, 3, 120000, tzinfo=UTC)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "kaha.db"


@pytest.fixture
def db_url(empty_db_url: str) -> str:
    """An empty database on each backend (no schema yet)."""
    return empty_db_url


@pytest.fixture
def sqlite_db(db_path: Path) -> Iterator[Database]:
    """For tests of SQLite itself (pragmas, write locks): the file database only."""
    database = open_database(sqlite_url(db_path))
    yield database
    database.dispose()


@pytest.fixture
def db(migrated_db_url: str) -> Iterator[Database]:
    """A database migrated to head, on each backend."""
    database = open_database(migrated_db_url)
    yield database
    database.dispose()


def make_bill(
    *,
    number: str = "B-000812",
    first_name: str = "Maria",
    last_name: str = "Santos",
    patient_id: int = 51,
    remote_id: int | None = 812,
    status: BillStatus = BillStatus.PENDING,
    updated_at: datetime = T0,
    lines: tuple[BillLine, ...] | None = None,
) -> Bill:
    if lines is None:
        lines = (
            BillLine("PROPH", "Oral prophylaxis", 1, Money(150_000)),
            BillLine("COMP1", "Composite filling, 1 surface", 2, Money(100_000)),
        )
    due = sum((line.unit_price.centavos * line.quantity for line in lines), 0)
    return Bill(
        id=0,
        number=number,
        patient=Patient(id=patient_id, first_name=first_name, last_name=last_name),
        clinic_name="Dorotheo Dental Clinic - Main",
        description="Oral prophylaxis; composite filling",
        lines=lines,
        amount_due=Money(due),
        amount_paid=Money(0),
        status=status,
        updated_at=updated_at,
        remote_id=remote_id,
    )


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)
