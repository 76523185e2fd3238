"""Issue 16, payouts and the two commands: ``pos-app payouts --csv`` and ``pos-app reconcile``,
run without the window against the sandbox (as PayMongo in test mode)."""

from __future__ import annotations

import csv
import io
import secrets
from pathlib import Path

import httpx
import pytest

from pos_app import app
from pos_app.domain.attempt import AttemptState
from pos_app.domain.bill import BillStatus
from pos_app.domain.tender import TenderMethod
from pos_app.services.collect import CollectService
from pos_app.services.reconcile.payouts import PayoutService, payouts_csv
from pos_app.storage import Database
from pos_sandbox.paymongo.payouts import withholding_on_fees
from pos_sandbox.server import SandboxServer
from tests.integration.collect.conftest import make_client, patient_pays


@pytest.fixture
def command_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database: Database, fresh: SandboxServer
) -> None:
    """``pos-app`` commands on this database, with the sandbox as PayMongo in test mode."""
    monkeypatch.setenv("POS_APP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("POS_APP_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("POS_APP_DATABASE_URL", database.engine.url.render_as_string(False))
    monkeypatch.setenv("POS_APP_PAYMONGO_BASE_URL", fresh.paymongo_url)
    monkeypatch.setenv("PAYMONGO_SECRET_KEY", "sk_test_" + secrets.token_hex(12))


def _pay_two_bills(collect: CollectService, database: Database) -> list[int]:
    with database.unit_of_work(read_only=True) as uow:
        bills = [b for b in uow.bills.list_queue(BillStatus.PENDING, 50) if b.balance.centavos][:2]
    for bill in bills:
        update = collect.start(bill.id, TenderMethod.QRPH, bill.balance)
        assert update.display is not None
        assert update.display.url is not None
        patient_pays(update.display.url)
        assert collect.refresh(update.attempt.id).attempt.state is AttemptState.SUCCEEDED
    return [b.id for b in bills]


def test_a_payout_shows_its_sum_and_each_payment_with_its_invoice(
    collect: CollectService, database: Database, fresh: SandboxServer
) -> None:
    bill_ids = _pay_two_bills(collect, database)
    answer = httpx.post(f"{fresh.paymongo_url}/_control/payouts", json={"adjustment": 500})
    assert answer.status_code == 200

    with make_client(fresh) as client:
        [report] = PayoutService(database, client).reports()

    payout = report.payout
    assert len(report.lines) == 2
    assert report.difference_centavos == 0
    fees = sum(line.fee.centavos for line in report.lines)
    assert payout.fee == fees
    assert payout.tax_amount == withholding_on_fees(fees) > 0
    assert payout.net_amount == payout.amount - fees + payout.tax_amount + 500
    with database.unit_of_work(read_only=True) as uow:
        invoices = {uow.invoices.get_for_bill(b).number for b in bill_ids}  # type: ignore[union-attr]
    assert {line.invoice_number for line in report.lines} == invoices
    rows = list(csv.DictReader(io.StringIO(payouts_csv([report]))))
    assert [r["row"] for r in rows] == ["payment", "payment", "total"]
    assert rows[-1]["net"] == f"{payout.net_amount // 100}.{payout.net_amount % 100:02d}"
    assert {r["invoice"] for r in rows[:2]} == invoices


@pytest.mark.usefixtures("command_env")
def test_pos_app_payouts_writes_the_accountants_csv(
    collect: CollectService,
    database: Database,
    fresh: SandboxServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _pay_two_bills(collect, database)
    httpx.post(f"{fresh.paymongo_url}/_control/payouts", json={})
    target = tmp_path / "payouts.csv"

    assert app.main(["payouts", "--csv", str(target)]) == 0

    out = capsys.readouterr().out
    assert "Withholding on fees" in out
    with target.open(encoding="utf-8") as written:
        rows = list(csv.DictReader(written))
    assert [r["row"] for r in rows] == ["payment", "payment", "total"]


@pytest.mark.usefixtures("command_env")
def test_pos_app_reconcile_prints_what_it_matched_and_raised(
    collect: CollectService,
    database: Database,
    fresh: SandboxServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _pay_two_bills(collect, database)
    with database.unit_of_work(read_only=True) as uow:
        bill = next(b for b in uow.bills.list_queue(BillStatus.PENDING, 50) if b.balance.centavos)
    update = collect.start(bill.id, TenderMethod.QRPH, bill.balance)
    collect.cancel(update.attempt.id)
    late = fresh.paymongo.pay_late(update.attempt.paymongo_ids["intent"])

    assert app.main(["reconcile", "--since", "2000-01-01"]) == 1  # something was raised

    out = capsys.readouterr().out
    assert "Checked 3 PayMongo payments: 2 matched, 1 new overpayment case." in out
    assert f"RAISED {late['id']}" in out
