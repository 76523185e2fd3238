"""``pos-app reconcile [--since DATE]``: match PayMongo's payments with this counter's, print what
was matched, raised and flagged (the same run the window makes every few minutes)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date, datetime, tzinfo

from pos_app.domain.clinic_time import start_of_day, zone_named
from pos_app.domain.errors import PosError

HELP = "reconcile PayMongo's payments with this counter's; print what was matched and raised"


def parse_since(text: str) -> date | datetime:
    """``YYYY-MM-DD`` or an ISO date-time; read on the clinic's clock by ``since_moment``, once
    the settings say which zone that is."""
    try:
        if len(text) == len("2026-12-07"):
            return date.fromisoformat(text)
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-12-07") from exc


def since_moment(given: date | datetime, zone: tzinfo) -> datetime:
    """A date: midnight at the clinic; a date-time: the clinic's clock unless it gives an offset.
    Never the computer's own time zone, which may not be the clinic's."""
    if isinstance(given, datetime):
        return given if given.tzinfo is not None else given.replace(tzinfo=zone)
    return start_of_day(given, zone)


def run(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="pos-app reconcile", description=HELP)
    parser.add_argument(
        "--since",
        type=parse_since,
        help="read PayMongo's payments back to this date (default: since the last run)",
    )
    args = parser.parse_args(list(argv))
    from pos_app.commands._counter import open_counter
    from pos_app.domain.clock import SystemClock
    from pos_app.services.collect import CollectService, CounterIdentity
    from pos_app.services.reconcile.service import ReconcileService

    try:
        with open_counter() as counter:
            settings = counter.settings
            zone = zone_named(settings.clinic_time_zone)
            since = None if args.since is None else since_moment(args.since, zone)
            collect = CollectService(
                counter.database,
                counter.paymongo,
                SystemClock(),
                CounterIdentity(
                    terminal_id=settings.terminal_id,
                    invoice_prefix=settings.invoice_prefix,
                    clinic_name=settings.clinic_name,
                    time_zone=settings.clinic_time_zone,
                ),
            )
            try:
                service = ReconcileService(
                    counter.database,
                    counter.paymongo,
                    collect,
                    SystemClock(),
                    settings.terminal_id,
                    zone=zone,
                )
                result = service.run(since=since)
            finally:
                collect.close()
    except PosError as exc:
        print(exc.user_message, file=sys.stderr)
        return 2
    print("\n".join(result.lines(zone)))
    return 1 if result.new_cases or result.new_flags else 0
