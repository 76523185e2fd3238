"""Document prints: the first print of a document is its original, every later one a numbered
REPRINT. The count is taken in the caller's transaction (the same one that writes the audit
entry), before the paper comes out: a print that fails after it was counted makes the next one
a REPRINT, never a second original.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.storage.models import DocumentPrintRow, TenderRow


@dataclass(frozen=True, slots=True)
class DocumentPrints:
    name: str  # "MAIN-01-000123" or "AR-000045"
    kind: str  # "invoice" or "acknowledgement"
    bill_id: int
    first_printed_at: datetime
    last_printed_at: datetime
    reprint_count: int  # 0: only the original was printed


class DocumentPrintRepository:
    """Runs on the caller's session; never commits."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def record_print(self, *, name: str, kind: str, bill_id: int, at: datetime) -> int:
        """Count one print of ``name``; returns 0 for the original, else the reprint's number."""
        row = self._session.scalars(
            select(DocumentPrintRow)
            .where(DocumentPrintRow.name == name)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
        if row is None:
            row = DocumentPrintRow(
                name=name,
                kind=kind,
                bill_id=bill_id,
                first_printed_at=at,
                last_printed_at=at,
                reprint_count=0,
            )
            self._session.add(row)
        else:
            row.reprint_count += 1
            row.last_printed_at = at
        self._session.flush()
        return row.reprint_count

    def list_for_bill(self, bill_id: int) -> list[DocumentPrints]:
        rows = self._session.scalars(
            select(DocumentPrintRow)
            .where(DocumentPrintRow.bill_id == bill_id)
            .order_by(DocumentPrintRow.first_printed_at, DocumentPrintRow.name)
        )
        return [
            DocumentPrints(
                name=row.name,
                kind=row.kind,
                bill_id=row.bill_id,
                first_printed_at=row.first_printed_at,
                last_printed_at=row.last_printed_at,
                reprint_count=row.reprint_count,
            )
            for row in rows
        ]

    def tender_times(self, bill_id: int) -> dict[int, datetime]:
        """When each of the bill's tenders was recorded, by tender id (printed on receipts)."""
        rows = self._session.execute(
            select(TenderRow.id, TenderRow.recorded_at).where(TenderRow.bill_id == bill_id)
        )
        return {row.id: row.recorded_at for row in rows}
