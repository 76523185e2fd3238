"""Tenders: the settled parts of a bill's payment."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.domain.money import Money
from pos_app.domain.tender import Tender, TenderMethod
from pos_app.storage.models import TenderRow


class TenderRepository:
    """Tenders as domain objects. Runs on the caller's session; never commits.

    At most one tender exists per attempt (a unique constraint): recording the same
    successful attempt twice fails instead of counting the money twice.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, tender: Tender, *, at: datetime, terminal_id: str | None = None) -> Tender:
        """Store a tender recorded at ``at`` by ``terminal_id`` (for its readings); returns it
        with its new id."""
        row = TenderRow(
            bill_id=tender.bill_id,
            method=tender.method.value,
            amount_centavos=tender.amount.centavos,
            attempt_id=tender.attempt_id,
            cash_tendered_centavos=(
                None if tender.cash_tendered is None else tender.cash_tendered.centavos
            ),
            recorded_at=at,
            terminal_id=terminal_id,
        )
        self._session.add(row)
        self._session.flush()
        return tender_from_row(row)

    def list_for_bill(self, bill_id: int) -> list[Tender]:
        rows = self._session.scalars(
            select(TenderRow).where(TenderRow.bill_id == bill_id).order_by(TenderRow.id)
        )
        return [tender_from_row(row) for row in rows]

    def find_by_attempt(self, attempt_id: str) -> Tender | None:
        row = self._session.scalars(
            select(TenderRow).where(TenderRow.attempt_id == attempt_id)
        ).first()
        return None if row is None else tender_from_row(row)


def tender_from_row(row: TenderRow) -> Tender:
    return Tender(
        id=row.id,
        bill_id=row.bill_id,
        method=TenderMethod(row.method),
        amount=Money(row.amount_centavos),
        attempt_id=row.attempt_id,
        cash_tendered=(
            None if row.cash_tendered_centavos is None else Money(row.cash_tendered_centavos)
        ),
    )
