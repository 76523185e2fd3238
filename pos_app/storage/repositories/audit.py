"""The tamper-evident audit log: a hash chain over every entry.

Each entry's ``hash`` is SHA-256 over its sequence number, its content and the previous
entry's hash (``prev_hash``), so editing, deleting, inserting or reordering rows directly in
the database breaks the chain at that point. A single head row records the last sequence
number and hash; it is locked while appending (serialising counters on PostgreSQL) and lets
the check (``audit_breaks.first_break``) notice entries cut off the end.

The chain detects tampering; it cannot stop someone who rewrites every later row and the
head with recomputed hashes. Keeping a copy of the head elsewhere (a Z-reading print-out,
the clinic server) closes that gap.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pos_app.storage.models import AuditHeadRow, AuditRow

GENESIS_HASH: Final = "0" * 64
_HEAD_ID: Final = 1


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    occurred_at: datetime
    actor: str  # who did it (staff username)
    action: str  # e.g. "refund", "void", "login_failed", "settings_changed", "patient_lookup"
    subject: str  # what it was done to, e.g. "bill:812"
    approver: str | None
    details: Mapping[str, Any] = field(default_factory=dict)
    prev_hash: str = GENESIS_HASH
    hash: str = ""


def entry_hash(
    *,
    seq: int,
    occurred_at: datetime,
    actor: str,
    action: str,
    subject: str,
    approver: str | None,
    details_json: str,
    prev_hash: str,
) -> str:
    content = json.dumps(
        [seq, occurred_at.isoformat(), actor, action, subject, approver, details_json, prev_hash],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


class AuditRepository:
    """Runs on the caller's session; never commits. Append in the transaction of the act."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def append(
        self,
        *,
        at: datetime,
        actor: str,
        action: str,
        subject: str,
        approver: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        head = self._locked_head()
        row = AuditRow(
            seq=head.last_seq + 1,
            # Stored as UTC and read back as UTC: hash the value verification will see.
            occurred_at=at.astimezone(UTC),
            actor=actor,
            action=action,
            subject=subject,
            approver=approver,
            details_json=json.dumps(details or {}, sort_keys=True, separators=(",", ":")),
            prev_hash=head.last_hash,
        )
        row.hash = row_hash(row)
        head.last_seq, head.last_hash = row.seq, row.hash
        self._session.add(row)
        self._session.flush()
        return entry_from_row(row)

    def entries(
        self, *, after_seq: int = 0, limit: int = 500, since: datetime | None = None
    ) -> list[AuditEntry]:
        query = select(AuditRow).where(AuditRow.seq > after_seq)
        if since is not None:
            query = query.where(AuditRow.occurred_at >= since.astimezone(UTC))
        rows = self._session.scalars(query.order_by(AuditRow.seq).limit(limit))
        return [entry_from_row(row) for row in rows]

    def count_and_last(self) -> tuple[int, AuditEntry | None]:
        """How many entries the log holds, and the newest one."""
        count = self._session.scalar(select(func.count()).select_from(AuditRow)) or 0
        last = self._session.scalars(select(AuditRow).order_by(AuditRow.seq.desc())).first()
        return count, None if last is None else entry_from_row(last)

    def details_of(
        self,
        action: str,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        subject: str | None = None,
    ) -> list[tuple[datetime, dict[str, Any]]]:
        """(time, details) of the ``action`` entries in [since, until) on ``subject``, in order."""
        query = select(AuditRow).where(AuditRow.action == action)
        if since is not None:
            query = query.where(AuditRow.occurred_at >= since.astimezone(UTC))
        if until is not None:
            query = query.where(AuditRow.occurred_at < until.astimezone(UTC))
        if subject is not None:
            query = query.where(AuditRow.subject == subject)
        rows = self._session.scalars(query.order_by(AuditRow.seq))
        return [(row.occurred_at, dict(json.loads(row.details_json))) for row in rows]

    def _locked_head(self) -> AuditHeadRow:
        query = (
            select(AuditHeadRow)
            .where(AuditHeadRow.id == _HEAD_ID)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        head = self._session.scalars(query).first()
        if head is not None:
            return head
        try:
            with self._session.begin_nested():
                self._session.add(AuditHeadRow(id=_HEAD_ID, last_seq=0, last_hash=GENESIS_HASH))
        except IntegrityError:
            pass  # another counter created it first; lock theirs
        return self._session.scalars(query).one()


def row_hash(row: AuditRow, seq: int | None = None) -> str:
    """The hash ``row`` would carry if it had been written as entry ``seq`` (default: its own)."""
    return entry_hash(
        seq=row.seq if seq is None else seq,
        occurred_at=row.occurred_at,
        actor=row.actor,
        action=row.action,
        subject=row.subject,
        approver=row.approver,
        details_json=row.details_json,
        prev_hash=row.prev_hash,
    )


def entry_from_row(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        seq=row.seq,
        occurred_at=row.occurred_at,
        actor=row.actor,
        action=row.action,
        subject=row.subject,
        approver=row.approver,
        details=json.loads(row.details_json),
        prev_hash=row.prev_hash,
        hash=row.hash,
    )
