"""Writing bills in bulk: a sync page of hundreds of bills in a handful of statements.

Used for both single bills and pages, so there is one way a bill, its lines, its patient
and its search words are written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from pos_app.domain.bill import Bill, BillLine, Patient
from pos_app.storage.models import BillLineRow, BillRow, PatientRow
from pos_app.storage.repositories.bill_fast_insert import can_insert_fast, insert_remote_bills
from pos_app.storage.repositories.bill_tokens import IndexedBill, insert_tokens, rewrite_tokens


def remote_key(bill: Bill) -> int:
    """The clinic server's id of a bill: ``remote_id``, or ``id`` when that is None."""
    return bill.remote_id if bill.remote_id is not None else bill.id


def insert_bills(session: Session, bills: Sequence[Bill]) -> list[int]:
    """Insert new bills (``Bill.id`` ignored) with lines and search words; their new ids."""
    if not bills:
        return []
    patient_ids = _patient_rows(session, [bill.patient for bill in bills])
    ids: list[int] = list(
        session.scalars(
            insert(BillRow).returning(BillRow.id, sort_by_parameter_order=True),
            [
                _bill_values(bill) | {"patient_id": pid}
                for bill, pid in zip(bills, patient_ids, strict=True)
            ],
        )
    )
    _insert_lines(session, zip(ids, (bill.lines for bill in bills), strict=True))
    insert_tokens(
        session,
        (
            _indexed(bill_id, bill, bill.status.value)
            for bill_id, bill in zip(ids, bills, strict=True)
        ),
    )
    return ids


def upsert_page(session: Session, remote_bills: Sequence[Bill]) -> list[int]:
    """Insert or refresh bills pulled from the clinic server; local ids in the given order.

    The bill's content belongs to the server and is overwritten. Payment fields belong to
    the counter: once anything was collected here (amount paid > 0) the local status and
    amount paid are kept; before that, the server's are taken. The local discount is kept.
    """
    latest = {remote_key(bill): bill for bill in remote_bills}  # a repeat: the last wins
    existing = {
        row.remote_id: row
        for row in session.execute(
            select(
                BillRow.id, BillRow.remote_id, BillRow.amount_paid_centavos, BillRow.status
            ).where(BillRow.remote_id.in_(list(latest)))
        )
    }
    fresh = _with_keys([bill for key, bill in latest.items() if key not in existing])
    fresh_ids = dict(
        zip((remote_key(b) for b in fresh), _insert_fresh(session, fresh), strict=True)
    )
    changed = [bill for key, bill in latest.items() if key in existing]
    if changed:
        _refresh(session, changed, existing)
    local_ids = fresh_ids | {key: existing[key].id for key in existing}
    return [local_ids[remote_key(bill)] for bill in remote_bills]


def _insert_fresh(session: Session, bills: Sequence[Bill]) -> list[int]:
    if not bills or not can_insert_fast(session):
        return insert_bills(session, bills)
    patient_ids = _patient_rows(session, [bill.patient for bill in bills])
    return insert_remote_bills(session, bills, patient_ids)


def _refresh(session: Session, bills: Sequence[Bill], existing: Mapping[int | None, Any]) -> None:
    patient_ids = _patient_rows(session, [bill.patient for bill in bills])
    values = []
    indexed = []
    for bill, patient_id in zip(bills, patient_ids, strict=True):
        row = existing[remote_key(bill)]
        value = _bill_values(bill) | {"id": row.id, "patient_id": patient_id}
        del value["remote_id"], value["discount_centavos"]
        if row.amount_paid_centavos > 0:
            del value["amount_paid_centavos"], value["status"]
        values.append(value)
        indexed.append(_indexed(row.id, bill, value.get("status", row.status)))
    session.execute(update(BillRow), values)
    ids = [value["id"] for value in values]
    session.execute(delete(BillLineRow).where(BillLineRow.bill_id.in_(ids)))
    _insert_lines(session, zip(ids, (bill.lines for bill in bills), strict=True))
    rewrite_tokens(session, indexed)


def _indexed(bill_id: int, bill: Bill, status: str) -> IndexedBill:
    return IndexedBill(
        bill_id=bill_id,
        number=bill.number,
        first_name=bill.patient.first_name,
        last_name=bill.patient.last_name,
        updated_at=bill.updated_at,
        status=status,
    )


def _with_keys(bills: Sequence[Bill]) -> list[Bill]:
    return [
        bill if bill.remote_id is not None else replace(bill, remote_id=bill.id) for bill in bills
    ]


def _bill_values(bill: Bill) -> dict[str, Any]:
    return {
        "remote_id": bill.remote_id,
        "number": bill.number,
        "clinic_name": bill.clinic_name,
        "description": bill.description,
        "amount_due_centavos": bill.amount_due.centavos,
        "amount_paid_centavos": bill.amount_paid.centavos,
        "discount_centavos": bill.discount.centavos,
        "status": bill.status.value,
        "updated_at": bill.updated_at,
    }


def _patient_rows(session: Session, patients: Sequence[Patient]) -> list[int]:
    """Local patient row ids, one per patient given; known patients' names refreshed.

    A patient with a clinic id (> 0) has one row; a walk-in (id 0) gets a row of its own.
    """
    known_ids = sorted({p.id for p in patients if p.id > 0})
    rows = {
        row.remote_id: row
        for row in session.execute(
            select(
                PatientRow.id,
                PatientRow.remote_id,
                PatientRow.first_name,
                PatientRow.last_name,
                PatientRow.senior_pwd_id,
            ).where(PatientRow.remote_id.in_(known_ids))
        )
    }
    latest = {p.id: p for p in patients if p.id > 0}
    new_known = [latest[i] for i in known_ids if i not in rows]
    walk_ins = [p for p in patients if p.id <= 0]
    created = _upsert_known_patients(session, new_known)
    by_remote = {p.id: row_id for p, row_id in zip(new_known, created, strict=True)}
    by_remote |= {key: row.id for key, row in rows.items() if key is not None}
    _update_changed_patients(session, rows, latest)
    walk_in_ids = iter(_insert_patients(session, walk_ins))
    return [by_remote[p.id] if p.id > 0 else next(walk_in_ids) for p in patients]


def _insert_patients(session: Session, patients: Sequence[Patient]) -> list[int]:
    """Walk-in patients (no clinic id): always new rows; their ids in the order given."""
    if not patients:
        return []
    return list(
        session.scalars(
            insert(PatientRow).returning(PatientRow.id, sort_by_parameter_order=True),
            [_patient_values(p) for p in patients],
        )
    )


def _upsert_known_patients(session: Session, patients: Sequence[Patient]) -> list[int]:
    """Patients the clinic knows, not seen here a moment ago: their row ids in the order given.

    INSERT ... ON CONFLICT (remote_id) DO UPDATE, because on a shared PostgreSQL database another
    counter may store the same patient between our look-up and this insert (on SQLite the write
    lock taken at BEGIN already rules that out); the row then takes our, newer, details."""
    if not patients:
        return []
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    dialect = session.get_bind().dialect.name
    upsert = pg_insert(PatientRow) if dialect == "postgresql" else sqlite_insert(PatientRow)
    statement = upsert.on_conflict_do_update(
        index_elements=[PatientRow.remote_id],
        set_={
            "first_name": upsert.excluded.first_name,
            "last_name": upsert.excluded.last_name,
            "senior_pwd_id": upsert.excluded.senior_pwd_id,
        },
    ).returning(PatientRow.id, sort_by_parameter_order=True)
    return list(session.scalars(statement, [_patient_values(p) for p in patients]))


def _update_changed_patients(
    session: Session, rows: Mapping[int | None, Any], latest: Mapping[int, Patient]
) -> None:
    changed = [
        (row, latest[key])
        for key, row in rows.items()
        if key is not None
        and (row.first_name, row.last_name, row.senior_pwd_id)
        != (latest[key].first_name, latest[key].last_name, latest[key].senior_pwd_id)
    ]
    if not changed:
        return
    session.execute(update(PatientRow), [_patient_values(p) | {"id": row.id} for row, p in changed])
    renamed = {
        row.id: patient
        for row, patient in changed
        if (row.first_name, row.last_name) != (patient.first_name, patient.last_name)
    }
    if renamed:
        _retokenize_patients(session, renamed)


def _retokenize_patients(session: Session, renamed: Mapping[int, Patient]) -> None:
    bills = session.execute(
        select(
            BillRow.id, BillRow.number, BillRow.patient_id, BillRow.updated_at, BillRow.status
        ).where(BillRow.patient_id.in_(list(renamed)))
    ).all()
    rewrite_tokens(
        session,
        (
            IndexedBill(
                bill_id=row.id,
                number=row.number,
                first_name=renamed[row.patient_id].first_name,
                last_name=renamed[row.patient_id].last_name,
                updated_at=row.updated_at,
                status=row.status,
            )
            for row in bills
        ),
    )


def _patient_values(patient: Patient) -> dict[str, Any]:
    return {
        "remote_id": patient.id if patient.id > 0 else None,
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "senior_pwd_id": patient.senior_pwd_id,
    }


def _insert_lines(session: Session, bills: Iterable[tuple[int, tuple[BillLine, ...]]]) -> None:
    values = [
        {
            "bill_id": bill_id,
            "position": position,
            "code": line.code,
            "description": line.description,
            "quantity": line.quantity,
            "unit_price_centavos": line.unit_price.centavos,
        }
        for bill_id, lines in bills
        for position, line in enumerate(lines)
    ]
    if values:
        session.execute(insert(BillLineRow), values)
