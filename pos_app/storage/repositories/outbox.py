"""The outbox: bill changes for the clinic server, sent exactly once each, in order per bill;
and email receipts (kind ``email_receipt``), sent by their own sender to the clinic's mail server
with the same retry bookkeeping, never to the clinic server."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pos_app.storage.models import BillRow, OutboxRow

MAX_ERROR_LENGTH = 2000
EMAIL_RECEIPT_KIND = "email_receipt"  # services.email_receipts sends these, not the clinic sender
_FOR_CLINIC = OutboxRow.kind != EMAIL_RECEIPT_KIND


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """One queued change. ``idempotency_key`` goes in the request header on every try."""

    id: int
    bill_id: int
    kind: str  # e.g. "payment", "refund"
    payload: Mapping[str, Any]
    idempotency_key: str
    created_at: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str | None
    next_try_at: datetime | None = None
    stopped_at: datetime | None = None
    stop_reason: str | None = None  # "conflict", "refused" or "local" once the sender stopped


class OutboxRepository:
    """Runs on the caller's session; never commits.

    Enqueue in the same transaction as the change it reports, so a change and its message
    are stored together or not at all.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def enqueue(
        self,
        bill_id: int,
        kind: str,
        payload: Mapping[str, Any],
        *,
        at: datetime,
        idempotency_key: str | None = None,
    ) -> OutboxMessage:
        row = OutboxRow(
            bill_id=bill_id,
            kind=kind,
            payload_json=json.dumps(payload, sort_keys=True, separators=(",", ":")),
            idempotency_key=idempotency_key or uuid.uuid4().hex,
            created_at=at,
            sent_at=None,
            attempts=0,
            last_error=None,
        )
        self._session.add(row)
        self._session.flush()
        return message_from_row(row)

    def next_batch(self, limit: int = 100) -> list[OutboxMessage]:
        """The oldest waiting messages (unsent, not stopped) in enqueue order, due or not, so
        each bill's stay in order.

        A sender that fails on a message, or finds it not yet due, must skip that bill's later
        messages in the batch.
        """
        rows = self._session.scalars(
            select(OutboxRow)
            .where(OutboxRow.sent_at.is_(None), OutboxRow.stopped_at.is_(None), _FOR_CLINIC)
            .order_by(OutboxRow.id)
            .limit(limit)
        )
        return [message_from_row(row) for row in rows]

    def waiting_emails(self, limit: int = 100) -> list[OutboxMessage]:
        """Email receipts not yet sent nor stopped, oldest first, due or not."""
        rows = self._session.scalars(
            select(OutboxRow)
            .where(
                OutboxRow.sent_at.is_(None),
                OutboxRow.stopped_at.is_(None),
                OutboxRow.kind == EMAIL_RECEIPT_KIND,
            )
            .order_by(OutboxRow.id)
            .limit(limit)
        )
        return [message_from_row(row) for row in rows]

    def remote_ids(self, bill_ids: list[int]) -> dict[int, int | None]:
        """The clinic server's id of each local bill (None: a walk-in it has never seen)."""
        rows = self._session.execute(
            select(BillRow.id, BillRow.remote_id).where(BillRow.id.in_(bill_ids))
        )
        return {row.id: row.remote_id for row in rows}

    def schedule_retry(self, message_id: int, error: str, *, next_try_at: datetime) -> None:
        """Count a failed try, keep its error and when to try again; the message stays queued."""
        self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == message_id)
            .values(
                attempts=OutboxRow.attempts + 1,
                last_error=error[:MAX_ERROR_LENGTH],
                next_try_at=next_try_at,
            )
        )

    def clear_backoff(self) -> None:
        """The server answers again: every waiting message may be tried now."""
        self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.sent_at.is_(None), OutboxRow.next_try_at.is_not(None), _FOR_CLINIC)
            .values(next_try_at=None)
        )

    def stop(self, message_id: int, reason: str, error: str, *, at: datetime) -> None:
        """Stop sending a message for good (a 409 case, a 400 refusal, a bill the server lacks)."""
        self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == message_id)
            .values(
                attempts=OutboxRow.attempts + 1,
                last_error=error[:MAX_ERROR_LENGTH],
                stopped_at=at,
                stop_reason=reason,
            )
        )

    def stopped(self, reason: str, limit: int = 200) -> list[OutboxMessage]:
        """Messages stopped for `reason`, newest first: the cases and the could-not-send list."""
        rows = self._session.scalars(
            select(OutboxRow)
            .where(OutboxRow.stop_reason == reason)
            .order_by(OutboxRow.id.desc())
            .limit(limit)
        )
        return [message_from_row(row) for row in rows]

    def oldest_waiting_at(self) -> datetime | None:
        return self._session.scalar(
            select(func.min(OutboxRow.created_at)).where(
                OutboxRow.sent_at.is_(None), OutboxRow.stopped_at.is_(None), _FOR_CLINIC
            )
        )

    def mark_sent_many(self, message_ids: list[int], *, at: datetime) -> None:
        """The server has these (one statement for a batch of sent messages)."""
        self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_(message_ids))
            .values(sent_at=at, attempts=OutboxRow.attempts + 1, last_error=None)
        )

    def pending_count(self) -> int:
        """Changes still to send to the clinic server (unsent and not stopped)."""
        count = self._session.scalar(
            select(func.count())
            .select_from(OutboxRow)
            .where(OutboxRow.sent_at.is_(None), OutboxRow.stopped_at.is_(None), _FOR_CLINIC)
        )
        return int(count or 0)

    def get(self, message_id: int) -> OutboxMessage | None:
        row = self._session.get(OutboxRow, message_id)
        return None if row is None else message_from_row(row)


def message_from_row(row: OutboxRow) -> OutboxMessage:
    return OutboxMessage(
        id=row.id,
        bill_id=row.bill_id,
        kind=row.kind,
        payload=json.loads(row.payload_json),
        idempotency_key=row.idempotency_key,
        created_at=row.created_at,
        sent_at=row.sent_at,
        attempts=row.attempts,
        last_error=row.last_error,
        next_try_at=row.next_try_at,
        stopped_at=row.stopped_at,
        stop_reason=row.stop_reason,
    )
