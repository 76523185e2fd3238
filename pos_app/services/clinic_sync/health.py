"""What the health panel shows: both servers, the outbox, open payments, the webhook receiver.

Threading contract: blocking (database reads); call on a worker thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pos_app.domain.clock import Clock
from pos_app.services.clinic_sync.job import ClinicSync
from pos_app.services.clinic_sync.status import ClinicStatus
from pos_app.services.webhook_status import WebhookHealth
from pos_app.storage import Database


@dataclass(frozen=True, slots=True)
class Health:
    paymongo: str  # how the payment service was reached at start-up
    clinic: ClinicStatus | None  # None: no clinic server set up
    open_payments: int
    past_expiry: int  # open payments whose QR or link should have lapsed by now
    webhook: str


def read_health(
    database: Database,
    clock: Clock,
    *,
    terminal_id: str,
    paymongo: str,
    clinic: ClinicSync | None,
    webhook_url: str | None,
    webhook_status: Callable[[], WebhookHealth] | None = None,
) -> Health:
    """Blocking (the database worker): what the health panel shows, for counter ``terminal_id``."""
    now = clock.now()
    with database.unit_of_work(read_only=True) as uow:
        open_attempts = uow.attempts.list_open(terminal_id=terminal_id)
    past = [a for a in open_attempts if a.is_past_expiry(now)]
    webhook = f"listening at {webhook_url}" if webhook_url else "off (payments are polled)"
    if webhook_url and webhook_status is not None:  # and what PayMongo says of it
        webhook += f"; {webhook_status().summary}"
    return Health(
        paymongo=paymongo,
        clinic=None if clinic is None else clinic.status(),
        open_payments=len(open_attempts),
        past_expiry=len(past),
        webhook=webhook,
    )
