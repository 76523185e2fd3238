"""``pos-app takeover TERMINAL``: this counter takes the open payments of a counter gone for good.

Lists them first; acts only when confirmed (typing ``yes``, or ``--yes``). Only staff, a manager
or the owner may do it: ``--as NAME`` signs them in with their PIN (asked at the terminal, or one
line of standard input), and the audit names them. The counter picks the payments up at its next
start (its recovery), so restart Kaha afterwards.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from pos_app.domain.clinic_time import wall_clock, zone_named
from pos_app.domain.errors import PosError

HELP = "take over the open payments of a counter that is gone for good (audited)"


def run(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="pos-app takeover", description=HELP)
    parser.add_argument("terminal", metavar="TERMINAL", help="the terminal id of the gone counter")
    parser.add_argument("--yes", action="store_true", help="do not ask before taking them over")
    parser.add_argument(
        "--as", dest="person", required=True, metavar="NAME", help="who does it (staff or owner)"
    )
    args = parser.parse_args(list(argv))
    from pos_app.commands._books import open_books
    from pos_app.commands._pin import read_pin
    from pos_app.domain.clock import SystemClock
    from pos_app.domain.roles import Permission
    from pos_app.services.access import AccessService
    from pos_app.services.collect.takeover import open_attempts_of, take_over_counter

    opened = open_books()  # sandbox mode: the practice books
    if opened is None:
        return 1
    settings, database = opened
    try:
        access = AccessService(database, SystemClock())
        person = access.sign_in(args.person, read_pin(f"PIN for {args.person}: "))
        access.require(Permission.TAKE_OVER_COUNTER)  # say so now; the service checks again
        waiting = open_attempts_of(database, args.terminal)
        if not waiting:
            print(f"Counter {args.terminal} has no open payments. Nothing to take over.")
            return 0
        zone = zone_named(settings.clinic_time_zone)
        print(f"Open payments of counter {args.terminal}:")
        for attempt in waiting:
            print(
                f"  bill {attempt.bill_id}: {attempt.method.value} {attempt.amount}, "
                f"{attempt.state.value} since {wall_clock(attempt.updated_at, zone)}"
            )
        if not args.yes and not _confirmed(args.terminal, settings.terminal_id):
            print("Nothing was changed.")
            return 1
        taken = take_over_counter(
            database,
            access=access,
            gone_terminal=args.terminal,
            this_terminal=settings.terminal_id,
            at=datetime.now(UTC),
        )
    except PosError as exc:
        print(exc.user_message, file=sys.stderr)
        return 1
    finally:
        database.dispose()
    print(
        f"Counter {settings.terminal_id} took over {len(taken)} open payment(s) of counter "
        f"{args.terminal} (audited, by {person.name}). Restart Kaha on this counter to watch them."
    )
    return 0


def _confirmed(gone: str, this: str) -> bool:
    if not sys.stdin.isatty():
        print("Run it again with --yes to take them over.", file=sys.stderr)
        return False
    answer = input(f"Counter {gone} is gone for good, and counter {this} takes these? Type yes: ")
    return answer.strip().lower() == "yes"
