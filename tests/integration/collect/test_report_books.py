"""Issue 15 item 3: ``pos-app report books [--date]`` prints the day's senior citizen and PWD
sales books, each on its own (invoice, name on the ID, ID, gross, discount, net)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pos_app import commands
from pos_app.app import open_counter_database
from pos_app.config import load_settings
from pos_app.domain.bill_summary import BillStatus
from pos_app.domain.clock import SystemClock
from pos_app.domain.discount import DiscountKind, VatStatus, senior_pwd_discount
from pos_app.services.collect import CollectService, CounterIdentity
from pos_app.services.discounts import DiscountService, SeniorPwdId
from pos_app.storage import Database
from pos_sandbox.server import SandboxServer
from tests.demo_bills import seed_demo_bills_if_empty
from tests.integration.collect.conftest import make_client


@pytest.fixture
def counter_database() -> Iterator[Database]:
    """The database ``pos-app`` itself opens (the data folder the tests point it at)."""
    database = open_counter_database(load_settings())
    seed_demo_bills_if_empty(database, SystemClock())
    yield database
    database.dispose()


def test_the_books_list_the_days_senior_and_pwd_sales_separately(
    counter_database: Database, fresh: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    with counter_database.unit_of_work(read_only=True) as uow:
        senior_bill, pwd_bill = uow.bills.list_queue(BillStatus.PENDING, 2)
    service = DiscountService(counter_database, VatStatus.NON_VAT)
    service.apply(senior_bill.id, SeniorPwdId(DiscountKind.SENIOR, "OSCA", "QC-55012", "Ana Cruz"))
    paid = service.apply(pwd_bill.id, SeniorPwdId(DiscountKind.PWD, "PWD ID", "PWD-778", "Ben Go"))
    with make_client(fresh) as client:
        collect = CollectService(
            counter_database,
            client,
            SystemClock(),
            CounterIdentity(terminal_id="01", invoice_prefix="MAIN", clinic_name="Test Clinic"),
        )
        invoice = collect.pay_cash(paid.id, paid.balance, paid.balance).settlement
        collect.close()
    assert invoice is not None

    today = datetime.now(ZoneInfo("Asia/Manila")).date()
    assert commands.run(["report", "books", "--date", today.isoformat()]) == 0
    out = capsys.readouterr().out
    senior_book, pwd_book = out.split("PWD SALES BOOK")
    assert senior_book.startswith("SENIOR CITIZEN SALES BOOK")
    senior = senior_pwd_discount(senior_bill.amount_due, VatStatus.NON_VAT)
    assert "Ana Cruz" in senior_book
    assert "QC-55012" in senior_book
    assert f"(unpaid) {senior_bill.number}" in senior_book  # not paid yet: its bill number
    assert senior.discount.to_decimal_str() in senior_book
    assert senior.due.to_decimal_str() in senior_book
    assert "Ben Go" not in senior_book
    pwd = senior_pwd_discount(pwd_bill.amount_due, VatStatus.NON_VAT)
    assert invoice.invoice.number in pwd_book
    assert "PWD-778" in pwd_book
    assert pwd_bill.amount_due.to_decimal_str() in pwd_book
    assert pwd.due.to_decimal_str() in pwd_book
    assert "Ana Cruz" not in pwd_book

    yesterday = (today - timedelta(days=1)).isoformat()
    assert commands.run(["report", "books", "--date", yesterday]) == 0
    assert capsys.readouterr().out.count("(none)") == 2
