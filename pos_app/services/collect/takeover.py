"""Handing the open payments of a counter that is gone for good to this one, on staff's word.

Several counters may share one PostgreSQL database; each polls, recovers and settles only its
own attempts, so an open QR of a counter that will never start again (broken, retired) would
stay open forever. Staff hand those attempts over explicitly (``pos-app takeover TERMINAL``);
the hand-over is one transaction with its audit entry. From then on this counter's recovery
drives them on and settles them with its own invoice series.

Staff sign-in does not exist yet, so the actor recorded is the operating system's user who ran
the command, marked as such (``os-user:NAME``).

Threading contract: blocking (one database transaction); call it from a command or a worker.
"""

from __future__ import annotations

import getpass
from datetime import datetime

from pos_app.domain.attempt import PaymentAttempt
from pos_app.domain.errors import UserFacingError
from pos_app.storage import Database

TAKEOVER_ACTION = "attempts_taken_over"


def os_user_actor() -> str:
    """Who ran this, until staff sign in: the operating system's user name."""
    try:
        return f"os-user:{getpass.getuser()}"
    except (KeyError, OSError):
        return "os-user:unknown"


def open_attempts_of(database: Database, terminal_id: str) -> list[PaymentAttempt]:
    with database.unit_of_work(read_only=True) as uow:
        return uow.attempts.list_open(terminal_id=terminal_id)


def take_over_counter(
    database: Database, *, gone_terminal: str, this_terminal: str, actor: str, at: datetime
) -> list[PaymentAttempt]:
    """Give every open attempt of ``gone_terminal`` to ``this_terminal``, audited; returns them."""
    if gone_terminal == this_terminal:
        raise UserFacingError(
            f"Counter {this_terminal} is this counter: its open payments are already its own."
        )
    with database.unit_of_work() as uow:
        taken = uow.attempts.take_over(gone_terminal, this_terminal)
        uow.audit.append(
            at=at,
            actor=actor,
            action=TAKEOVER_ACTION,
            subject=f"terminal:{gone_terminal}",
            details={
                "to_terminal": this_terminal,
                "attempts": [attempt.id for attempt in taken],
                "bills": sorted({attempt.bill_id for attempt in taken}),
                "actor_kind": "operating system user (staff sign-in does not exist yet)",
            },
        )
        uow.commit()
    return taken
