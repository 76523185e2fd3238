"""``pos-app report x`` and ``pos-app report z``: the shift's X-reading and the day's Z-reading
from the command line, by a signed-in person (``--as NAME``, PIN asked like ``takeover``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pos_app.domain.errors import PosError

if TYPE_CHECKING:
    from pos_app.config import Settings
    from pos_app.services.readings import ReadingService
    from pos_app.storage import Database


def add_verbs(
    verbs: argparse._SubParsersAction[argparse.ArgumentParser], day: Callable[[str], date]
) -> None:
    """The ``x`` and ``z`` verbs on ``pos-app report``'s parser (``day`` parses --date)."""
    x = verbs.add_parser("x", help="the open shift's X-reading, printed (resets nothing)")
    x.add_argument("--as", dest="person", required=True, metavar="NAME", help="who reads it")
    z = verbs.add_parser(
        "z",
        help="close the day: the Z-reading, stored, printed, once per counter per day",
        description=(
            "Takes the day's Z-reading once (a second is refused); with --again, prints the "
            "stored one again, marked REPRINT."
        ),
    )
    z.add_argument("--as", dest="person", required=True, metavar="NAME", help="who closes it")
    z.add_argument("--date", type=day, help="the day, YYYY-MM-DD (today in the clinic)")
    z.add_argument("--again", action="store_true", help="print the day's stored Z-reading again")
    z.add_argument("--check", action="store_true", help="check it against the records, no print")
    z.add_argument("--csv", type=Path, metavar="FILE", help="also write it as CSV to FILE")
    z.add_argument("--pdf", type=Path, metavar="FILE", help="also write it as PDF to FILE")


def run_reading(args: argparse.Namespace) -> int:
    from pos_app.commands._books import open_books

    opened = open_books()
    if opened is None:
        return 1
    settings, database = opened
    try:
        service = _service(settings, database, args.person)
        if args.verb == "x":
            return _x(service)
        return _z(service, args)
    except PosError as exc:
        print(exc.user_message, file=sys.stderr)
        return 1
    finally:
        database.dispose()


def _service(settings: Settings, database: Database, person: str) -> ReadingService:
    from pos_app.commands._pin import read_pin
    from pos_app.domain.clock import SystemClock
    from pos_app.domain.discount import VatStatus
    from pos_app.services.access import AccessService
    from pos_app.services.readings import ReadingService
    from pos_app.services.receipts import ReceiptService

    access = AccessService(database, SystemClock())
    access.sign_in(person, read_pin(f"PIN for {person}: "))
    return ReadingService(
        database,
        access,
        ReceiptService(settings, database=database, cashier=person),
        terminal_id=settings.terminal_id,
        vat_status=VatStatus(settings.vat_registration.value),
        time_zone=settings.clinic_time_zone,
        after_z_reading=_backup_after_z(settings, database),
    )


def _x(service: ReadingService) -> int:
    from pos_app.printing import COLUMNS_80MM, render_text

    reading = service.x_reading()
    print(render_text(service.x_document(reading), COLUMNS_80MM))
    print(service.print_x(reading))
    return 0


def _z(service: ReadingService, args: argparse.Namespace) -> int:
    from pos_app.printing import COLUMNS_80MM, render_text, save_pdf
    from pos_app.services.readings import z_reading_csv

    day = args.date or service.today()
    if args.check:
        stored = service.stored_z(day)
        if service.recompute_z(day) != stored:
            print(f"The Z-reading of {day} does NOT match the records any more.", file=sys.stderr)
            return 3
        print(f"The Z-reading of {day} (Z No. {stored.z_counter}) matches the records.")
        return 0
    reading = service.stored_z(day) if args.again else service.take_z(day)
    document = service.z_document(reading)
    print(render_text(document, COLUMNS_80MM))
    if args.csv is not None:
        args.csv.write_text(z_reading_csv(reading), encoding="utf-8")
        print(f"CSV written: {args.csv}")
    if args.pdf is not None:
        print(f"PDF written: {save_pdf(document, args.pdf)}")
    print(service.print_z(day))
    return 0


def _backup_after_z(settings: Settings, database: Database) -> Callable[[], Path] | None:
    """The backup a Z-reading makes (SQLite); a shared PostgreSQL database has its own."""
    from pos_app.app import backup_policy

    policy = backup_policy(settings, database)
    if policy is None:
        return None
    return lambda: policy.after_z_reading(datetime.now(UTC)).path
