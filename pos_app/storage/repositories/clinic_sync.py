"""Where pulling bills from the clinic server stands, and changes held back from open payments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from pos_app.domain.money import Money
from pos_app.storage.models import BillRow, ClinicHeldChangeRow, ClinicSyncStateRow
from pos_app.storage.repositories.bill_tokens import copy_sort_keys

STATE_ID = 1


@dataclass(frozen=True, slots=True)
class SyncState:
    cursor_updated_at: str | None  # the server's own text of the last stored bill's updated_at
    cursor_updated_us: int | None
    cursor_bill_id: int | None
    first_sync_done_at: datetime | None
    last_pull_at: datetime | None
    offline_since: datetime | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class HeldChange:
    """The clinic changed a bill while a payment was open on it; shown, applied once accepted."""

    bill_id: int
    payload_json: str
    old_amount: Money
    new_amount: Money
    received_at: datetime


class ClinicSyncRepository:
    """Runs on the caller's session; never commits."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def state(self) -> SyncState:
        row = self._session.get(ClinicSyncStateRow, STATE_ID)
        if row is None:
            return SyncState(None, None, None, None, None, None, None)
        return SyncState(
            row.cursor_updated_at,
            row.cursor_updated_us,
            row.cursor_bill_id,
            row.first_sync_done_at,
            row.last_pull_at,
            row.offline_since,
            row.last_error,
        )

    def _row(self) -> ClinicSyncStateRow:
        row = self._session.get(ClinicSyncStateRow, STATE_ID)
        if row is None:
            row = ClinicSyncStateRow(id=STATE_ID)
            self._session.add(row)
        return row

    def save_cursor(self, updated_at: str, updated_us: int, bill_id: int) -> None:
        row = self._row()
        row.cursor_updated_at, row.cursor_updated_us, row.cursor_bill_id = (
            updated_at,
            updated_us,
            bill_id,
        )
        self._session.flush()

    def reset_cursor(self) -> None:
        """Pull everything again from the start (``pos-app sync --full``)."""
        row = self._row()
        row.cursor_updated_at = row.cursor_updated_us = row.cursor_bill_id = None
        row.first_sync_done_at = None
        self._session.flush()

    def pulled(self, at: datetime, *, caught_up: bool) -> None:
        """A pull reached the server: online again; `caught_up` marks the first full load done."""
        row = self._row()
        row.last_pull_at = at
        row.offline_since = None
        row.last_error = None
        if caught_up and row.first_sync_done_at is None:
            row.first_sync_done_at = at
        self._session.flush()

    def went_offline(self, at: datetime, error: str) -> None:
        """The server could not be reached; `offline_since` keeps the first time of a streak."""
        row = self._row()
        if row.offline_since is None:
            row.offline_since = at
        row.last_error = error[:2000]
        self._session.flush()

    # -- held changes -----------------------------------------------------------------------

    def hold(
        self, bill_id: int, payload_json: str, old: Money, new: Money, *, at: datetime
    ) -> None:
        """Keep the newest change the clinic made to `bill_id` (a later one replaces it)."""
        row = self._session.get(ClinicHeldChangeRow, bill_id)
        if row is None:
            row = ClinicHeldChangeRow(bill_id=bill_id, old_amount_centavos=old.centavos)
            self._session.add(row)
        row.payload_json = payload_json
        row.new_amount_centavos = new.centavos
        row.received_at = at
        self._session.flush()

    def held(self, bill_id: int) -> HeldChange | None:
        row = self._session.get(ClinicHeldChangeRow, bill_id)
        return None if row is None else _held(row)

    def all_held(self) -> list[HeldChange]:
        rows = self._session.scalars(
            select(ClinicHeldChangeRow).order_by(ClinicHeldChangeRow.bill_id)
        )
        return [_held(row) for row in rows]

    def release(self, bill_id: int) -> None:
        self._session.execute(
            delete(ClinicHeldChangeRow).where(ClinicHeldChangeRow.bill_id == bill_id)
        )

    def remote_bill_ids(self) -> dict[int, int]:
        """Every bill that came from the clinic server: remote id -> local id."""
        rows = self._session.execute(
            select(BillRow.remote_id, BillRow.id).where(BillRow.remote_id.is_not(None))
        )
        return {int(row.remote_id): row.id for row in rows}

    def mark_removed(self, bill_ids: list[int], *, at: datetime) -> int:
        """Bills the clinic server no longer has leave the queue (as cancelled), unless something
        was collected on them here; how many left."""
        if not bill_ids:
            return 0
        gone = list(
            self._session.scalars(
                select(BillRow.id).where(
                    BillRow.id.in_(bill_ids),
                    BillRow.amount_paid_centavos == 0,
                    BillRow.status.in_(("pending", "partially_paid")),
                )
            )
        )
        for bill_id in gone:
            self._session.execute(
                update(BillRow)
                .where(BillRow.id == bill_id)
                .values(status="cancelled", updated_at=at)
            )
            copy_sort_keys(self._session, bill_id, updated_at=at, status="cancelled")
        return len(gone)

    def remote_count(self) -> int:
        count = self._session.scalar(
            select(func.count()).select_from(BillRow).where(BillRow.remote_id.is_not(None))
        )
        return int(count or 0)


def _held(row: ClinicHeldChangeRow) -> HeldChange:
    return HeldChange(
        bill_id=row.bill_id,
        payload_json=row.payload_json,
        old_amount=Money(row.old_amount_centavos),
        new_amount=Money(row.new_amount_centavos),
        received_at=row.received_at,
    )
