"""Handing the open payments of a counter that is gone for good to this one, on staff's word.

Several counters may share one PostgreSQL database; each polls, recovers and settles only its
own attempts, so an open QR of a counter that will never start again (broken, retired) would
stay open forever. Staff hand those attempts over explicitly (``pos-app takeover TERMINAL``);
the hand-over is one transaction with its audit entry. From then on this counter's recovery
drives them on and settles them with its own invoice series.

Only staff, managers and the owner may do it: the service asks ``AccessService.require`` itself
(not just the command), and the audit entry names the signed-in person.

Threading contract: blocking (one database transaction); call it from a command or a worker.
"""

from __future__ import annotations

from datetime import datetime

from pos_app.domain.attempt import PaymentAttempt
from pos_app.domain.errors import UserFacingError
from pos_app.domain.roles import Permission
from pos_app.services.access import AccessService
from pos_app.storage import Database

TAKEOVER_ACTION = "attempts_taken_over"


def open_attempts_of(database: Database, terminal_id: str) -> list[PaymentAttempt]:
    with database.unit_of_work(read_only=True) as uow:
        return uow.attempts.list_open(terminal_id=terminal_id)


def take_over_counter(
    database: Database,
    *,
    access: AccessService,
    gone_terminal: str,
    this_terminal: str,
    at: datetime,
) -> list[PaymentAttempt]:
    """Give every open attempt of ``gone_terminal`` to ``this_terminal``, audited; returns them.
    The person signed in at ``access`` must be allowed to (PermissionDenied otherwise)."""
    approval = access.require_approved(Permission.TAKE_OVER_COUNTER)
    person = approval.actor
    if gone_terminal == this_terminal:
        raise UserFacingError(
            f"Counter {this_terminal} is this counter: its open payments are already its own."
        )
    with database.unit_of_work() as uow:
        taken = uow.attempts.take_over(gone_terminal, this_terminal)
        uow.audit.append(
            at=at,
            actor=person.name,
            action=TAKEOVER_ACTION,
            subject=f"terminal:{gone_terminal}",
            approver=approval.approver_name,
            details={
                "to_terminal": this_terminal,
                "attempts": [attempt.id for attempt in taken],
                "bills": sorted({attempt.bill_id for attempt in taken}),
                "role": person.role.value,
            },
        )
        uow.commit()
    return taken
