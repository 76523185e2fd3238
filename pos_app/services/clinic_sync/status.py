"""What the window says about the clinic server: offline since when, what waits, what failed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from pos_app.domain.clinic_time import PHILIPPINE_TIME, wall_clock
from pos_app.storage import UnitOfWork


@dataclass(frozen=True, slots=True)
class ClinicStatus:
    server_url: str
    offline_since: datetime | None  # None: the last try reached the server
    last_error: str | None
    last_pull_at: datetime | None
    first_sync_done: bool
    bills_from_clinic: int
    waiting: int  # changes not yet sent
    oldest_waiting_at: datetime | None
    cases: int  # 409 answers the receptionist must look at
    could_not_send: int
    held: int  # clinic changes held back from bills with a payment open
    zone: tzinfo = PHILIPPINE_TIME  # the clinic's (Settings.clinic_time_zone): times read in it

    @property
    def online(self) -> bool:
        return self.offline_since is None

    def offline_text(self) -> str | None:
        """ "Clinic server offline since 10:02 — 3 changes waiting", or None while online."""
        if self.offline_since is None:
            return None
        since = self.clock_time(self.offline_since)
        waiting = f"{self.waiting} change{'s' if self.waiting != 1 else ''} waiting"
        return f"Clinic server offline since {since} — {waiting}"

    def clock_time(self, moment: datetime) -> str:
        """10:02 on the clinic's clock (not the computer's own time zone)."""
        return wall_clock(moment, self.zone, "%H:%M")


def read_status(uow: UnitOfWork, server_url: str, zone: tzinfo) -> ClinicStatus:
    state = uow.clinic_sync.state()
    return ClinicStatus(
        server_url=server_url,
        offline_since=state.offline_since,
        last_error=state.last_error,
        last_pull_at=state.last_pull_at,
        first_sync_done=state.first_sync_done_at is not None,
        bills_from_clinic=uow.clinic_sync.remote_count(),
        waiting=uow.outbox.pending_count(),
        oldest_waiting_at=uow.outbox.oldest_waiting_at(),
        cases=len(uow.outbox.stopped("conflict")),
        could_not_send=len(uow.outbox.stopped("refused")),
        held=len(uow.clinic_sync.all_held()),
        zone=zone,
    )
