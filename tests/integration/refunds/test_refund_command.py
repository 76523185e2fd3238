"""``pos-app refund status --as NAME`` and ``refund slip NUMBER --as NAME``: signed in with the
PIN on standard input, a role that may refund, against the counter's own database."""

from __future__ import annotations

import io
from typing import cast

import pytest

from pos_app import commands
from pos_app.app import open_counter_database
from pos_app.config import load_settings
from pos_app.domain.clock import SystemClock
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


def _run(monkeypatch: pytest.MonkeyPatch, argv: list[str], stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return commands.run(argv)


def _cash_refund_by_hand() -> str:
    """A cash bill refunded by hand in the counter's database; returns the slip number."""
    database = open_counter_database(load_settings())
    try:
        bill_id = add_bill(database)
        counter = CounterIdentity("01", "MAIN", "Test Clinic")
        collect = CollectService(database, cast(PayMongoClient, None), SystemClock(), counter)
        collect.pay_cash(bill_id, Money(1_500_00), Money(1_500_00))
        staff = SignedIn(Person(id=5, name="Joy", role=Role.STAFF, active=True))
        printer = ReceiptService(load_settings(), database=database)
        refunds = RefundService(
            database, None, SystemClock(), staff, terminal_id="01", slips=printer
        )
        view = refunds.refund_by_hand(
            bill_id, None, Money(200_00), "others", "", channel=RefundChannel.CASH, reference=None
        )
    finally:
        database.dispose()
    assert view.slip_number is not None
    return view.slip_number


def test_refund_status_and_slip_reprint_need_a_role_that_refunds(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(monkeypatch, ["staff", "add", "Olivia", "--role", "owner"], "8080\n")
    _run(monkeypatch, ["staff", "add", "Rosa", "--role", "receptionist"], "1357\n")
    slip = _cash_refund_by_hand()
    capsys.readouterr()

    assert _run(monkeypatch, ["refund", "status", "--as", "Rosa"], "1357\n") == 1
    assert "Your account can't give refunds" in capsys.readouterr().err
    assert _run(monkeypatch, ["refund", "status", "--as", "Olivia"], "8080\n") == 0
    out = capsys.readouterr().out
    assert "Open refunds: 0" in out
    assert "₱200.00  succeeded  Refunded ₱200.00 in cash, slip RF-01-000001." in out

    assert _run(monkeypatch, ["refund", "slip", slip.lower(), "--as", "Olivia"], "8080\n") == 0
    assert "REPRINT No. 1 of RF-01-000001" in capsys.readouterr().out
    assert _run(monkeypatch, ["refund", "slip", "RF-01-000009", "--as", "Olivia"], "8080\n") == 1
    assert "No refund slip RF-01-000009" in capsys.readouterr().err
