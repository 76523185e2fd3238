"""``pos-app refund status --as NAME`` / ``refund slip NUMBER --as NAME``: refunds without the
window. ``status`` looks once at PayMongo for every refund still open (as the counter does at
start-up) and lists them with the latest ones; ``slip`` prints a manual refund's slip again
(marked REPRINT). Both sign NAME in with their PIN (read from the terminal, or one line of
standard input) and need a role that may give refunds.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import tzinfo
from typing import TYPE_CHECKING

from pos_app.domain.clinic_time import wall_clock, zone_named
from pos_app.domain.errors import PosError

if TYPE_CHECKING:
    from pos_app.services.refunds.service import RefundService

HELP = "refunds still open at PayMongo and the latest ones; reprint a refund slip"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pos-app refund", description=HELP)
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="status|slip")
    status = verbs.add_parser("status", help="follow open refunds once, then list refunds")
    status.add_argument("--as", dest="person", required=True, metavar="NAME")
    slip = verbs.add_parser("slip", help="print a manual refund's slip again (REPRINT)")
    slip.add_argument("number", metavar="NUMBER")
    slip.add_argument("--as", dest="person", required=True, metavar="NAME")
    return parser


def run(argv: Sequence[str]) -> int:
    args = _parser().parse_args(list(argv))
    from pos_app.commands._counter import open_counter
    from pos_app.commands._pin import read_pin
    from pos_app.domain.clock import SystemClock
    from pos_app.services.access import AccessService
    from pos_app.services.receipts import ReceiptService
    from pos_app.services.refunds.service import RefundService

    try:
        with open_counter() as counter:
            clock = SystemClock()
            access = AccessService(counter.database, clock)
            access.sign_in(args.person, read_pin(f"PIN for {args.person}: "))
            receipts = ReceiptService(counter.settings, database=counter.database)
            refunds = RefundService(
                counter.database,
                counter.paymongo,
                clock,
                access,
                terminal_id=counter.settings.terminal_id,
                slips=receipts,
            )
            if args.verb == "slip":
                print(refunds.print_slip_numbered(args.number))
                return 0
            refunds.follow_open()
            _print_status(refunds, zone_named(counter.settings.clinic_time_zone))
            return 0
    except PosError as exc:
        print(exc.user_message, file=sys.stderr)
        return 1


def _print_status(refunds: RefundService, zone: tzinfo) -> None:
    still = refunds.open_refunds()
    print(f"Open refunds: {len(still)}")
    for view in refunds.latest():
        refund = view.refund
        when = wall_clock(refund.created_at, zone)
        state = refund.state.value
        print(f"{when}  bill {view.bill_number}  {refund.amount}  {state}  {view.message}")
