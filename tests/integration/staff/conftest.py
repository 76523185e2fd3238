"""A counter database (SQLite file) and an access service on a fake clock, with cheap hashing
(the real parameters are tested on their own in test_pins)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pos_app.domain.clock import FakeClock
from pos_app.services.access import AccessService
from pos_app.services.access.pins import ScryptParameters
from pos_app.storage import Database, open_database

FAST_KDF = ScryptParameters(n=2**4, r=8, p=1)


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "kaha.db"


@pytest.fixture
def database(db_file: Path) -> Iterator[Database]:
    database = open_database(f"sqlite:///{db_file}")
    yield database
    database.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def access(database: Database, clock: FakeClock) -> AccessService:
    return AccessService(database, clock, kdf=FAST_KDF)
