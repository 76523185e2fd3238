"""Read bills straight into domain objects, many at a time, without ORM identity overhead.

The bill queue and the search show up to a few hundred bills per keystroke; building them
from plain rows (one query for bills and patients, one for all their lines) keeps that well
under the 20 ms budget where loading ORM objects would not.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BindParameter, Connection, bindparam, select
from sqlalchemy.orm import Session

from pos_app.domain.bill import Bill, BillLine, BillStatus, BillSummary, Patient
from pos_app.domain.money import Money
from pos_app.storage.models import BillLineRow, BillRow, PatientRow

_BILLS = BillRow.__table__
_PATIENTS = PatientRow.__table__
_LINES = BillLineRow.__table__

# Core columns (not ORM attributes): rows come back as plain tuples, skipping the ORM's
# per-row loading machinery, which costs more than the query itself here.
_BILL_COLUMNS = (
    _BILLS.c.id,
    _BILLS.c.remote_id,
    _BILLS.c.number,
    _BILLS.c.clinic_name,
    _BILLS.c.description,
    _BILLS.c.amount_due_centavos,
    _BILLS.c.amount_paid_centavos,
    _BILLS.c.discount_centavos,
    _BILLS.c.status,
    _BILLS.c.updated_at,
    _PATIENTS.c.remote_id.label("patient_remote_id"),
    _PATIENTS.c.first_name,
    _PATIENTS.c.last_name,
    _PATIENTS.c.senior_pwd_id,
)
_LINE_COLUMNS = (
    _LINES.c.bill_id,
    _LINES.c.code,
    _LINES.c.description,
    _LINES.c.quantity,
    _LINES.c.unit_price_centavos,
)


def load_bills(session: Session, bill_ids: Sequence[int]) -> list[Bill]:
    """The bills with these ids, in the order given; ids with no bill are skipped."""
    if not bill_ids:
        return []
    session.flush()  # the plain connection below would not see pending ORM changes
    connection = session.connection()
    among = {"among": list(bill_ids)}
    bill_rows = connection.execute(_BILLS_WITH_PATIENTS, among).all()
    lines = _load_lines(connection, among)
    by_id = {row[0]: _bill_from_row(row, lines.get(row[0], ())) for row in bill_rows}
    return [by_id[bill_id] for bill_id in bill_ids if bill_id in by_id]


_SUMMARY_COLUMNS = (
    _BILLS.c.id,
    _BILLS.c.number,
    _PATIENTS.c.first_name,
    _PATIENTS.c.last_name,
    _BILLS.c.description,
    _BILLS.c.amount_due_centavos,
    _BILLS.c.amount_paid_centavos,
    _BILLS.c.status,
    _BILLS.c.updated_at,
)


def load_summaries(session: Session, bill_ids: Sequence[int]) -> list[BillSummary]:
    """The queue rows of these bills, in the order given: one query, no lines."""
    if not bill_ids:
        return []
    session.flush()
    # fetchall in one go: row-by-row fetching costs more than the query
    rows = session.connection().execute(_SUMMARIES, {"among": list(bill_ids)}).all()
    by_id = {row[0]: BillSummary.from_columns(*row) for row in rows}
    return [by_id[bill_id] for bill_id in bill_ids if bill_id in by_id]


# Built once; the ids are an expanding parameter ("among"), so the compiled form is reused and
# only the "?" list grows (building the statement, or rendering hundreds of literal ids, on every
# read cost more than the lookup).
_AMONG: BindParameter[list[int]] = bindparam("among", expanding=True)
_BILLS_WITH_PATIENTS = (
    select(*_BILL_COLUMNS)
    .join(_PATIENTS, _PATIENTS.c.id == _BILLS.c.patient_id)
    .where(_BILLS.c.id.in_(_AMONG))
)
_SUMMARIES = (
    select(*_SUMMARY_COLUMNS)
    .join(_PATIENTS, _PATIENTS.c.id == _BILLS.c.patient_id)
    .where(_BILLS.c.id.in_(_AMONG))
)
_LINES_OF = (
    select(*_LINE_COLUMNS)
    .where(_LINES.c.bill_id.in_(_AMONG))
    .order_by(_LINES.c.bill_id, _LINES.c.position)
)


def _load_lines(connection: Connection, among: dict[str, list[int]]) -> dict[int, list[BillLine]]:
    rows = connection.execute(_LINES_OF, among).all()
    lines: dict[int, list[BillLine]] = defaultdict(list)
    for bill_id, code, description, quantity, unit_price in rows:
        lines[bill_id].append(
            BillLine(
                code=code,
                description=description,
                quantity=quantity,
                unit_price=Money(unit_price),
            )
        )
    return lines


def _bill_from_row(row: Any, lines: Sequence[BillLine]) -> Bill:
    # ``row`` holds _BILL_COLUMNS in order; unpacking a tuple is much faster than by name.
    (
        bill_id,
        remote_id,
        number,
        clinic_name,
        description,
        amount_due,
        amount_paid,
        discount,
        status,
        updated_at,
        patient_remote_id,
        first_name,
        last_name,
        senior_pwd_id,
    ) = row
    return Bill(
        id=bill_id,
        number=number,
        patient=Patient(
            id=patient_remote_id or 0,  # 0: a walk-in the clinic server does not know
            first_name=first_name,
            last_name=last_name,
            senior_pwd_id=senior_pwd_id,
        ),
        clinic_name=clinic_name,
        description=description,
        lines=tuple(lines),
        amount_due=Money(amount_due),
        amount_paid=Money(amount_paid),
        status=BillStatus(status),
        updated_at=updated_at,
        remote_id=remote_id,
        discount=Money(discount),
    )
