"""How each overpayment case was closed (``OverpaymentResolutionRow``), and the open bills of a
patient that its money may go to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.domain.bill import Bill
from pos_app.domain.money import Money
from pos_app.storage.models import BillRow, OverpaymentResolutionRow
from pos_app.storage.repositories.bill_loading import load_bills

__all__ = ["OverpaymentRepository", "Resolution"]


@dataclass(frozen=True, slots=True)
class Resolution:
    attempt_id: str
    kind: str  # "refund" or "applied"
    amount: Money
    refund_id: str | None
    applied_bill_id: int | None
    tender_id: int | None
    resolved_by: str
    resolved_at: datetime
    closed_at: datetime | None
    note: str


class OverpaymentRepository:
    """Runs on the caller's session; never commits."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, attempt_id: str, *, for_update: bool = False) -> Resolution | None:
        query = select(OverpaymentResolutionRow).where(
            OverpaymentResolutionRow.attempt_id == attempt_id
        )
        if for_update:
            query = query.with_for_update().execution_options(populate_existing=True)
        row = self._session.scalars(query).first()
        return None if row is None else _resolution(row)

    def for_attempts(self, attempt_ids: list[str]) -> dict[str, Resolution]:
        if not attempt_ids:
            return {}
        rows = self._session.scalars(
            select(OverpaymentResolutionRow).where(
                OverpaymentResolutionRow.attempt_id.in_(attempt_ids)
            )
        )
        return {row.attempt_id: _resolution(row) for row in rows}

    def add(self, resolution: Resolution) -> None:
        self._session.add(
            OverpaymentResolutionRow(
                attempt_id=resolution.attempt_id,
                kind=resolution.kind,
                amount_centavos=resolution.amount.centavos,
                refund_id=resolution.refund_id,
                applied_bill_id=resolution.applied_bill_id,
                tender_id=resolution.tender_id,
                resolved_by=resolution.resolved_by,
                resolved_at=resolution.resolved_at,
                closed_at=resolution.closed_at,
                note=resolution.note,
            )
        )
        self._session.flush()

    def close(self, attempt_id: str, at: datetime) -> None:
        row = self._session.get(OverpaymentResolutionRow, attempt_id)
        if row is not None:
            row.closed_at = at
            self._session.flush()

    def remove(self, attempt_id: str) -> None:
        """A refund that failed: the case is open again (the audit keeps what happened)."""
        row = self._session.get(OverpaymentResolutionRow, attempt_id)
        if row is not None:
            self._session.delete(row)
            self._session.flush()

    def applied_to_bill(self, bill_id: int) -> dict[int, str]:
        """Money of overpayment cases applied to bill ``bill_id``: tender id -> case attempt."""
        rows = self._session.execute(
            select(OverpaymentResolutionRow.tender_id, OverpaymentResolutionRow.attempt_id).where(
                OverpaymentResolutionRow.applied_bill_id == bill_id,
                OverpaymentResolutionRow.kind == "applied",
                OverpaymentResolutionRow.tender_id.is_not(None),
            )
        )
        return {tender_id: attempt_id for tender_id, attempt_id in rows if tender_id is not None}

    def bills_of_same_patient(self, bill_id: int) -> list[Bill]:
        """Every bill of bill ``bill_id``'s patient (that one too), newest first."""
        patient = select(BillRow.patient_id).where(BillRow.id == bill_id).scalar_subquery()
        ids = list(
            self._session.scalars(
                select(BillRow.id)
                .where(BillRow.patient_id == patient)
                .order_by(BillRow.updated_at.desc())
                .limit(50)
            )
        )
        return load_bills(self._session, ids)


def _resolution(row: OverpaymentResolutionRow) -> Resolution:
    return Resolution(
        attempt_id=row.attempt_id,
        kind=row.kind,
        amount=Money(row.amount_centavos),
        refund_id=row.refund_id,
        applied_bill_id=row.applied_bill_id,
        tender_id=row.tender_id,
        resolved_by=row.resolved_by,
        resolved_at=row.resolved_at,
        closed_at=row.closed_at,
        note=row.note,
    )
