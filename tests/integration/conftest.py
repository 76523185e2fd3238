"""Integration-wide fixtures: the two database backends Kaha runs on.

Tests that take ``backend`` (directly or through ``empty_db_url`` / ``migrated_db_url``) run twice:
on a SQLite file (the counter's own database) and on a fresh database in one throwaway
PostgreSQL server started for the whole session (several counters sharing one database).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pos_app.storage import open_database
from tests.integration.postgres_cluster import PostgresCluster, start_cluster

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    cluster = start_cluster()
    yield cluster
    cluster.stop()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'kaha.db'}"


@pytest.fixture
def empty_db_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """A database with no schema yet, on each backend."""
    if backend == "sqlite":
        return _sqlite_url(tmp_path)
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    return cluster.new_database()


@pytest.fixture
def migrated_db_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """A database whose schema is at head (SQLite: migrated when first opened; PostgreSQL: a
    copy of one database migrated once per session)."""
    if backend == "sqlite":
        return _sqlite_url(tmp_path)
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    return cluster.new_database(template=cluster.migrated_template(open_database))
