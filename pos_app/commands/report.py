"""``pos-app report books [--date YYYY-MM-DD]``: the day's senior citizen and PWD sales books
(invoice, name on the ID, ID, gross, discount, net), each printed on its own; read-only.

``pos-app report x --as NAME``: the open shift's X-reading. ``pos-app report z --as NAME
[--date YYYY-MM-DD] [--csv FILE] [--pdf FILE] [--again] [--check]``: close the day (once per
counter per day), or print the stored Z-reading again (docs/readings.md)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from pos_app.commands._books import day
from pos_app.domain.clinic_time import zone_named
from pos_app.domain.errors import PosError

if TYPE_CHECKING:
    from pos_app.services.discounts import BookEntry

HELP = (
    "reports: report books [--date D] (senior/PWD sales books), report x (X-reading), "
    "report z [--date D] [--csv FILE] [--pdf FILE] (Z-reading)"
)

_TITLES = (("senior", "SENIOR CITIZEN SALES BOOK"), ("pwd", "PWD SALES BOOK"))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pos-app report", description=HELP)
    verbs = parser.add_subparsers(dest="verb", required=True)
    books = verbs.add_parser("books", help="the senior citizen and PWD sales books of a day")
    books.add_argument("--date", type=day, help="the day, YYYY-MM-DD (today in the clinic)")
    from pos_app.commands._readings import add_verbs

    add_verbs(verbs, day)
    return parser


def _lines(entries: Sequence[BookEntry]) -> list[str]:
    header = (
        f"{'Invoice':<18}{'Name on ID':<26}{'ID':<30}{'Gross':>12}{'Discount':>12}"
        f"{'VAT-exempt':>12}{'Net':>12}"
    )
    lines = [header]
    for e in entries:
        lines.append(
            f"{e.invoice_number or '(unpaid) ' + e.bill_number:<18}{e.name_on_id[:25]:<26}"
            f"{(e.id_type + ' ' + e.id_number)[:29]:<30}{e.gross.to_decimal_str():>12}"
            f"{e.discount.to_decimal_str():>12}{e.vat_exempt.to_decimal_str():>12}"
            f"{e.net.to_decimal_str():>12}"
        )
    if not entries:
        lines.append("(none)")
    return lines


def run(argv: Sequence[str]) -> int:
    args = _parser().parse_args(list(argv))
    if args.verb in ("x", "z"):
        from pos_app.commands._readings import run_reading

        return run_reading(args)
    from pos_app.commands._books import open_books
    from pos_app.domain.discount import DiscountKind, VatStatus
    from pos_app.services.discounts import DiscountService

    opened = open_books()
    if opened is None:
        return 1
    settings, database = opened
    try:
        day = args.date or datetime.now(zone_named(settings.clinic_time_zone)).date()
        service = DiscountService(
            database,
            VatStatus(settings.vat_registration.value),
            time_zone=settings.clinic_time_zone,
        )
        books = service.books(day)
    except PosError as exc:
        print(exc.user_message, file=sys.stderr)
        return 1
    finally:
        database.dispose()
    for kind, title in _TITLES:
        print(f"{title} — {day.isoformat()} — {settings.clinic_name}")
        print("\n".join(_lines(books[DiscountKind(kind)])))
        print()
    return 0
