"""One counter process for the crash tests of e-wallet and card-checkout payments.

    python -m tests.integration.payments.crash_runner collect DB_URL PAYMONGO_URL BILL_ID METHOD
    python -m tests.integration.payments.crash_runner recover DB_URL PAYMONGO_URL

``collect`` runs the whole payment, the patient included (their phone submits the sandbox's
page); with POS_APP_CRASH_AT set it dies by SIGKILL at that point. ``recover`` is the next start
of the app: ``PaymentMonitor.recover``, then the patient pays whatever link is still open, then it
prints one JSON line with every recovered attempt's final state and ``recover_s``, the seconds from
opening the database to the end of ``PaymentMonitor.recover`` (the patient's paying not included).

``main`` is also called in a forked child by ``crash_zygote`` (the random-kill loop).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable

from pos_app.domain.clock import SystemClock
from pos_app.domain.money import Money
from pos_app.domain.tender import TenderMethod
from pos_app.paymongo import PayMongoClient, RetryPolicy
from pos_app.services.collect import CollectService, CounterIdentity, PaymentMonitor
from pos_app.services.collect.test_pages import submit_test_page
from pos_app.storage import open_database

TEST_KEY = "sk_test_PaymentsCrashRunnerNotReal7"
AMOUNT = Money(1_500_00)


def counter_service(db_url: str, paymongo_url: str) -> CollectService:
    client = PayMongoClient(
        secret_key=TEST_KEY,
        base_url=paymongo_url,
        retry=RetryPolicy(max_attempts=4, base_delay_s=0.01, max_delay_s=0.05),
    )
    counter = CounterIdentity(terminal_id="01", invoice_prefix="MAIN", clinic_name="Crash Clinic")
    return CollectService(open_database(db_url), client, SystemClock(), counter)


def _nothing() -> None:
    pass


def collect(
    db_url: str, paymongo_url: str, bill_id: int, flow: str, ready: Callable[[], None] = _nothing
) -> None:
    """``flow``: a TenderMethod value, or "source-gcash"/"source-grab_pay" for a Source.
    ``ready`` is called once the app is up, just before the payment starts."""
    service = counter_service(db_url, paymongo_url)
    ready()
    if flow.startswith("source-"):
        update = service.start_source(bill_id, TenderMethod(flow.removeprefix("source-")), AMOUNT)
    else:
        update = service.start(bill_id, TenderMethod(flow), AMOUNT)
    assert update.display is not None
    assert update.display.url is not None
    submit_test_page(update.display.url)
    service.refresh(update.attempt.id)
    service.close()


def recover(db_url: str, paymongo_url: str, ready: Callable[[], None] = _nothing) -> None:
    started = time.monotonic()
    service = counter_service(db_url, paymongo_url)
    monitor = PaymentMonitor(service, SystemClock())
    ready()
    updates = monitor.recover()
    recover_s = time.monotonic() - started
    states = {}
    for recovered in updates:
        final = recovered
        display = recovered.display
        if recovered.is_open and display is not None and display.url is not None:
            submit_test_page(display.url)  # the patient, still at the counter, pays the link
            final = service.refresh(recovered.attempt.id)
        states[final.attempt.id] = final.attempt.state.value
    service.close()
    print(json.dumps({"recovered": states, "recover_s": recover_s}), flush=True)


def main(argv: list[str], ready: Callable[[], None] = _nothing) -> None:
    command, *rest = argv
    if command == "collect":
        collect(rest[0], rest[1], int(rest[2]), rest[3], ready)
    else:
        recover(rest[0], rest[1], ready)


if __name__ == "__main__":
    main(sys.argv[1:])
