"""``pos-app audit verify``: check the audit trail's hash chain; ``pos-app audit list``: show it.

``verify`` exits 0 with a one-line summary when the chain is intact, and 1 naming the first
broken entry (number, time, who, what) and what happened to it (edited, missing, inserted, out
of order) when someone changed the log straight in the database. It reads the database the
counter's settings point at (SQLite file or PostgreSQL), so an owner or an auditor can run it on
any counter without the window.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date

from pos_app.domain.clinic_time import start_of_day, zone_named

HELP = "check the audit trail for tampering (audit verify), or list it (audit list)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pos-app audit", description=HELP)
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="verify|list")
    verbs.add_parser("verify", help="check that no entry was edited, deleted, added or moved")
    listing = verbs.add_parser("list", help="the entries, oldest first")
    listing.add_argument(
        "--since", type=date.fromisoformat, metavar="YYYY-MM-DD", help="from this day on"
    )
    listing.add_argument("--limit", type=int, default=500, help="at most this many (500)")
    return parser


def run(argv: Sequence[str]) -> int:
    args = _parser().parse_args(list(argv))
    from pos_app.commands._books import open_books
    from pos_app.services.audit_trail import AuditTrail

    opened = open_books()
    if opened is None:
        return 2
    settings, database = opened
    try:
        trail = AuditTrail(database, time_zone=settings.clinic_time_zone)
        if args.verb == "list":
            since = None
            if args.since is not None:
                since = start_of_day(args.since, zone_named(settings.clinic_time_zone))
            for entry in trail.entries(since=since, limit=args.limit):
                print(trail.line(entry))
            return 0
        check = trail.check()
        print(check.summary, file=sys.stdout if check.ok else sys.stderr)
        return 0 if check.ok else 1
    finally:
        database.dispose()
