"""The counter's payment services on a fresh database, against one sandbox over real sockets.

The app's clock follows the sandbox clock (``SandboxTimeClock``), so moving the sandbox clock
expires QR codes for both sides at once.
"""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pos_app.domain.attempt import AttemptState
from pos_app.domain.bill import Bill, BillStatus
from pos_app.services.collect import AttemptUpdate, CollectService, CounterIdentity
from pos_app.storage import Database, open_database
from pos_sandbox.server import SandboxServer
from tests.demo_bills import seed_demo_bills_if_empty
from tests.integration.collect.conftest import SandboxTimeClock, make_client

WAIT_S = 10.0
COUNTER = CounterIdentity(terminal_id="01", invoice_prefix="MAIN", clinic_name="Test Clinic")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        yield server


@pytest.fixture
def fresh(sandbox: SandboxServer) -> SandboxServer:
    sandbox.reset()
    sandbox.paymongo.configure(rate_limit_per_second=None)
    return sandbox


@pytest.fixture(scope="module")
def seeded_database_file(tmp_path_factory: pytest.TempPathFactory, sandbox: SandboxServer) -> Path:
    """Migrated and seeded once per module; each test gets its own copy (migrations are slow)."""
    path = tmp_path_factory.mktemp("template") / "counter.sqlite3"
    db = open_database(f"sqlite:///{path}")
    seed_demo_bills_if_empty(db, SandboxTimeClock(sandbox))
    db.dispose()
    return path


@pytest.fixture
def database(
    tmp_path: Path, fresh: SandboxServer, seeded_database_file: Path
) -> Iterator[Database]:
    path = tmp_path / "counter.sqlite3"
    shutil.copyfile(seeded_database_file, path)
    db = open_database(f"sqlite:///{path}")
    yield db
    db.dispose()


@contextmanager
def _service(
    database: Database, sandbox: SandboxServer, counter: CounterIdentity
) -> Iterator[CollectService]:
    with make_client(sandbox) as client:
        service = CollectService(database, client, SandboxTimeClock(sandbox), counter)
        try:
            yield service
        finally:
            service.close()


@pytest.fixture
def collect(database: Database, fresh: SandboxServer) -> Iterator[CollectService]:
    with _service(database, fresh, COUNTER) as service:
        yield service


@pytest.fixture
def keyed(database: Database, fresh: SandboxServer) -> Iterator[CollectService]:
    """A counter where the clinic turned keyed card entry on."""
    counter = CounterIdentity("01", "MAIN", "Test Clinic", keyed_card_enabled=True)
    with _service(database, fresh, counter) as service:
        yield service


def pending_bills(database: Database) -> list[Bill]:
    """Unpaid bills big enough for every method's minimum (PayMongo's is ₱20)."""
    with database.unit_of_work(read_only=True) as uow:
        bills = uow.bills.list_queue(BillStatus.PENDING, 50)
    return [bill for bill in bills if bill.balance.centavos >= 200_00]


def bill_now(database: Database, bill_id: int) -> Bill:
    with database.unit_of_work(read_only=True) as uow:
        bill = uow.bills.get(bill_id)
    assert bill is not None
    return bill


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Watched:
    """The monitor's listener: wakes the test when an attempt reaches a wanted state."""

    def __init__(self) -> None:
        self.updates: list[AttemptUpdate] = []
        self._changed = threading.Condition()

    def __call__(self, update: AttemptUpdate) -> None:
        with self._changed:
            self.updates.append(update)
            self._changed.notify_all()

    def wait_for(self, attempt_id: str, state: AttemptState) -> AttemptUpdate:
        def found() -> AttemptUpdate | None:
            return next(
                (
                    u
                    for u in self.updates
                    if u.attempt.id == attempt_id and u.attempt.state is state
                ),
                None,
            )

        with self._changed:
            assert self._changed.wait_for(lambda: found() is not None, timeout=WAIT_S)
            update = found()
        assert update is not None
        return update
