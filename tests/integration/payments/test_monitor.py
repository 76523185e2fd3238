"""The payment monitor on the sandbox's clock: polling cost, expiry, failures, and a restart."""

from __future__ import annotations

from pos_app.domain.attempt import AttemptState
from pos_app.domain.tender import TenderMethod
from pos_app.services.collect import CollectService, PaymentMonitor
from pos_app.services.poll_policy import PollPolicy
from pos_app.storage import Database
from pos_sandbox.faults import FaultRule
from pos_sandbox.server import SandboxServer
from tests.integration.collect.conftest import SandboxTimeClock, make_client, still_watched
from tests.integration.payments.conftest import COUNTER, pending_bills

TICK_S = 0.2  # the GUI timer that asks the monitor what is due


def _run_for(monitor: PaymentMonitor, sandbox: SandboxServer, seconds: float) -> None:
    """Drive the monitor as the GUI timer and a worker would, on the sandbox's clock."""
    clock = SandboxTimeClock(sandbox)
    for _ in range(round(seconds / TICK_S)):
        sandbox.paymongo.advance_clock(TICK_S)
        for attempt_id in monitor.due(clock.now()):
            try:
                monitor.check(attempt_id)
            except Exception:  # the monitor reschedules it; the GUI's worker logs it
                continue


def _looks(sandbox: SandboxServer) -> int:
    return sum(1 for e in sandbox.paymongo_log.entries(path_prefix="/v1/") if e.method == "GET")


def test_an_open_qr_costs_about_one_request_a_second_until_it_expires(
    collect: CollectService, database: Database, fresh: SandboxServer
) -> None:
    clock = SandboxTimeClock(fresh)
    monitor = PaymentMonitor(collect, clock)
    bill = pending_bills(database)[0]
    update = collect.start(bill.id, TenderMethod.QRPH, bill.balance)
    monitor.track(update)
    before = _looks(fresh)
    _run_for(monitor, fresh, 10)
    assert 8 <= _looks(fresh) - before <= 10
    assert update.display is not None
    assert update.display.expires_at is not None
    fresh.paymongo.advance_clock((update.display.expires_at - clock.now()).total_seconds())
    seen: list[AttemptState] = []
    monitor.subscribe(lambda u: seen.append(u.attempt.state))
    _run_for(monitor, fresh, PollPolicy().expiry_grace_s + 2)
    assert seen[-1] is AttemptState.EXPIRED
    assert still_watched(monitor, clock) == set()
    quiet = _looks(fresh)
    _run_for(monitor, fresh, 5)
    assert _looks(fresh) == quiet  # nothing more once it is closed


def test_paymongo_errors_back_off_and_the_payment_is_still_seen(
    collect: CollectService, database: Database, fresh: SandboxServer
) -> None:
    clock = SandboxTimeClock(fresh)
    monitor = PaymentMonitor(collect, clock, PollPolicy())
    states: list[AttemptState] = []
    monitor.subscribe(lambda u: states.append(u.attempt.state))
    bill = pending_bills(database)[0]
    update = collect.start(bill.id, TenderMethod.QRPH, bill.balance)
    monitor.track(update)
    rule = fresh.paymongo_faults.add(FaultRule(kind="error", status=503, method="GET"))
    failing_from = len(fresh.paymongo_log.entries())
    _run_for(monitor, fresh, 10)
    failed_looks = [e for e in fresh.paymongo_log.entries()[failing_from:] if e.method == "GET"]
    fresh.paymongo_faults.remove(rule)
    # the client retries each look a few times; the monitor then waits longer and longer
    assert 0 < len(failed_looks) < 10 * 4
    fresh.paymongo.settle(update.attempt.paymongo_ids["intent"])
    _run_for(monitor, fresh, 40)
    assert states[-1] is AttemptState.SUCCEEDED  # still watched through the failures


def test_after_a_restart_every_open_payment_is_back_on_screen(
    collect: CollectService, database: Database, fresh: SandboxServer
) -> None:
    bills = pending_bills(database)[:3]
    started = [
        collect.start(bill.id, method, bill.balance)
        for bill, method in zip(
            bills, [TenderMethod.QRPH, TenderMethod.GCASH, TenderMethod.CHECKOUT], strict=True
        )
    ]
    # the app restarts: a new service and monitor, nothing in memory but the database
    with make_client(fresh) as client:
        restarted = CollectService(database, client, SandboxTimeClock(fresh), COUNTER)
        monitor = PaymentMonitor(restarted, SandboxTimeClock(fresh))
        recovered = {u.attempt.id: u for u in monitor.recover()}
        restarted.close()
    assert set(recovered) == {u.attempt.id for u in started}
    for before in started:
        after = recovered[before.attempt.id]
        assert after.attempt.state is AttemptState.AWAITING_PAYMENT
        assert after.display is not None
        assert before.display is not None
        assert (after.display.url, after.display.qr_text) == (
            before.display.url,
            before.display.qr_text,
        )
        assert after.display.qr_png == before.display.qr_png
    assert still_watched(monitor, SandboxTimeClock(fresh)) == set(recovered)
    assert all(recovered[u.attempt.id].attempt.expires_at == u.attempt.expires_at for u in started)
