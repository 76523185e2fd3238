"""PostgreSQL through POS_APP_DATABASE_URL: the URL a clinic writes down, and its failures."""

from __future__ import annotations

import pytest

from pos_app.config import load_settings
from pos_app.domain.errors import StorageError
from pos_app.storage import open_database
from pos_app.storage.engine import create_storage_engine
from tests.integration.postgres_cluster import PostgresCluster


def test_plain_postgresql_url_uses_the_shipped_driver(postgres_cluster: PostgresCluster) -> None:
    url = postgres_cluster.new_database().replace("postgresql+psycopg://", "postgresql://")
    database = open_database(url)
    try:
        assert database.engine.dialect.driver == "psycopg"
        with database.unit_of_work(read_only=True) as uow:
            assert uow.bills.queue_rows() == []
    finally:
        database.dispose()


def test_database_url_from_the_environment_reaches_postgresql(
    postgres_cluster: PostgresCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = postgres_cluster.new_database()
    monkeypatch.setenv("POS_APP_DATABASE_URL", url)
    database = open_database(load_settings().database_url)
    try:
        assert database.engine.dialect.name == "postgresql"
    finally:
        database.dispose()


def test_unreachable_server_is_told_in_plain_words(postgres_cluster: PostgresCluster) -> None:
    url = postgres_cluster.url("kaha_test_nowhere").replace(
        f"port={postgres_cluster.port}", "port=1"
    )
    with pytest.raises(StorageError) as caught:
        open_database(url)
    assert "cannot be reached" in caught.value.user_message
    assert "database server is on" in caught.value.user_message


def test_missing_database_is_told_in_plain_words(postgres_cluster: PostgresCluster) -> None:
    with pytest.raises(StorageError) as caught:
        open_database(postgres_cluster.url("kaha_no_such_database"))
    assert "cannot be reached" in caught.value.user_message
    assert "kaha_no_such_database" in str(caught.value.detail)


def test_malformed_database_url_names_the_setting() -> None:
    with pytest.raises(StorageError) as caught:
        create_storage_engine("not a url at all")
    assert "database_url" in caught.value.user_message
