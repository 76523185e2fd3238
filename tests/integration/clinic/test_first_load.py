"""A first load commits its pages without waiting for the disk; nothing else does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.engine import Connection

from pos_app.domain.clock import FakeClock
from pos_app.domain.money import Money
from pos_app.services.clinic_sync import ClinicSync
from pos_app.storage import Database
from pos_app.storage.engine import SYNCHRONOUS_FULL, verify_sqlite_durability
from tests.integration.clinic.conftest import ClinicServer, open_bills, take_cash

NORMAL = 1


@pytest.fixture
def commits(database: Database) -> Iterator[list[int]]:
    """``PRAGMA synchronous`` of the connection at every commit, in order."""
    seen: list[int] = []

    def record(connection: Connection) -> None:
        raw: Any = connection.connection.dbapi_connection
        seen.append(raw.execute("PRAGMA synchronous").fetchone()[0])

    event.listen(database.engine, "commit", record)
    yield seen
    event.remove(database.engine, "commit", record)


def _pooled_synchronous(database: Database) -> list[int]:
    with (
        database.engine.connect() as first,
        database.engine.connect() as second,
        database.engine.connect() as third,
    ):
        found = []
        for connection in (first, second, third):
            raw: Any = connection.connection.dbapi_connection
            found.append(raw.execute("PRAGMA synchronous").fetchone()[0])
        return found


def test_first_load_pages_commit_with_normal_sync_and_the_pool_stays_full(
    sync: ClinicSync, server: ClinicServer, database: Database, commits: list[int]
) -> None:
    report = sync.run(push=False)
    assert report.pull is not None
    pages = report.pull.pages
    assert pages > 2
    # every page with its cursor on the first load's connection; the bookkeeping around it FULL
    assert commits.count(NORMAL) == pages
    assert commits[-1] == SYNCHRONOUS_FULL
    assert _pooled_synchronous(database) == [SYNCHRONOUS_FULL] * 3
    verify_sqlite_durability(database.engine)


def test_payments_and_pulls_after_the_first_load_commit_with_full_sync(
    sync: ClinicSync,
    server: ClinicServer,
    control: httpx.Client,
    database: Database,
    commits: list[int],
    clock: FakeClock,
) -> None:
    sync.run(push=False)
    commits.clear()
    bill = open_bills(database, 1)[0]
    take_cash(database, clock, bill.id, Money(100))
    control.patch(f"/_control/bills/{bill.remote_id}", json={"description": "changed"})
    report = sync.run()  # the changed bill pulled, the cash sent
    assert report.pull is not None
    assert report.pull.pulled == 1
    assert report.push is not None
    assert report.push.sent == 1
    assert commits
    assert set(commits) == {SYNCHRONOUS_FULL}
