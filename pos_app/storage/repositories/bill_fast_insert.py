"""New bills from the clinic server written straight through SQLite's ``executemany``.

A first sync stores 100,000 bills; through the ORM's bulk insert that costs more in building
parameters than SQLite spends writing. On SQLite the rows go to the driver directly, in the
caller's transaction; the values are the same ones the ORM path writes (times as SQLAlchemy's
SQLite DATETIME text of the UTC time). Other databases use the ORM path.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from pos_app.domain.bill import Bill
from pos_app.storage.search import tokens_for

_BILLS = (
    "INSERT INTO bills (remote_id, number, patient_id, clinic_name, description,"
    " amount_due_centavos, amount_paid_centavos, discount_centavos, status, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_LINES = (
    "INSERT INTO bill_lines (bill_id, position, code, description, quantity, unit_price_centavos)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
_IDS = "SELECT bills.remote_id, bills.id FROM bills JOIN json_each(?) ON bills.remote_id = value"
_TOKENS = "INSERT INTO bill_search_tokens (token, bill_id, updated_at, status) VALUES (?, ?, ?, ?)"


def sqlite_text(moment: datetime) -> str:
    """How SQLAlchemy's SQLite DATETIME stores an aware time that UtcDateTime made naive UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def can_insert_fast(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def insert_remote_bills(
    session: Session, bills: Sequence[Bill], patient_ids: Sequence[int]
) -> list[int]:
    """Insert bills that all have a ``remote_id``; their new local ids, in the order given."""
    driver: Any = session.connection().connection.driver_connection
    times = [sqlite_text(bill.updated_at) for bill in bills]
    driver.executemany(
        _BILLS,
        [
            (
                bill.remote_id,
                bill.number,
                patient_id,
                bill.clinic_name,
                bill.description,
                bill.amount_due.centavos,
                bill.amount_paid.centavos,
                bill.discount.centavos,
                bill.status.value,
                at,
            )
            for bill, patient_id, at in zip(bills, patient_ids, times, strict=True)
        ],
    )
    keys = [bill.remote_id for bill in bills]
    found = dict(driver.execute(_IDS, (json.dumps(keys),)))
    ids = [found[key] for key in keys]
    driver.executemany(
        _LINES,
        [
            (
                bill_id,
                position,
                line.code,
                line.description,
                line.quantity,
                line.unit_price.centavos,
            )
            for bill_id, bill in zip(ids, bills, strict=True)
            for position, line in enumerate(bill.lines)
        ],
    )
    names: dict[tuple[str, str], set[str]] = {}  # a page has few patients, many bills each
    rows = []
    for bill_id, bill, at in zip(ids, bills, times, strict=True):
        person = (bill.patient.first_name, bill.patient.last_name)
        if person not in names:
            names[person] = tokens_for(person)
        status = bill.status.value
        for token in sorted(names[person] | tokens_for([bill.number])):
            rows.append((token, bill_id, at, status))
    driver.executemany(_TOKENS, rows)
    return ids
