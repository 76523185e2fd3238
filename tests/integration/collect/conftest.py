"""A database with demo bills, the sandbox over real sockets, and the payment services on both."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from pos_app.domain.clock import Clock
from pos_app.paymongo import PayMongoClient, RetryPolicy, Timeouts
from pos_app.services.collect import CollectService, CounterIdentity, PaymentMonitor
from pos_app.storage import Database, open_database
from pos_sandbox.server import SandboxServer
from tests.demo_bills import seed_demo_bills_if_empty


class SandboxTimeClock(Clock):
    """The app's clock follows the sandbox's movable clock, so both agree on expiry."""

    def __init__(self, sandbox: SandboxServer) -> None:
        self._sandbox = sandbox

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._sandbox.clock.now(), tz=UTC)


def still_watched(monitor: PaymentMonitor, clock: Clock) -> set[str]:
    """The payments the monitor would still look at, however long it waits. Those it returns
    are marked in flight, as ``due`` does: ask last, once nothing else is to be driven."""
    return set(monitor.due(clock.now() + timedelta(days=1)))


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        yield server


@pytest.fixture
def fresh(sandbox: SandboxServer) -> SandboxServer:
    sandbox.reset()
    sandbox.paymongo.configure(rate_limit_per_second=None)
    return sandbox


@pytest.fixture
def database(migrated_db_url: str, fresh: SandboxServer) -> Iterator[Database]:
    db = open_database(migrated_db_url)
    seed_demo_bills_if_empty(db, SandboxTimeClock(fresh))
    yield db
    db.dispose()


def make_client(sandbox: SandboxServer) -> PayMongoClient:
    return PayMongoClient(
        secret_key="sk_test_" + secrets.token_hex(12),
        base_url=sandbox.paymongo_url,
        timeouts=Timeouts(connect_s=2, read_s=3, write_s=3, per_try_s=3, total_s=10),
        retry=RetryPolicy(max_attempts=4, base_delay_s=0.01, max_delay_s=0.05),
    )


@pytest.fixture
def collect(database: Database, fresh: SandboxServer) -> Iterator[CollectService]:
    with make_client(fresh) as client:
        service = CollectService(
            database,
            client,
            SandboxTimeClock(fresh),
            CounterIdentity(terminal_id="01", invoice_prefix="MAIN", clinic_name="Test Clinic"),
        )
        yield service
        service.close()


def patient_pays(test_url: str, *, authorize: bool = True) -> None:
    """What the patient's phone does: open the test page and press the button."""
    answer = httpx.post(test_url, data={"action": "authorize" if authorize else "fail"})
    assert answer.status_code == 200, answer.text
