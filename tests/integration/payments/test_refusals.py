"""When PayMongo refuses or cannot be reached, the receptionist is told so and can take cash."""

from __future__ import annotations

import pytest

from pos_app.domain.bill import BillStatus
from pos_app.domain.errors import UserFacingError
from pos_app.domain.money import Money
from pos_app.domain.tender import TenderMethod
from pos_app.services.collect import CollectService
from pos_app.storage import Database
from pos_sandbox.faults import FaultRule
from pos_sandbox.server import SandboxServer
from tests.integration.payments.conftest import pending_bills


def test_below_paymongos_minimum_is_refused_and_cash_still_works(
    collect: CollectService, database: Database
) -> None:
    bill = pending_bills(database)[0]
    with pytest.raises(UserFacingError):
        collect.start(bill.id, TenderMethod.QRPH, Money(10_00))
    assert collect.pay_cash(bill.id, bill.balance, bill.balance).bill.status is BillStatus.PAID


def test_paymongo_unreachable_then_cash(
    collect: CollectService, database: Database, fresh: SandboxServer
) -> None:
    bill = pending_bills(database)[0]
    fresh.paymongo_faults.add(FaultRule(kind="error", status=503, path_regex="^/v1/"))
    with pytest.raises(UserFacingError):
        collect.start(bill.id, TenderMethod.QRPH, bill.balance)
    assert collect.pay_cash(bill.id, bill.balance, bill.balance).bill.status is BillStatus.PAID
