"""Keeping ``bill_search_tokens`` in step with the bills it indexes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, update
from sqlalchemy.orm import Session

from pos_app.storage.models import BillSearchTokenRow
from pos_app.storage.search import tokens_for


@dataclass(frozen=True, slots=True)
class IndexedBill:
    """What the search index holds for one bill."""

    bill_id: int
    number: str
    first_name: str
    last_name: str
    updated_at: datetime
    status: str


def rewrite_tokens(session: Session, bills: Iterable[IndexedBill]) -> None:
    """Replace the search words of these bills."""
    entries = list(bills)
    if not entries:
        return
    session.execute(
        delete(BillSearchTokenRow).where(
            BillSearchTokenRow.bill_id.in_([entry.bill_id for entry in entries])
        )
    )
    insert_tokens(session, entries)


def insert_tokens(session: Session, bills: Iterable[IndexedBill]) -> None:
    values = [
        {
            "token": token,
            "bill_id": entry.bill_id,
            "updated_at": entry.updated_at,
            "status": entry.status,
        }
        for entry in bills
        for token in sorted(tokens_for([entry.number, entry.first_name, entry.last_name]))
    ]
    if values:
        session.execute(insert(BillSearchTokenRow), values)


def copy_sort_keys(session: Session, bill_id: int, *, updated_at: datetime, status: str) -> None:
    """Mirror a bill's new ``updated_at`` and ``status`` onto its search words."""
    session.execute(
        update(BillSearchTokenRow)
        .where(BillSearchTokenRow.bill_id == bill_id)
        .values(updated_at=updated_at, status=status)
    )
