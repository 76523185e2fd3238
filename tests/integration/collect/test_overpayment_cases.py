"""Overpayment cases close only by a refund or by applying the money to the patient's open bill,
for a person whose role allows it, audited under their name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from pos_app.domain.attempt import AttemptState
from pos_app.domain.bill import BillStatus
from pos_app.domain.errors import PermissionDenied, UserFacingError
from pos_app.domain.money import Money
from pos_app.domain.refund import Refund, RefundState
from pos_app.domain.roles import Role
from pos_app.domain.tender import TenderMethod
from pos_app.services.access import AccessService
from pos_app.services.access.pins import ScryptParameters
from pos_app.services.collect import CollectService, CounterIdentity
from pos_app.services.overpayments import CaseStatus, OverpaymentService
from pos_app.services.refunds.port import (
    PaidBill,
    RefundChannel,
    RefundOptions,
    RefundView,
)
from pos_app.storage import Database
from pos_sandbox.server import SandboxServer
from tests.integration.collect.conftest import SandboxTimeClock

FAST = ScryptParameters(n=2**4, r=8, p=1)


@dataclass
class FakeRefunds:
    """The refund service's two ways of giving money back, writing the refund row itself."""

    database: Database
    state: RefundState = RefundState.PENDING
    made: list[Refund] = field(default_factory=list)

    def _make(
        self, bill_id: int, attempt_id: str | None, amount: Money, manual: bool
    ) -> RefundView:
        refund = Refund.new(
            bill_id=bill_id,
            attempt_id=attempt_id,
            amount=amount,
            reason="overpaid",
            requested_by="demo-staff",
            approved_by=None,
            manual=manual,
            at=datetime.now(UTC),
        )
        if self.state is not RefundState.REQUESTED:
            refund = refund.advance(self.state)
        with self.database.unit_of_work() as uow:
            uow.refunds.add(refund)
            uow.commit()
        self.made.append(refund)
        return RefundView(refund, "", "", None, None, None, "B", None)

    def set_state(self, refund: Refund, state: RefundState) -> None:
        with self.database.unit_of_work() as uow:
            uow.refunds.update(refund.advance(state))
            uow.commit()

    def refund_through_paymongo(
        self,
        bill_id: int,
        attempt_id: str,
        amount: Money,
        reason: str,
        notes: str,
        *,
        tender_id: int | None = None,
    ) -> RefundView:
        return self._make(bill_id, attempt_id, amount, manual=False)

    def refund_by_hand(
        self,
        bill_id: int,
        attempt_id: str | None,
        amount: Money,
        reason: str,
        notes: str,
        *,
        channel: RefundChannel,
        reference: str | None,
        tender_id: int | None = None,
    ) -> RefundView:
        return self._make(bill_id, attempt_id, amount, manual=True)

    def find(self, text: str) -> list[PaidBill]:
        raise NotImplementedError

    def options(self, bill_id: int) -> RefundOptions:
        raise NotImplementedError

    def check(self, refund_id: str) -> RefundView:
        raise NotImplementedError

    def open_refunds(self) -> Sequence[RefundView]:
        raise NotImplementedError

    def print_slip(self, refund_id: str) -> str:
        raise NotImplementedError


def _late_case(collect: CollectService, database: Database, fresh: SandboxServer) -> str:
    """A QR Ph code cancelled, then paid anyway: the bill stays open, the money is a case."""
    with database.unit_of_work(read_only=True) as uow:
        bill = next(
            b for b in uow.bills.list_queue(BillStatus.PENDING, 50) if b.amount_due > Money(300_00)
        )
    update = collect.start(bill.id, TenderMethod.QRPH, Money(200_00))
    collect.cancel(update.attempt.id)
    fresh.paymongo.pay_late(update.attempt.paymongo_ids["intent"])
    assert collect.refresh(update.attempt.id).attempt.state is AttemptState.NEEDS_REVIEW
    return update.attempt.id


@pytest.fixture
def people(database: Database, fresh: SandboxServer) -> AccessService:
    access = AccessService(database, SandboxTimeClock(fresh), kdf=FAST)
    access.add_person("Olive Owner", Role.OWNER, "9999", by="test")
    access.add_person("Ana Staff", Role.STAFF, "2468", by="test")
    access.add_person("Rico Desk", Role.RECEPTIONIST, "1357", by="test")
    return access


def _service(
    database: Database, fresh: SandboxServer, access: AccessService, refunds: FakeRefunds
) -> OverpaymentService:
    counter = CounterIdentity(terminal_id="01", invoice_prefix="MAIN", clinic_name="Test Clinic")
    return OverpaymentService(database, SandboxTimeClock(fresh), access, refunds, counter)


def test_applying_a_case_to_the_patients_open_bill_records_a_tender_and_closes_it(
    collect: CollectService, database: Database, fresh: SandboxServer, people: AccessService
) -> None:
    attempt_id = _late_case(collect, database, fresh)
    service = _service(database, fresh, people, FakeRefunds(database))
    [case] = service.cases()
    assert case.status is CaseStatus.OPEN
    assert case.why == "paid after its QR code was closed"
    [target] = [b for b in service.open_bills_for(attempt_id) if b.id == case.attempt.bill_id]

    people.sign_in("Rico Desk", "1357")
    with pytest.raises(PermissionDenied):
        service.apply_to_bill(attempt_id, target.id)
    assert len(service.cases()) == 1

    people.sign_in("Ana Staff", "2468")
    applied = service.apply_to_bill(attempt_id, target.id, "patient asked")
    assert applied.bill.amount_paid == target.amount_paid + Money(200_00)
    assert service.cases() == []
    with database.unit_of_work(read_only=True) as uow:
        assert uow.attempts.get(attempt_id).state is AttemptState.SUCCEEDED  # type: ignore[union-attr]
        [tender] = uow.tenders.list_for_bill(target.id)
        assert tender.amount == Money(200_00)
        assert tender.method is TenderMethod.QRPH
        assert any(row.bill_id == target.id for row in uow.outbox.next_batch(limit=50))
        actions = {(e.actor, e.action) for e in uow.audit.entries()}
    assert ("Ana Staff", "overpayment_applied") in actions
    assert ("Ana Staff", "tender_recorded") in actions
    with pytest.raises(UserFacingError, match="already dealt with"):
        service.apply_to_bill(attempt_id, target.id)


def test_a_refund_closes_the_case_once_it_succeeds_and_a_failed_one_opens_it_again(
    collect: CollectService, database: Database, fresh: SandboxServer, people: AccessService
) -> None:
    attempt_id = _late_case(collect, database, fresh)
    refunds = FakeRefunds(database)
    service = _service(database, fresh, people, refunds)
    people.sign_in("Ana Staff", "2468")

    service.refund(attempt_id, reason="paid twice", through_paymongo=True)
    [pending] = service.cases()
    assert pending.status is CaseStatus.REFUND_PENDING
    with pytest.raises(UserFacingError, match="already on its way"):
        service.refund(attempt_id, reason="again", through_paymongo=True)
    refunds.set_state(refunds.made[-1], RefundState.FAILED)
    [reopened] = service.cases()
    assert reopened.status is CaseStatus.OPEN

    refunds.state = RefundState.SUCCEEDED  # by hand: handed over at once
    service.refund(
        attempt_id, reason="paid twice", through_paymongo=False, channel=RefundChannel.CASH
    )
    assert service.cases() == []
    with database.unit_of_work(read_only=True) as uow:
        assert uow.attempts.get(attempt_id).state is AttemptState.SUCCEEDED  # type: ignore[union-attr]
        actions = [(e.actor, e.action) for e in uow.audit.entries()]
    assert ("Ana Staff", "overpayment_refunded") in actions
    assert ("paymongo", "overpayment_refund_failed") in actions


def test_money_partly_refunded_from_its_own_bill_cannot_also_go_to_another_bill(
    collect: CollectService, database: Database, fresh: SandboxServer, people: AccessService
) -> None:
    attempt_id = _late_case(collect, database, fresh)
    refunds = FakeRefunds(database)
    service = _service(database, fresh, people, refunds)
    [case] = service.cases()
    [target] = [b for b in service.open_bills_for(attempt_id) if b.id == case.attempt.bill_id]
    # Counter -> Refund... on the case's own bill gives part of the money back by hand
    refunds.state = RefundState.SUCCEEDED
    refunds.refund_by_hand(
        case.attempt.bill_id,
        attempt_id,
        Money(50_00),
        "patient asked",
        "",
        channel=RefundChannel.CASH,
        reference=None,
    )
    people.sign_in("Ana Staff", "2468")

    with pytest.raises(UserFacingError, match=r"₱50\.00 of this money was already refunded"):
        service.apply_to_bill(attempt_id, target.id)

    with database.unit_of_work(read_only=True) as uow:
        assert uow.tenders.list_for_bill(target.id) == []
        assert uow.attempts.get(attempt_id).state is AttemptState.NEEDS_REVIEW  # type: ignore[union-attr]
