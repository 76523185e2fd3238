"""Bills, lines and tenders."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.bill import BILL_TERMINAL, Bill, BillLine, BillStatus, Patient
from pos_app.domain.errors import AmountError
from pos_app.domain.money import Money
from pos_app.domain.tender import Tender, TenderMethod, remaining, settled_amount

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
MARIA = Patient(id=1, first_name="Maria", last_name="Santos")


def make_bill(due: int, paid: int, status: BillStatus = BillStatus.PENDING) -> Bill:
    return Bill(
        id=1,
        number="B-0001",
        patient=MARIA,
        clinic_name="Ngiti Dental",
        description="Cleaning",
        lines=(BillLine("D1110", "Cleaning", 1, Money(due)),),
        amount_due=Money(due),
        amount_paid=Money(paid),
        status=status,
        updated_at=NOW,
    )


def test_patient_full_name() -> None:
    assert MARIA.full_name == "Maria Santos"
    assert Patient(2, " Jose ", "").full_name == "Jose"


def test_bill_line_total_and_validation() -> None:
    assert BillLine("D2140", "Filling", 3, Money(80000)).total == Money(240000)
    with pytest.raises(ValueError):
        BillLine("X", "x", -1, Money(1))
    with pytest.raises(TypeError):
        BillLine("X", "x", 1.5, Money(1))  # type: ignore[arg-type]


def test_bill_defaults_and_balance() -> None:
    bill = make_bill(150000, 50000, BillStatus.PARTIALLY_PAID)
    assert bill.discount == Money.ZERO
    assert bill.remote_id is None
    assert bill.balance == Money(100000)
    assert not bill.is_settled
    assert bill.accepts_payment
    assert bill.lines_total == Money(150000)


def test_overpaid_bill_has_zero_balance() -> None:
    bill = make_bill(100000, 120000, BillStatus.PAID)
    assert bill.balance == Money.ZERO
    assert bill.is_settled
    assert not bill.accepts_payment


def test_cancelled_bill_is_not_settled_and_takes_no_payment() -> None:
    bill = make_bill(100000, 0, BillStatus.CANCELLED)
    assert not bill.is_settled
    assert not bill.accepts_payment
    assert {BillStatus.PAID, BillStatus.CANCELLED, BillStatus.REFUNDED} == BILL_TERMINAL
    assert BillStatus.PAID.is_terminal
    assert not BillStatus.PENDING.is_terminal


@given(st.integers(0, 10**9), st.integers(0, 10**9))
def test_balance_plus_paid_covers_due(due: int, paid: int) -> None:
    bill = make_bill(due, paid)
    assert bill.balance + bill.amount_paid >= bill.amount_due
    assert bill.balance.centavos == max(0, due - paid)


def test_tender_method_labels() -> None:
    assert [m.label for m in TenderMethod] == [
        "Cash",
        "QR Ph",
        "GCash",
        "Maya",
        "GrabPay",
        "ShopeePay",
        "Card",
        "Card/e-wallet checkout",
    ]
    assert TenderMethod("grab_pay") is TenderMethod.GRAB_PAY
    assert TenderMethod("shopee_pay") is TenderMethod.SHOPEE_PAY
    assert TenderMethod.CASH.is_cash
    assert not TenderMethod.CASH.uses_paymongo
    assert TenderMethod.QRPH.uses_paymongo


def test_cash_tender_gives_change() -> None:
    tender = Tender(None, 1, TenderMethod.CASH, Money(125000), None, cash_tendered=Money(150000))
    assert tender.change_due == Money(25000)
    exact = Tender(None, 1, TenderMethod.CASH, Money(125000), None)
    assert exact.change_due == Money.ZERO


def test_cash_handed_over_must_cover_the_amount() -> None:
    with pytest.raises(AmountError, match="less than the amount"):
        Tender(None, 1, TenderMethod.CASH, Money(125000), None, cash_tendered=Money(100000))


def test_only_cash_has_cash_tendered() -> None:
    with pytest.raises(ValueError):
        Tender(None, 1, TenderMethod.QRPH, Money(100), "a1", cash_tendered=Money(100))


def test_split_tender_settles_and_remaining_never_goes_negative() -> None:
    tenders = [
        Tender(1, 1, TenderMethod.CASH, Money(50000), None),
        Tender(2, 1, TenderMethod.QRPH, Money(100000), "abc"),
    ]
    assert settled_amount(tenders) == Money(150000)
    assert remaining(Money(200000), tenders) == Money(50000)
    assert remaining(Money(150000), tenders) == Money.ZERO
    assert remaining(Money(100000), tenders) == Money.ZERO
    assert settled_amount([]) == Money.ZERO


def test_a_refunded_bill_owes_nothing_and_takes_no_payment() -> None:
    """Issue 14: a refund takes money off a paid bill; the patient owes nothing again."""
    part_refunded = make_bill(100000, 60000, BillStatus.PAID)
    assert part_refunded.balance.is_zero
    assert part_refunded.is_settled
    refunded = make_bill(100000, 0, BillStatus.REFUNDED)
    assert refunded.balance.is_zero
    assert refunded.is_settled
    assert not refunded.accepts_payment
