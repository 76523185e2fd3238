"""Attempts (with their keys), tenders and refunds round-trip as domain objects."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from pos_app.domain.attempt import AttemptEvent, AttemptState, PaymentAttempt
from pos_app.domain.errors import StorageError
from pos_app.domain.money import Money
from pos_app.domain.tender import Tender, TenderMethod
from pos_app.storage import Database
from tests.integration.storage.conftest import T0, make_bill, minutes


@pytest.fixture
def bill_id(db: Database) -> int:
    with db.unit_of_work() as uow:
        bill = uow.bills.add(make_bill())
        uow.commit()
    return bill.id


def _new_attempt(bill_id: int, method: TenderMethod = TenderMethod.QRPH) -> PaymentAttempt:
    return PaymentAttempt.new(bill_id=bill_id, method=method, amount=Money(350_000), at=T0)


def test_attempt_written_ahead_round_trips_with_its_keys(db: Database, bill_id: int) -> None:
    attempt = _new_attempt(bill_id)
    with db.unit_of_work() as uow:
        uow.attempts.add(attempt, terminal_id="01")
        uow.commit()
    with db.unit_of_work(read_only=True) as uow:
        loaded = uow.attempts.get(attempt.id)
        assert loaded == attempt
        assert loaded is not None
        assert dict(loaded.idempotency_keys) == dict(attempt.idempotency_keys)
        assert uow.attempts.find_by_idempotency_key(attempt.idempotency_keys["intent"]) == attempt
        assert uow.attempts.get("nope") is None


def test_transitioned_attempt_is_persisted(db: Database, bill_id: int) -> None:
    attempt = _new_attempt(bill_id)
    sent = attempt.apply(AttemptEvent.REQUEST_SENT, at=T0 + minutes(1))
    created = sent.saved().apply(
        AttemptEvent.INTENT_CREATED,
        at=T0 + minutes(2),
        paymongo_ids={"intent": "pi_abc123"},
        expires_at=T0 + minutes(32),
    )
    with db.unit_of_work() as uow:
        uow.attempts.add(attempt, terminal_id="01")
        uow.attempts.update(sent)
        uow.attempts.update(created)
        uow.commit()
    with db.unit_of_work(read_only=True) as uow:
        assert uow.attempts.get(attempt.id) == created
        assert uow.attempts.find_by_paymongo_id("pi_abc123") == created
        assert uow.attempts.find_by_paymongo_id("pi_other") is None


def test_list_open_skips_terminal_attempts(db: Database, bill_id: int) -> None:
    open_one = _new_attempt(bill_id)
    failed = _new_attempt(bill_id, TenderMethod.GCASH)
    failed = failed.apply(AttemptEvent.REQUEST_SENT, at=T0).apply(AttemptEvent.REJECTED, at=T0)
    assert failed.state in {AttemptState.FAILED}
    with db.unit_of_work() as uow:
        uow.attempts.add(open_one, terminal_id="01")
        uow.attempts.add(failed, terminal_id="01")
        uow.commit()
    with db.unit_of_work(read_only=True) as uow:
        assert [a.id for a in uow.attempts.list_open(terminal_id=None)] == [open_one.id]
        assert {a.id for a in uow.attempts.list_for_bill(bill_id)} == {open_one.id, failed.id}


def test_idempotency_key_cannot_change(db: Database, bill_id: int) -> None:
    attempt = _new_attempt(bill_id)
    with db.unit_of_work() as uow:
        uow.attempts.add(attempt, terminal_id="01")
        changed = PaymentAttempt(
            **{
                **{f: getattr(attempt, f) for f in attempt.__dataclass_fields__},
                "idempotency_keys": {**attempt.idempotency_keys, "intent": "another-key"},
                "came_from": attempt.state,
            }
        )
        with pytest.raises(StorageError):
            uow.attempts.update(changed)


def test_idempotency_keys_are_unique_across_attempts(db: Database, bill_id: int) -> None:
    first = _new_attempt(bill_id)
    copy_keys = PaymentAttempt(
        **{
            **{f: getattr(first, f) for f in first.__dataclass_fields__},
            "id": "another-attempt",
        }
    )
    with db.unit_of_work() as uow:
        uow.attempts.add(first, terminal_id="01")
        with pytest.raises(IntegrityError):
            uow.attempts.add(copy_keys, terminal_id="01")


def test_tender_round_trips_and_one_tender_per_attempt(db: Database, bill_id: int) -> None:
    attempt = _new_attempt(bill_id)
    with db.unit_of_work() as uow:
        uow.attempts.add(attempt, terminal_id="01")
        cash = uow.tenders.add(
            Tender(None, bill_id, TenderMethod.CASH, Money(50_000), None, Money(100_000)), at=T0
        )
        qr = uow.tenders.add(
            Tender(None, bill_id, TenderMethod.QRPH, Money(300_000), attempt.id),
            at=T0 + minutes(1),
        )
        uow.commit()
    assert cash.id is not None
    assert cash.change_due == Money(50_000)
    with db.unit_of_work() as uow:
        assert uow.tenders.list_for_bill(bill_id) == [cash, qr]
        assert uow.tenders.find_by_attempt(attempt.id) == qr
        with pytest.raises(IntegrityError):
            uow.tenders.add(
                Tender(None, bill_id, TenderMethod.QRPH, Money(300_000), attempt.id), at=T0
            )
