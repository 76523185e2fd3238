"""``pos-app reconcile [--since DATE]``: match PayMongo's payments with this counter's, print what
was matched, raised and flagged (the same run the window makes every few minutes)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date, datetime, time

from pos_app.domain.errors import PosError

HELP = "reconcile PayMongo's payments with this counter's; print what was matched and raised"


def parse_since(text: str) -> datetime:
    """``YYYY-MM-DD`` (local midnight) or an ISO date-time (local time unless it says)."""
    try:
        if len(text) == len("2026-12-07"):
            return datetime.combine(date.fromisoformat(text), time()).astimezone()
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-12-07") from exc
    return moment if moment.tzinfo else moment.astimezone()


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
            collect = CollectService(
                counter.database,
                counter.paymongo,
                SystemClock(),
                CounterIdentity(
                    terminal_id=settings.terminal_id,
                    invoice_prefix=settings.invoice_prefix,
                    clinic_name=settings.clinic_name,
                ),
            )
            try:
                service = ReconcileService(
                    counter.database, counter.paymongo, collect, SystemClock(), settings.terminal_id
                )
                result = service.run(since=args.since)
            finally:
                collect.close()
    except PosError as exc:
        print(exc.user_message, file=sys.stderr)
        return 2
    print("\n".join(result.lines()))
    return 1 if result.new_cases or result.new_flags else 0
