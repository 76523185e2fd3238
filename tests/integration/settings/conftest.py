"""A counter database with the demo people, the settings as a fresh counter loads them, and a
keyring in memory; the settings service with someone signed in or not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pos_app.config import Settings, load_settings
from pos_app.domain.clock import FakeClock
from pos_app.services.access import AccessService, prepare_demo_people
from pos_app.services.settings_service import SettingsService
from pos_app.storage import Database, open_database
from tests.memory_keyring import MemoryKeyring, using_keyring


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        {"POS_APP_DATA_DIR": str(tmp_path / "data"), "POS_APP_CONFIG_DIR": str(tmp_path / "cfg")}
    )


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    database = open_database(settings.database_url)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def access(database: Database, clock: FakeClock) -> AccessService:
    prepare_demo_people(database, clock, sandbox=True)
    return AccessService(database, clock)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    with using_keyring(MemoryKeyring()) as backend:
        assert isinstance(backend, MemoryKeyring)
        yield backend


@pytest.fixture
def service(
    settings: Settings, database: Database, access: AccessService, clock: FakeClock
) -> SettingsService:
    return SettingsService(settings, database, access, clock)
