"""Pulling bills from the sandbox clinic server into the counter's database."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from pos_app.clinic import ClinicClient
from pos_app.domain.attempt import PaymentAttempt
from pos_app.domain.bill import Bill, BillStatus
from pos_app.domain.clock import FakeClock
from pos_app.domain.errors import UserFacingError
from pos_app.domain.money import Money
from pos_app.domain.tender import TenderMethod
from pos_app.services.bills import BillQueue
from pos_app.services.clinic_sync import (
    ClinicSync,
    HeldChange,
    PullProgress,
    PullResult,
    SyncReport,
)
from pos_app.services.collect.bookkeeping import payable_bill
from pos_app.storage import Database, open_database
from tests.integration.clinic.conftest import ClinicServer
from tests.storage_reads import bill_by_remote_id


class Killed(Exception):
    """Stands for the process dying between two pages."""


def _list_requests(server: ClinicServer) -> int:
    return len(server.log.entries(path_prefix="/api/billing/"))


def _pull(report: SyncReport) -> PullResult:
    assert report.pull is not None
    return report.pull


def _local(database: Database, remote_id: int) -> Bill:
    with database.unit_of_work(read_only=True) as uow:
        bill = bill_by_remote_id(uow, remote_id)
    assert bill is not None
    return bill


def _held(sync: ClinicSync, bill_id: int) -> HeldChange | None:
    return next((c for c in sync.held_changes() if c.bill_id == bill_id), None)


def test_first_sync_loads_every_bill_with_progress(
    sync: ClinicSync, server: ClinicServer, database: Database
) -> None:
    seen: list[PullProgress] = []
    sync.subscribe_progress(seen.append)
    report = sync.run()
    total = len(server.state.bill_ids())
    assert _pull(report).pulled == total
    assert (seen[-1].done, seen[-1].total) == (total, total)
    assert seen[0].describe() == f"Loading bills from the clinic: 20 of {total:,} bills"
    with database.unit_of_work(read_only=True) as uow:
        assert uow.clinic_sync.remote_count() == total
    assert sync.status().first_sync_done


def test_a_killed_first_sync_resumes_where_it_stopped(
    sync: ClinicSync, server: ClinicServer, client: ClinicClient, tmp_path: Path
) -> None:
    fresh_db = open_database(f"sqlite:///{tmp_path / 'fresh.db'}")
    ClinicSync(fresh_db, client, FakeClock(), page_size=20).run(push=False)
    fresh_db.dispose()
    pages_of_a_whole_sync = _list_requests(server)
    server.log.clear()
    calls: list[PullProgress] = []

    def die_after_two_pages(progress: PullProgress) -> None:
        calls.append(progress)
        if len(calls) == 2:
            raise Killed

    unsubscribe = sync.subscribe_progress(die_after_two_pages)
    with pytest.raises(Killed):
        sync.run()
    unsubscribe()
    assert not sync.status().first_sync_done
    stored = sync.status().bills_from_clinic
    assert stored == calls[-1].done  # two pages stored, with the cursor after them
    server.log.clear()
    report = sync.run(push=False)
    total = len(server.state.bill_ids())
    assert _pull(report).pulled == total - stored
    # the two stored pages are not asked for again (the one in flight at the kill may be)
    assert _list_requests(server) == pages_of_a_whole_sync - 2
    assert sync.status().bills_from_clinic == total


def test_incremental_pull_takes_changes_cancellations_and_renamed_patients(
    sync: ClinicSync, server: ClinicServer, control: httpx.Client, database: Database
) -> None:
    sync.run()
    pending = [b for b in server.state.bill_ids() if server.state.bill(b)["status"] == "pending"]  # type: ignore[index]
    changed, cancelled = pending[0], pending[1]
    control.patch(f"/_control/bills/{changed}", json={"amount": "4000.00"}).raise_for_status()
    control.patch(f"/_control/bills/{cancelled}", json={"status": "cancelled"}).raise_for_status()
    server.log.clear()
    report = sync.run()
    assert _pull(report).pulled == 2
    assert _list_requests(server) == 1
    assert _local(database, changed).amount_due == Money.of_pesos(4000)
    open_numbers = {row.number for row in BillQueue(database).find(status=BillStatus.PENDING)}
    assert f"B-{cancelled:06d}" not in open_numbers
    assert f"B-{changed:06d}" in open_numbers
    assert _local(database, cancelled).status is BillStatus.CANCELLED
    again = sync.run()
    assert _pull(again).pulled == 0
    assert "No new or changed bills" in again.describe()


def test_a_renamed_patient_is_updated(
    sync: ClinicSync, server: ClinicServer, database: Database
) -> None:
    sync.run()
    remote_id = server.state.bill_ids()[0]
    patient_id = server.state.bill(remote_id)["patient"]["id"]  # type: ignore[index]
    for patient in server.state.patients():
        if patient.id == patient_id:
            patient.last_name = "Macaraeg"  # the clinic corrects a name
    server.state.change_bill(remote_id, description="name corrected")
    sync.run()
    assert _local(database, remote_id).patient.last_name == "Macaraeg"
    assert BillQueue(database).find("macaraeg")


def test_a_full_pull_removes_bills_the_server_no_longer_has(
    sync: ClinicSync, server: ClinicServer, control: httpx.Client, database: Database
) -> None:
    sync.run()
    pending = [b for b in server.state.bill_ids() if server.state.bill(b)["status"] == "pending"]  # type: ignore[index]
    control.delete(f"/_control/bills/{pending[0]}").raise_for_status()
    report = sync.run(full=True)
    assert _pull(report).removed == 1
    assert _local(database, pending[0]).status is BillStatus.CANCELLED


def test_a_change_to_a_bill_with_an_open_payment_is_held_until_accepted(
    sync: ClinicSync,
    server: ClinicServer,
    control: httpx.Client,
    database: Database,
    clock: FakeClock,
) -> None:
    sync.run()
    remote_id = next(
        b
        for b in server.state.bill_ids()
        if server.state.bill(b)["status"] == "pending"  # type: ignore[index]
    )
    bill = _local(database, remote_id)
    attempt = PaymentAttempt.new(
        bill_id=bill.id, method=TenderMethod.QRPH, amount=bill.balance, at=clock.now()
    )
    with database.unit_of_work() as uow:
        uow.attempts.add(attempt, terminal_id="01")
        uow.commit()
    control.patch(f"/_control/bills/{remote_id}", json={"amount": "4000.00"}).raise_for_status()
    report = sync.run()
    assert _pull(report).held == 1
    assert _local(database, remote_id).amount_due == bill.amount_due  # not changed under her
    held = _held(sync, bill.id)
    assert held is not None
    assert held.new_amount == Money.of_pesos(4000)
    with database.unit_of_work() as uow, pytest.raises(UserFacingError) as refused:
        payable_bill(uow, bill.id, Money.of_pesos(1))
    assert f"The clinic changed this bill: {bill.amount_due} → ₱4,000.00" in str(refused.value)
    accepted = sync.accept_held_change(bill.id)
    assert accepted is not None
    assert accepted.amount_due == Money.of_pesos(4000)
    assert _held(sync, bill.id) is None
