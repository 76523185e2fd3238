"""One counter as its own process, for the several-counters tests: ``python -m`` this module
with steps as arguments; it starts as Kaha does (database, PayMongo, recovery of its own open
payments) and prints one JSON line per step. Settings come from POS_APP_* and the key from
PAYMONGO_SECRET_KEY, as on a real counter.

Steps: ``pay-qr BILL`` (QR Ph, the patient pays on the test page, settled), ``open-qr BILL``
(QR Ph shown, left open: the counter then stops), ``cash BILL`` (the whole balance in cash).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

from pos_app.app import build_services
from pos_app.config import load_secrets, load_settings
from pos_app.domain.bill import Bill
from pos_app.domain.errors import UserFacingError
from pos_app.domain.tender import TenderMethod
from pos_app.services.collect.test_pages import submit_test_page
from pos_app.services.counter import PaymentBackend

MAX_LOOKS = 200


def say(**fields: object) -> None:
    print(json.dumps(fields), flush=True)


def main(steps: Sequence[str]) -> int:
    services = build_services(load_settings(), load_secrets())
    try:
        backend = services.start_payment_backend()  # recovery: this counter's open payments
        with services.database.unit_of_work(read_only=True) as uow:
            still_open = uow.attempts.list_open(terminal_id=services.settings.terminal_id)
        for attempt in still_open:
            say(step="still-open", attempt=attempt.id, bill=attempt.bill_id)
        say(step="started", terminal=services.settings.terminal_id)
        words = list(steps)
        while words:
            action, bill_id = words.pop(0), int(words.pop(0))
            _do(backend, action, _bill(services.database, bill_id))
    finally:
        services.shutdown()
    return 0


def _bill(database: object, bill_id: int) -> Bill:
    from pos_app.storage import Database

    assert isinstance(database, Database)
    with database.unit_of_work(read_only=True) as uow:
        bill = uow.bills.get(bill_id)
    assert bill is not None
    return bill


def _do(backend: PaymentBackend, action: str, bill: Bill) -> None:
    collect = backend.collect
    try:
        if action == "cash":
            result = collect.pay_cash(bill.id, bill.balance, bill.balance)
            invoice = result.settlement.invoice.number if result.settlement else None
            say(step=action, bill=bill.id, invoice=invoice)
            return
        update = collect.start(bill.id, TenderMethod.QRPH, bill.balance)
    except UserFacingError as refused:
        say(step=action, bill=bill.id, refused=refused.user_message)
        return
    assert update.display is not None
    assert update.display.url is not None
    if action == "open-qr":
        say(step=action, bill=bill.id, attempt=update.attempt.id, url=update.display.url)
        return
    submit_test_page(update.display.url)
    for _ in range(MAX_LOOKS):
        update = collect.refresh(update.attempt.id)
        if update.settlement is not None:
            say(step=action, bill=bill.id, invoice=update.settlement.invoice.number)
            return
    say(step=action, bill=bill.id, refused="not settled")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
