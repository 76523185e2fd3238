"""The audit trail as the owner sees it: checked end to end, or listed.

``check`` walks the hash chain (storage.repositories.audit) and, when it is broken, names the
first broken entry (number, time, actor, action) and what happened to it, in plain words:
edited, missing, inserted or out of order. ``pos-app audit verify`` and the window's "Check the
audit trail" both show its ``summary``.

Threading contract: ``check`` and ``entries`` block (one read transaction over the whole log):
call them from a worker or a command.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pos_app.domain.clinic_time import wall_clock, zone_named
from pos_app.services.access import Audit
from pos_app.storage import Database
from pos_app.storage.repositories.audit import AuditEntry
from pos_app.storage.repositories.audit_breaks import BreakKind, ChainBreak, first_break

__all__ = ["AuditTrail", "TrailCheck"]


@dataclass(frozen=True, slots=True)
class TrailCheck:
    entries: int  # how many entries the log holds
    last: AuditEntry | None
    broken: ChainBreak | None  # the first break; None when the chain is intact
    time_zone: str = "Asia/Manila"

    @property
    def ok(self) -> bool:
        return self.broken is None

    @property
    def summary(self) -> str:
        """One line: intact with its size and last entry, or the first broken entry and why."""
        if self.broken is None:
            if self.last is None:
                return "The audit trail is intact: it has no entries yet."
            return (
                f"The audit trail is intact: {self.entries} entries, the last one "
                f"{describe(self.last, self.time_zone)}."
            )
        entry = self.broken.entry
        where = "The audit trail is broken"
        if entry is not None:
            where += f" at {describe(entry, self.time_zone)}"
        return f"{where}: {_what_happened(self.broken)}"


def describe(entry: AuditEntry, time_zone: str) -> str:
    """``entry 12 (2026-12-07 09:14, ana, refund)``."""
    when = wall_clock(entry.occurred_at, zone_named(time_zone))
    return f"entry {entry.seq} ({when}, {entry.actor}, {entry.action})"


def in_words(entry: AuditEntry) -> str | None:
    """What the entry says in plain words, for the actions that need saying; else None.

    Who was at the counter when: signing in is plain from its action word, leaving it is not."""
    who = entry.actor
    match entry.action:
        case Audit.COUNTER_LOCKED:
            return f"{who} locked the counter"
        case Audit.IDLE_LOCKED:
            minutes = entry.details.get("idle_minutes")
            after = f" after {minutes} minutes unused" if minutes is not None else ""
            return f"the counter locked itself{after}; {who} was signed in"
        case Audit.SIGNED_OUT:
            return f"{who} signed out for someone else to sign in"
    return None


def _what_happened(broken: ChainBreak) -> str:
    match broken.kind:
        case BreakKind.EDITED:
            return "this entry was edited after it was written."
        case BreakKind.INSERTED:
            return "this entry was inserted by hand; Kaha did not write it there."
        case BreakKind.OUT_OF_ORDER:
            return (
                f"this entry was written as entry {broken.genuine_seq}: "
                "entries were moved out of order."
            )
        case BreakKind.MISSING:
            gone = (
                f"entry {broken.missing_from} is"
                if broken.missing_from == broken.missing_to
                else f"entries {broken.missing_from} to {broken.missing_to} are"
            )
            place = "after" if broken.missing_after else "before"
            return f"{gone} missing {place} it (deleted)."


class AuditTrail:
    """Checks and lists the audit log of the counter's database."""

    def __init__(self, database: Database, *, time_zone: str = "Asia/Manila") -> None:
        self._database = database
        self._time_zone = time_zone

    def check(self) -> TrailCheck:
        with self._database.unit_of_work(read_only=True) as uow:
            broken = first_break(uow.session)
            count, last = uow.audit.count_and_last()
        return TrailCheck(entries=count, last=last, broken=broken, time_zone=self._time_zone)

    def entries(self, since: datetime | None = None, limit: int = 500) -> list[AuditEntry]:
        """The entries from ``since`` on (all when None), oldest first, at most ``limit``."""
        with self._database.unit_of_work(read_only=True) as uow:
            return uow.audit.entries(since=since, limit=limit)

    def describe(self, entry: AuditEntry) -> str:
        return describe(entry, self._time_zone)

    def line(self, entry: AuditEntry) -> str:
        """One entry as ``pos-app audit list`` prints it: number, time, who, action, subject,
        approver, and what it means in plain words where the action word is not enough."""
        approver = f" approved by {entry.approver}" if entry.approver else ""
        words = in_words(entry)
        meaning = f": {words}" if words else ""
        return f"{describe(entry, self._time_zone)} {entry.subject}{approver}{meaning}"
