"""The health panel's count of open payments past their QR's or link's expiry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from pos_app.domain.attempt import AttemptEvent, PaymentAttempt
from pos_app.domain.clock import FakeClock
from pos_app.domain.money import Money
from pos_app.domain.tender import TenderMethod
from pos_app.services.clinic_sync.health import read_health
from pos_app.storage import Database, open_database
from tests.integration.storage.conftest import T0, make_bill


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path / 'counter.sqlite3'}")
    yield db
    db.dispose()


def _shown(bill_id: int, expires_in: timedelta | None) -> PaymentAttempt:
    attempt = PaymentAttempt.new(
        bill_id=bill_id, method=TenderMethod.QRPH, amount=Money(500), at=T0
    )
    expires_at = None if expires_in is None else T0 + expires_in
    return attempt.apply(AttemptEvent.REQUEST_SENT, at=T0).apply(
        AttemptEvent.AWAITING, at=T0, expires_at=expires_at
    )


def test_open_payments_at_or_past_their_expiry_are_counted(database: Database) -> None:
    with database.unit_of_work() as uow:
        bill = uow.bills.add(make_bill())
        for expires_in in (timedelta(minutes=5), timedelta(minutes=10), None):
            uow.attempts.add(_shown(bill.id, expires_in), terminal_id="01")
        uow.commit()
    health = read_health(
        database,
        FakeClock(T0 + timedelta(minutes=10)),  # the second lapses this very moment
        terminal_id="01",
        paymongo="sandbox",
        clinic=None,
        webhook_url=None,
    )
    assert (health.open_payments, health.past_expiry) == (3, 2)
