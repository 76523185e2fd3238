"""A first load commits its pages without waiting for the disk (nothing else does), and pages
already fetched are stored together."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.engine import Connection

from pos_app.clinic import BillPage, ClinicClient, Cursor
from pos_app.domain.clock import FakeClock
from pos_app.domain.money import Money
from pos_app.services.clinic_sync import ClinicSync, PullProgress
from pos_app.storage import Database, open_database
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


class Killed(Exception):
    """Stands for the process dying between two commits."""


class _HoldsTheFirstCommit(ClinicClient):
    """Keeps the counter's database locked from the first page until three more were asked for,
    so the pages fetched meanwhile wait to be stored together."""

    def __init__(self, database_file: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._lock = sqlite3.connect(database_file, isolation_level=None, check_same_thread=False)
        self.calls = 0

    def bills_after(self, cursor: Cursor | None, page_size: int = 500) -> BillPage:
        self.calls += 1
        if self.calls == 1:
            self._lock.execute("BEGIN IMMEDIATE")
        if self.calls == 4:
            self._lock.execute("ROLLBACK")
        return super().bills_after(cursor, page_size)

    def close(self) -> None:
        self._lock.close()
        super().close()


def test_pages_fetched_meanwhile_are_stored_together_and_a_kill_resumes_after_them(
    server: ClinicServer, client: ClinicClient, database: Database, tmp_path: Path
) -> None:
    fresh_db = open_database(f"sqlite:///{tmp_path / 'fresh.db'}")
    ClinicSync(fresh_db, client, FakeClock(), page_size=20).run(push=False)
    fresh_db.dispose()
    requests_of_a_whole_sync = len(server.log.entries(path_prefix="/api/billing/"))
    assert database.sqlite_file is not None
    slow = _HoldsTheFirstCommit(database.sqlite_file, base_url=server.url, token=server.token)
    sync = ClinicSync(database, slow, FakeClock(), page_size=20, pages_per_commit=3)
    commits: list[PullProgress] = []

    def die_at_the_second_commit(progress: PullProgress) -> None:
        commits.append(progress)
        if len(commits) == 2:
            raise Killed

    sync.subscribe_progress(die_at_the_second_commit)
    with pytest.raises(Killed):
        sync.run()
    stored = sync.status().bills_from_clinic
    assert stored == commits[-1].done  # what progress said is what is stored, cursor with it
    # two commits stored at least three pages: those fetched while the first waited went together
    assert stored >= 60
    server.log.clear()
    report = ClinicSync(database, client, FakeClock(), page_size=20).run(push=False)
    total = len(server.state.bill_ids())
    assert report.pull is not None
    assert report.pull.pulled == total - stored
    # the stored pages are not asked for again; the rest are
    assert len(server.log.entries(path_prefix="/api/billing/")) == (
        requests_of_a_whole_sync - stored // 20
    )
    slow.close()
