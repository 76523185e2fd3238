"""Issue 15 item 3: the senior/PWD discount service — applied before collecting, refused once
money is taken (in plain words), stored with the bill and in the audit log."""

from __future__ import annotations

import pytest

from pos_app.domain.bill_summary import BillStatus
from pos_app.domain.discount import DiscountKind, VatStatus, senior_pwd_discount
from pos_app.domain.errors import DiscountRefused
from pos_app.domain.money import Money
from pos_app.services.collect import CollectService
from pos_app.services.discounts import AUDIT_ACTION, DiscountService, SeniorPwdId
from pos_app.storage import Database

CARD = SeniorPwdId(DiscountKind.PWD, "PWD ID (NCDA)", "13-7404-000-0012345", "Ramon Reyes")


def _open_bill(database: Database) -> int:
    with database.unit_of_work(read_only=True) as uow:
        bill = uow.bills.list_queue(BillStatus.PENDING, 1)[0]
    return bill.id


def test_the_discount_is_refused_after_a_part_payment(
    database: Database, collect: CollectService
) -> None:
    bill_id = _open_bill(database)
    collect.pay_cash(bill_id, Money(10_000), Money(10_000))  # ₱100.00 on account

    service = DiscountService(database, VatStatus.NON_VAT)
    with pytest.raises(DiscountRefused, match="already has a payment") as refused:
        service.apply(bill_id, CARD)
    assert "Apply it before collecting" in refused.value.user_message
    with database.unit_of_work(read_only=True) as uow:
        bill = uow.bills.get(bill_id)
        assert bill is not None
        assert bill.discount.is_zero
        assert not uow.audit.details_of(AUDIT_ACTION)


def test_one_20_percent_before_collecting_stored_and_audited(database: Database) -> None:
    bill_id = _open_bill(database)
    with database.unit_of_work(read_only=True) as uow:
        before = uow.bills.get(bill_id)
    assert before is not None
    service = DiscountService(database, VatStatus.NON_VAT)
    after = service.apply(bill_id, CARD)
    expected = senior_pwd_discount(before.amount_due, VatStatus.NON_VAT)
    assert after.amount_due == expected.due
    assert after.discount == expected.discount
    with pytest.raises(DiscountRefused, match="Only one 20% applies"):
        service.apply(bill_id, CARD)  # never stacked
    with database.unit_of_work(read_only=True) as uow:
        [(_, details)] = uow.audit.details_of(AUDIT_ACTION, subject=f"bill:{bill_id}")
    assert details["id_number"] == CARD.id_number
    assert details["name_on_id"] == "Ramon Reyes"


@pytest.mark.parametrize(
    ("card", "words"),
    [
        (SeniorPwdId(DiscountKind.SENIOR, "OSCA senior citizen ID", "", "Ana Cruz"), "ID number"),
        (SeniorPwdId(DiscountKind.SENIOR, "OSCA senior citizen ID", "12", "Ana Cruz"), "3 or more"),
        (SeniorPwdId(DiscountKind.SENIOR, "OSCA senior citizen ID", "A-123", " "), "name"),
        (SeniorPwdId(DiscountKind.PROMO, "x", "A-123", "Ana Cruz"), "senior citizen or PWD"),
    ],
)
def test_id_details_are_checked_in_plain_words(card: SeniorPwdId, words: str) -> None:
    with pytest.raises(DiscountRefused, match=words):
        card.checked()
