"""``pos-app refund status`` lists each refund at the clinic's time (Settings.clinic_time_zone),
not in UTC: a refund at 2026-12-07 23:30 UTC was made at 07:30 on 2026-12-08 in Manila."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

import pytest

from pos_app.app import open_counter_database
from pos_app.config import load_settings
from pos_app.domain.clock import FakeClock
from pos_app.domain.money import Money
from pos_app.domain.people import Person
from pos_app.domain.roles import Role
from pos_app.paymongo import PayMongoClient
from pos_app.services.collect import CollectService, CounterIdentity
from pos_app.services.receipts import ReceiptService
from pos_app.services.refunds.port import RefundChannel
from pos_app.services.refunds.service import RefundService
from tests.integration.payments.crash_harness import add_bill
from tests.integration.refunds.conftest import SignedIn
from tests.integration.refunds.test_refund_command import _run


def test_refund_status_lists_refunds_at_the_clinics_time(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(monkeypatch, ["staff", "add", "Olivia", "--role", "owner"], "8080\n")
    clock = FakeClock(datetime(2026, 12, 7, 23, 30, tzinfo=UTC))
    database = open_counter_database(load_settings())
    try:
        bill_id = add_bill(database)
        counter = CounterIdentity("01", "MAIN", "Test Clinic")
        collect = CollectService(database, cast(PayMongoClient, None), clock, counter)
        collect.pay_cash(bill_id, Money(1_500_00), Money(1_500_00))
        staff = SignedIn(Person(id=5, name="Joy", role=Role.STAFF, active=True))
        printer = ReceiptService(load_settings(), database=database)
        refunds = RefundService(database, None, clock, staff, terminal_id="01", slips=printer)
        refunds.refund_by_hand(
            bill_id, None, Money(200_00), "others", "", channel=RefundChannel.CASH, reference=None
        )
    finally:
        database.dispose()
    capsys.readouterr()

    assert _run(monkeypatch, ["refund", "status", "--as", "Olivia"], "8080\n") == 0

    [listed] = [line for line in capsys.readouterr().out.splitlines() if "₱200.00" in line]
    assert listed.startswith("2026-12-08 07:30  bill ")
