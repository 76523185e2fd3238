"""Refunds round-trip; their idempotency keys are unique and never change."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy.exc import IntegrityError

from pos_app.domain.errors import StorageError
from pos_app.domain.money import Money
from pos_app.domain.refund import Refund, RefundState
from pos_app.storage import Database
from tests.integration.storage.conftest import T0, make_bill, minutes


def _refund(bill_id: int, refund_id: str = "rf-1", key: str = "key-rf-1") -> Refund:
    return Refund(
        id=refund_id,
        bill_id=bill_id,
        attempt_id=None,
        amount=Money(50_000),
        reason="requested_by_customer",
        state=RefundState.REQUESTED,
        paymongo_refund_id=None,
        idempotency_key=key,
        requested_by="ana",
        approved_by="boss",
        created_at=T0,
        manual=False,
    )


@pytest.fixture
def bill_id(db: Database) -> int:
    with db.unit_of_work() as uow:
        bill = uow.bills.add(make_bill())
        uow.commit()
    return bill.id


def test_refund_round_trips_and_updates(db: Database, bill_id: int) -> None:
    requested = _refund(bill_id)
    with db.unit_of_work() as uow:
        uow.refunds.add(requested)
        uow.commit()
    succeeded = replace(requested, state=RefundState.SUCCEEDED, paymongo_refund_id="ref_abc")
    with db.unit_of_work() as uow:
        assert uow.refunds.get("rf-1") == requested
        assert uow.refunds.list_open() == [requested]
        uow.refunds.update(succeeded)
        uow.commit()
    with db.unit_of_work(read_only=True) as uow:
        assert uow.refunds.get("rf-1") == succeeded
        assert uow.refunds.find_by_paymongo_id("ref_abc") == succeeded
        assert uow.refunds.list_open() == []
        assert uow.refunds.list_for_bill(bill_id) == [succeeded]


def test_manual_refund_round_trips(db: Database, bill_id: int) -> None:
    manual = replace(_refund(bill_id), manual=True, created_at=T0 + minutes(3))
    with db.unit_of_work() as uow:
        uow.refunds.add(manual)
        uow.commit()
    with db.unit_of_work(read_only=True) as uow:
        assert uow.refunds.get(manual.id) == manual


def test_refund_idempotency_key_is_unique_and_fixed(db: Database, bill_id: int) -> None:
    with db.unit_of_work() as uow:
        uow.refunds.add(_refund(bill_id))
        with pytest.raises(StorageError):
            uow.refunds.update(replace(_refund(bill_id), idempotency_key="other"))
        with pytest.raises(IntegrityError):
            uow.refunds.add(_refund(bill_id, refund_id="rf-2"))
