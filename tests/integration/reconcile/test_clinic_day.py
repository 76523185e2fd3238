"""Reconciliation keeps the clinic's day (Settings.clinic_time_zone, Manila by default), not the
day of the computer's own time zone. 2026-12-07 23:30 UTC is 07:30 on 2026-12-08 in Manila, whose
day began at 2026-12-07 16:00 UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pos_app import app
from pos_app.domain.bill import BillStatus
from pos_app.domain.clinic_time import zone_named
from pos_app.domain.clock import FakeClock
from pos_app.domain.tender import TenderMethod
from pos_app.services.collect import CollectService, CounterIdentity
from pos_app.services.reconcile.results import ReconcileResult
from pos_app.services.reconcile.service import ReconcileService
from pos_app.storage import Database
from pos_sandbox.server import SandboxServer
from tests.integration.collect.conftest import make_client
from tests.integration.reconcile.test_payouts_and_commands import command_env

__all__ = ["command_env"]

MANILA_MORNING = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)  # 07:30 on 12-08 in Manila
MANILA_DAY_BEGAN = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)


def _qr_started_at(database: Database, fresh: SandboxServer, at: datetime, skip: int) -> None:
    """A QR Ph payment this counter started at ``at`` (its attempt's created_at)."""
    with database.unit_of_work(read_only=True) as uow:
        bills = [b for b in uow.bills.list_queue(BillStatus.PENDING, 50) if b.balance.centavos]
    identity = CounterIdentity(terminal_id="01", invoice_prefix="MAIN", clinic_name="Test Clinic")
    with make_client(fresh) as client:
        collect = CollectService(database, client, FakeClock(at), identity)
        try:
            collect.start(bills[skip].id, TenderMethod.QRPH, bills[skip].balance)
        finally:
            collect.close()


def test_reconciliations_today_begins_at_midnight_at_the_clinic(
    database: Database, collect: CollectService, fresh: SandboxServer
) -> None:
    # 18:00 on 12-07 in Manila: yesterday for the clinic, though the same UTC date as "now"
    _qr_started_at(database, fresh, datetime(2026, 12, 7, 10, 0, tzinfo=UTC), 0)
    with make_client(fresh) as client:
        manila = zone_named("Asia/Manila")
        service = ReconcileService(
            database, client, collect, FakeClock(MANILA_MORNING), "01", zone=manila
        )
        assert not service.took_paymongo_payments_today()

        _qr_started_at(database, fresh, MANILA_DAY_BEGAN, 1)  # 00:00 on 12-08 in Manila
        assert service.took_paymongo_payments_today()


@pytest.mark.usefixtures("command_env")
def test_pos_app_reconcile_reads_since_as_a_date_at_the_clinic(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asked: list[datetime | None] = []
    real_run = ReconcileService.run

    def run(self: ReconcileService, *, since: datetime | None = None) -> ReconcileResult:
        asked.append(since)
        return real_run(self, since=since)

    monkeypatch.setattr(ReconcileService, "run", run)

    assert app.main(["reconcile", "--since", "2026-12-08"]) == 0
    assert app.main(["reconcile", "--since", "2026-12-08T07:30"]) == 0

    assert asked == [MANILA_DAY_BEGAN, MANILA_MORNING]
    assert "Checked" in capsys.readouterr().out
