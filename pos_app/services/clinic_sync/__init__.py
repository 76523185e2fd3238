"""Bills in step with the clinic server: pull, held changes, the outbox sender, status."""

from pos_app.services.clinic_sync.job import ClinicSync, SyncReport
from pos_app.services.clinic_sync.pull import PullProgress, PullResult
from pos_app.services.clinic_sync.sender import OutboxSender, SendResult
from pos_app.services.clinic_sync.status import ClinicStatus
from pos_app.storage.repositories.clinic_sync import HeldChange

__all__ = [
    "ClinicStatus",
    "ClinicSync",
    "HeldChange",
    "OutboxSender",
    "PullProgress",
    "PullResult",
    "SendResult",
    "SyncReport",
]
