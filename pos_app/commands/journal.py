"""``pos-app journal export --as NAME [--date YYYY-MM-DD] [--text FILE | --pdf FILE]``: one day
of this terminal's e-journal (a copy of every printout, in order) as text or PDF.

Reading the e-journal is a report: ``--as NAME`` signs in staff, a manager or the owner with
their PIN (asked at the terminal, or one line of standard input). Without ``--text`` or
``--pdf`` the day's text goes to standard output. Read-only.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from pos_app.commands._books import day
from pos_app.domain.errors import PosError

HELP = "export a day of the e-journal (every printout): journal export --as NAME --date YYYY-MM-DD"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pos-app journal", description=HELP)
    verbs = parser.add_subparsers(dest="verb", required=True)
    export = verbs.add_parser("export", help="one day of the e-journal as text or PDF")
    export.add_argument("--date", type=day, help="the day, YYYY-MM-DD (today in the clinic)")
    export.add_argument(
        "--as", dest="person", required=True, metavar="NAME", help="who asks (staff or owner)"
    )
    target = export.add_mutually_exclusive_group()
    target.add_argument("--text", metavar="FILE", type=Path, help="write a UTF-8 text file")
    target.add_argument("--pdf", metavar="FILE", type=Path, help="write an A4 PDF")
    return parser


def run(argv: Sequence[str]) -> int:
    args = _parser().parse_args(list(argv))
    from pos_app.commands._books import open_books
    from pos_app.commands._pin import read_pin
    from pos_app.domain.clock import SystemClock
    from pos_app.services.access import AccessService
    from pos_app.services.journal import JournalService

    opened = open_books()
    if opened is None:
        return 1
    settings, database = opened
    try:
        access = AccessService(database, SystemClock())
        access.sign_in(args.person, read_pin(f"PIN for {args.person}: "))
        journal = JournalService(
            database,
            access,
            terminal_id=settings.terminal_id,
            time_zone=settings.clinic_time_zone,
        )
        day = args.date or journal.today(datetime.now(UTC))
        if args.pdf is not None:
            written = journal.export_pdf(day, args.pdf)
        elif args.text is not None:
            written = journal.export_text(day, args.text)
        else:
            sys.stdout.write(journal.day(day).text())
            return 0
    except PosError as exc:
        print(exc.user_message, file=sys.stderr)
        return 1
    finally:
        database.dispose()
    print(f"E-journal of {day.isoformat()}, terminal {settings.terminal_id}: {written}")
    return 0
