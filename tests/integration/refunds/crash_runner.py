"""One counter process for the refund crash tests.

    python -m tests.integration.refunds.crash_runner refund DB PAYMONGO_URL BILL ATTEMPT CENTAVOS
    python -m tests.integration.refunds.crash_runner manual DB PAYMONGO_URL BILL CENTAVOS
    python -m tests.integration.refunds.crash_runner recover DB PAYMONGO_URL

With POS_APP_CRASH_AT set it dies by SIGKILL at that refund step. ``recover`` is the next start:
``RefundService.recover`` once, then a few looks until every refund is finished.
"""

from __future__ import annotations

import json
import sys

from pos_app.domain.clock import SystemClock
from pos_app.domain.money import Money
from pos_app.domain.people import Person
from pos_app.domain.roles import Permission, Role
from pos_app.paymongo import PayMongoClient, RetryPolicy
from pos_app.services.access.approval import Approval
from pos_app.services.refunds.port import RefundChannel
from pos_app.services.refunds.service import RefundService
from pos_app.storage import open_database

TEST_KEY = "sk_test_RefundsCrashRunnerNotReal9"
STAFF = Person(id=2, name="Bea Staff", role=Role.STAFF, active=True)


class Staff:
    def require(self, permission: Permission) -> Person:
        return STAFF

    def check(self, permission: Permission) -> Person:
        return STAFF

    def require_approved(self, permission: Permission) -> Approval:
        return Approval(STAFF)


def service(db_url: str, paymongo_url: str) -> RefundService:
    client = PayMongoClient(
        secret_key=TEST_KEY,
        base_url=paymongo_url,
        retry=RetryPolicy(max_attempts=4, base_delay_s=0.01, max_delay_s=0.05),
    )
    return RefundService(open_database(db_url), client, SystemClock(), Staff(), terminal_id="01")


def main(argv: list[str]) -> None:
    command, db_url, paymongo_url, *rest = argv
    refunds = service(db_url, paymongo_url)
    if command == "refund":
        view = refunds.refund_through_paymongo(
            int(rest[0]), rest[1], Money(int(rest[2])), "others", "crash test"
        )
        refunds.check(view.refund.id)
    elif command == "manual":
        refunds.refund_by_hand(
            int(rest[0]),
            None,
            Money(int(rest[1])),
            "others",
            "",
            channel=RefundChannel.CASH,
            reference=None,
        )
    else:
        views = refunds.recover()
        for _ in range(5):
            if not refunds.open_refunds():
                break
            views = refunds.follow_open()
        print(json.dumps({v.refund.id: v.refund.state.value for v in views}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
