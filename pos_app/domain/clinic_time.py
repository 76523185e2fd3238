"""The clinic's wall clock: which zone a moment is read in, where a clinic day begins, and how a
time is written for people.

Moments are kept as aware UTC everywhere (``clock.Clock``); people see them in the clinic's zone
(``Settings.clinic_time_zone``), never in the zone of the computer the app happens to run on, so
the screen, the reports and the printouts agree. The zone is handed down from the settings by
whoever builds a service or a view; nothing here holds one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "PHILIPPINE_TIME",
    "day_of",
    "start_of_day",
    "wall_clock",
    "zone_named",
]

# The Philippines keeps one offset all year: Asia/Manila, also where no time zone data is
# installed (Windows without the tzdata package).
PHILIPPINE_TIME = timezone(timedelta(hours=8), "PHT")


def zone_named(name: str) -> tzinfo:
    """The IANA zone ``name``; Philippine time where this computer has no data for it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return PHILIPPINE_TIME


def wall_clock(moment: datetime, zone: tzinfo, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """``moment`` as the clinic's clock shows it. A naive moment is taken as UTC (how the domain
    keeps time) rather than guessed at."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone).strftime(pattern)


def day_of(moment: datetime, zone: tzinfo) -> date:
    """The clinic's date at ``moment`` (a moment just after midnight in Manila is still the
    previous day in UTC)."""
    return moment.astimezone(zone).date()


def start_of_day(day: date, zone: tzinfo) -> datetime:
    """Midnight at the clinic on ``day``, as an aware UTC moment."""
    return datetime.combine(day, time.min, zone).astimezone(UTC)
