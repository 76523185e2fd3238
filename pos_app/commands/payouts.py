"""``pos-app payouts [--csv FILE] [--limit N]``: PayMongo's payouts, each payment matched to its
invoice; with ``--csv`` the accountant's file (one row per payment, one total per payout)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from pos_app.domain.clinic_time import day_of, zone_named
from pos_app.domain.errors import PosError

HELP = "list PayMongo's payouts with their payments and invoices; --csv FILE for the accountant"


def run(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="pos-app payouts", description=HELP)
    parser.add_argument("--csv", type=Path, metavar="FILE", help="write the payouts as CSV here")
    parser.add_argument("--limit", type=int, default=20, help="newest payouts to show (20)")
    args = parser.parse_args(list(argv))
    from pos_app.commands._counter import open_counter
    from pos_app.services.reconcile.payouts import PayoutService, pesos, write_csv

    try:
        with open_counter() as counter:
            reports = PayoutService(counter.database, counter.paymongo).reports(limit=args.limit)
            zone = zone_named(counter.settings.clinic_time_zone)
    except PosError as exc:
        print(exc.user_message, file=sys.stderr)
        return 2
    if not reports:
        print("PayMongo has no payouts for this account yet.")
    for report in reports:
        payout = report.payout
        print(
            f"{payout.id}  {day_of(report.date, zone)}  {payout.status}  "
            f"ref {payout.reference_number or '-'}  {len(report.lines)} payments"
        )
        for label, centavos in report.figures():
            print(f"    {label:<42}{pesos(centavos):>14}")
        for line in report.lines:
            print(
                f"      {line.payment_id}  {line.method:<9}{line.gross.to_decimal_str():>12}  "
                f"invoice {line.invoice_number or '-'}"
            )
    if args.csv is not None:
        write_csv(reports, args.csv, zone)
        print(f"Wrote {args.csv}")
    return 0
