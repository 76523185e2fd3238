"""What the health panel shows: both servers, the outbox, open payments, the webhook receiver.

Threading contract: blocking (database reads); call on a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pos_app.services.clinic_sync.job import ClinicSync
from pos_app.services.clinic_sync.status import ClinicStatus
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
    now: datetime,
    *,
    paymongo: str,
    clinic: ClinicSync | None,
    webhook_url: str | None,
) -> Health:
    with database.unit_of_work(read_only=True) as uow:
        open_attempts = uow.attempts.list_open()
    past = [a for a in open_attempts if a.expires_at is not None and a.expires_at <= now]
    webhook = f"listening at {webhook_url}" if webhook_url else "off (payments are polled)"
    return Health(
        paymongo=paymongo,
        clinic=None if clinic is None else clinic.status(),
        open_payments=len(open_attempts),
        past_expiry=len(past),
        webhook=webhook,
    )
