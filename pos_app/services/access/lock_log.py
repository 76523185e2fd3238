"""Who was at the counter when: the audit rows for locking it (by hand, after idle time) and
for a person signing out so someone else can sign in.

Locking has to be quick and safe from any thread (the window's idle timer and Ctrl+L on the GUI
thread, ``require`` on a worker), so the lock itself only notes what happened, with its time;
``LockLog.write`` appends the notes to the audit trail in one transaction, on the database
worker. A note that could not be written is kept for the next write.

Threading contract: ``note`` is quick and safe from any thread; ``write`` blocks (one database
transaction): call it from the database worker or a command.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from pos_app.domain.people import Person
from pos_app.storage import Database

# the audit actions written here (one word each, as the others in access.service.Audit)
COUNTER_LOCKED: Final = "counter_locked"  # someone locked the counter by hand (Ctrl+L)
IDLE_LOCKED: Final = "idle_locked"  # the counter locked itself after the idle time
SIGNED_OUT: Final = "signed_out"  # the person left so someone else could sign in


@dataclass(frozen=True, slots=True)
class LockNote:
    """One lock not yet in the audit trail: when, who was signed in, and how."""

    at: datetime
    person: Person
    action: str
    details: Mapping[str, object] = field(default_factory=dict)


def idle_note(at: datetime, person: Person, idle_after: timedelta, last_used: datetime) -> LockNote:
    minutes = idle_after / timedelta(minutes=1)
    return LockNote(
        at,
        person,
        IDLE_LOCKED,
        {
            "idle_minutes": int(minutes) if minutes.is_integer() else round(minutes, 2),
            "last_used": last_used.isoformat(),
        },
    )


class LockLog:
    """The lock notes waiting for the database worker."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._notes: list[LockNote] = []

    def note(self, note: LockNote) -> None:
        with self._lock:
            self._notes.append(note)

    def write(self, database: Database) -> int:
        """Append the waiting notes to the audit trail, oldest first; how many were written."""
        with self._lock:
            notes, self._notes = self._notes, []
        if not notes:
            return 0
        try:
            with database.unit_of_work() as uow:
                for note in notes:
                    uow.audit.append(
                        at=note.at,
                        actor=note.person.name,
                        action=note.action,
                        subject=f"person:{note.person.id}",
                        details=dict(note.details),
                    )
                uow.commit()
        except BaseException:
            with self._lock:  # kept for the next write, still oldest first
                self._notes[:0] = notes
            raise
        return len(notes)
