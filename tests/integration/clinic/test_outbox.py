"""The outbox sender against the sandbox clinic server: once each, in order, with its key."""

from __future__ import annotations

import httpx

from pos_app.clinic import ClinicClient
from pos_app.domain.clock import FakeClock
from pos_app.domain.money import Money
from pos_app.services.clinic_sync import ClinicSync
from pos_app.services.collect.bookkeeping import add_walk_in_bill
from pos_app.storage import Database
from pos_sandbox.faults import FaultRule
from tests.integration.clinic.conftest import COUNTER, ClinicServer, open_bills, take_cash


def _keys(database: Database) -> list[str]:
    with database.unit_of_work(read_only=True) as uow:
        return [m.idempotency_key for m in uow.outbox.next_batch(1000)]


def test_cash_taken_while_the_server_is_down_reaches_it_once_in_order(
    sync: ClinicSync, server: ClinicServer, database: Database, clock: FakeClock
) -> None:
    sync.run()
    first, second = open_bills(database, 2)
    server.faults.add(FaultRule("error", status=503))
    take_cash(database, clock, first.id, Money(200))
    take_cash(database, clock, second.id, Money(300))
    take_cash(database, clock, first.id, first.balance - Money(200))
    queued = _keys(database)
    report = sync.run()
    assert report.failure is not None
    status = sync.status()
    assert status.waiting == 3
    assert status.offline_text() is not None
    assert "3 changes waiting" in (status.offline_text() or "")
    server.faults.clear()
    clock.advance(600)
    sync.request_now()
    report = sync.run()
    assert report.failure is None
    assert report.push is not None
    assert report.push.sent == 3
    assert sync.status().waiting == 0
    assert sync.status().offline_text() is None
    arrivals = server.state.arrivals()
    assert [a.idempotency_key for a in arrivals] == queued
    assert [a.bill_id for a in arrivals] == [first.remote_id, second.remote_id, first.remote_id]
    assert server.state.bill(first.remote_id or 0)["status"] == "paid"  # type: ignore[index]


def test_a_lost_answer_is_resent_with_the_same_key_after_a_restart(
    server: ClinicServer,
    database: Database,
    clock: FakeClock,
    sync: ClinicSync,
    client: ClinicClient,
) -> None:
    sync.run()
    (bill,) = open_bills(database, 1)
    take_cash(database, clock, bill.id, Money(100))
    server.faults.add(FaultRule("drop_response", method="PATCH"))
    assert sync.run().failure is not None  # the server acted; the answer never came
    server.faults.clear()
    restarted = ClinicSync(database, client, clock, draw=lambda: 0.5)
    clock.advance(600)
    assert restarted.run().failure is None
    assert len(server.state.arrivals(bill.remote_id)) == 1
    assert sync.status().waiting == 0


def test_a_409_becomes_a_case_and_a_400_is_listed_with_the_servers_words(
    sync: ClinicSync,
    server: ClinicServer,
    database: Database,
    clock: FakeClock,
    control: httpx.Client,
) -> None:
    sync.run()
    changed, refused = open_bills(database, 2)
    control.patch(f"/_control/bills/{changed.remote_id}", json={"amount": "9999.00"})
    take_cash(database, clock, changed.id, changed.balance)
    with database.unit_of_work() as uow:
        uow.outbox.enqueue(refused.id, "payment_result", {"amount_paid": "x"}, at=clock.now())
        uow.commit()
    sync.run(push=False)  # the pull holds nothing: no payment is open on the changed bill
    report = sync.run()
    assert report.push is not None
    assert (report.push.conflicts, report.push.refused) == (1, 1)
    (case,) = sync.cases()
    assert "₱9,999.00" in (case.last_error or "")
    (failed,) = sync.could_not_send()
    assert "amount_paid: A valid number is required." in (failed.last_error or "")
    server.log.clear()
    sync.run()
    assert not [e for e in server.log.entries() if e.method == "PATCH"]  # no more retries
    assert sync.status().waiting == 0


def test_walk_in_bills_are_not_sent(sync: ClinicSync, database: Database, clock: FakeClock) -> None:
    with database.unit_of_work() as uow:
        bill = add_walk_in_bill(
            uow, COUNTER, "Ana Reyes", [("Cleaning", 1, Money(50_000))], at=clock.now()
        )
        uow.commit()
    take_cash(database, clock, bill.id, Money(50_000))
    report = sync.run()
    assert report.failure is None
    assert sync.status().waiting == 0
