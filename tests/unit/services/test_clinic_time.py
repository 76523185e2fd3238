"""The counter reads every time on the clinic's clock (Settings.clinic_time_zone), never the
computer's own zone. The moments are chosen so UTC and Manila disagree on the hour and the date:
2026-12-07 23:30 UTC is 07:30 on 2026-12-08 in Manila."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from pos_app.commands.reconcile import parse_since, since_moment
from pos_app.domain.clinic_time import (
    PHILIPPINE_TIME,
    day_of,
    start_of_day,
    wall_clock,
    zone_named,
)
from pos_app.services.clinic_sync.status import ClinicStatus
from pos_app.services.reconcile.results import ReconcileResult
from pos_app.services.webhook_status import WebhookHealth, WebhookState

MANILA = zone_named("Asia/Manila")
LATE_UTC = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)  # 07:30 on 12-08 at the clinic


def _status(**changes: object) -> ClinicStatus:
    values: dict[str, object] = {
        "server_url": "http://clinic.test",
        "offline_since": LATE_UTC,
        "last_error": "no answer",
        "last_pull_at": LATE_UTC - timedelta(minutes=5),
        "first_sync_done": True,
        "bills_from_clinic": 3,
        "waiting": 1,
        "oldest_waiting_at": LATE_UTC,
        "cases": 0,
        "could_not_send": 0,
        "held": 0,
        "zone": MANILA,
    }
    values.update(changes)
    return ClinicStatus(**values)  # type: ignore[arg-type]


def test_the_offline_indicator_says_the_hour_on_the_clinics_clock() -> None:
    status = _status()
    assert status.offline_text() == "Clinic server offline since 07:30 — 1 change waiting"
    assert status.clock_time(LATE_UTC - timedelta(minutes=5)) == "07:25"  # the health panel's


def test_the_clinic_day_begins_at_midnight_in_manila() -> None:
    assert day_of(LATE_UTC, MANILA) == date(2026, 12, 8)
    assert start_of_day(date(2026, 12, 8), MANILA) == datetime(2026, 12, 7, 16, 0, tzinfo=UTC)
    assert wall_clock(LATE_UTC, MANILA) == "2026-12-08 07:30"
    assert wall_clock(LATE_UTC.replace(tzinfo=None), MANILA, "%H:%M") == "07:30"  # naive: UTC


def test_a_zone_this_computer_has_no_data_for_falls_back_to_philippine_time() -> None:
    assert zone_named("Nowhere/Atlantis") is PHILIPPINE_TIME
    assert zone_named("Asia/Manila").utcoffset(LATE_UTC) == timedelta(hours=8)


@pytest.mark.parametrize(
    ("given", "moment"),
    [
        ("2026-12-08", datetime(2026, 12, 7, 16, 0, tzinfo=UTC)),  # midnight at the clinic
        ("2026-12-08T07:30", LATE_UTC),  # the clinic's clock
        ("2026-12-08T07:30+00:00", datetime(2026, 12, 8, 7, 30, tzinfo=UTC)),  # as it says
    ],
)
def test_pos_app_reconcile_reads_since_on_the_clinics_clock(given: str, moment: datetime) -> None:
    assert since_moment(parse_since(given), MANILA) == moment


def test_the_webhook_line_says_when_it_checked_on_the_clinics_clock() -> None:
    health = WebhookHealth(WebhookState.ENABLED, checked_at=LATE_UTC, zone=MANILA)
    assert health.summary == "Payment news: on (07:30)"


def test_a_reconciliation_reports_how_far_back_it_read_on_the_clinics_clock() -> None:
    result = ReconcileResult(
        started_at=LATE_UTC,
        finished_at=LATE_UTC + timedelta(seconds=2),
        since=LATE_UTC - timedelta(days=1),
        payments_listed=0,
        refunds_listed=0,
        requests=1,
        outcomes=Counter(),
        already_known=0,
        new_cases=(),
        new_flags=(),
    )
    assert result.lines(MANILA)[1].startswith("since 2026-12-07 07:30, 0 payments")
