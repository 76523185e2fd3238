"""Edges of the smaller domain rules that mutation testing found untested: exact cash, a zero
quantity, what a new refund keeps and where it moves, invoice numbering's refusals, who may do
what and the words that say so."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from pos_app.domain.bill import Bill, BillLine, Patient
from pos_app.domain.bill_summary import BillStatus, BillSummary
from pos_app.domain.errors import AmountError, PermissionDenied
from pos_app.domain.invoice import InvoiceSeries, format_invoice_number
from pos_app.domain.money import Money
from pos_app.domain.refund import Refund, RefundState
from pos_app.domain.roles import Permission, Role, can, require
from pos_app.domain.tender import SOURCE_METHODS, Tender, TenderMethod

T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


def test_cash_exactly_the_amount_is_accepted_with_no_change() -> None:
    tender = Tender(None, 1, TenderMethod.CASH, Money(50_000), None, cash_tendered=Money(50_000))
    assert tender.cash_tendered == Money(50_000)


def test_a_centavo_short_is_refused_in_plain_words() -> None:
    with pytest.raises(AmountError) as caught:
        Tender(None, 1, TenderMethod.CASH, Money(50_000), None, cash_tendered=Money(49_999))
    assert caught.value.user_message == (
        "The cash received (₱499.99) is less than the amount to pay (₱500.00). "
        "Please check the cash, or lower the amount for a part payment."
    )


def test_only_gcash_and_grabpay_take_the_source_flow() -> None:
    assert {TenderMethod.GCASH, TenderMethod.GRAB_PAY} == SOURCE_METHODS


def test_a_zero_quantity_line_is_allowed_and_a_negative_one_is_not() -> None:
    assert BillLine("X", "Waived", 0, Money(100)).total == Money.ZERO
    with pytest.raises(ValueError, match="quantity must not be negative, got -1"):
        BillLine("X", "x", -1, Money(1))


# --- refunds -----------------------------------------------------------------------------------


def new_refund(*, manual: bool = False) -> Refund:
    counter = iter(range(1, 10))
    return Refund.new(
        bill_id=12,
        attempt_id=None if manual else "att_1",
        amount=Money(20_000),
        reason="double payment",
        requested_by="maria",
        approved_by="jose",
        manual=manual,
        at=T0,
        id_factory=lambda: UUID(int=next(counter)),
    )


def test_a_new_refund_keeps_everything_it_was_given() -> None:
    """Money at risk: the amount given back, and to which bill and payment."""
    refund = new_refund()
    assert refund.id == UUID(int=1).hex
    assert refund.idempotency_key == UUID(int=2).hex
    assert (refund.bill_id, refund.attempt_id, refund.amount) == (12, "att_1", Money(20_000))
    assert (refund.reason, refund.requested_by, refund.approved_by) == (
        "double payment",
        "maria",
        "jose",
    )
    assert refund.state is RefundState.REQUESTED
    assert refund.paymongo_refund_id is None
    assert refund.created_at == T0
    assert refund.manual is False
    assert new_refund(manual=True).manual is True


def test_advancing_with_a_paymongo_id_moves_the_state_too() -> None:
    pending = new_refund().advance(RefundState.PENDING, paymongo_refund_id="ref_1")
    assert pending.state is RefundState.PENDING
    assert pending.paymongo_refund_id == "ref_1"


def test_a_zero_refund_is_refused_in_plain_words() -> None:
    with pytest.raises(AmountError) as caught:
        Refund.new(
            bill_id=1,
            attempt_id="a",
            amount=Money.ZERO,
            reason="r",
            requested_by="m",
            approved_by=None,
            manual=False,
            at=T0,
        )
    assert caught.value.user_message == (
        "A refund needs an amount above zero. Please type how much to give back."
    )


# --- invoice numbering ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "terminal", "named"),
    [("MA IN", "01", "prefix"), ("MAIN", "0 1", "terminal_id")],
)
def test_a_bad_code_is_named(prefix: str, terminal: str, named: str) -> None:
    with pytest.raises(ValueError, match=f"^{named} must be letters and digits"):
        format_invoice_number(prefix, terminal, 1)


@pytest.mark.parametrize("sequence", [True, 1.0, "1"])
def test_a_sequence_must_be_a_real_int(sequence: object) -> None:
    with pytest.raises(ValueError, match="sequence must be an int from 1"):
        format_invoice_number("MAIN", "01", sequence)  # type: ignore[arg-type]


def test_issuing_numbers_the_invoice_and_advances_the_series() -> None:
    series, invoice = InvoiceSeries("main", "t1", 41).issue(bill_id=9, total=Money(1), at=T0)
    assert series == InvoiceSeries("main", "t1", 42)
    assert invoice.number == "MAIN-T1-000042"
    assert (invoice.terminal_id, invoice.sequence, invoice.bill_id) == ("t1", 42, 9)
    assert (invoice.issued_at, invoice.total) == (T0, Money(1))


# --- who may do what ------------------------------------------------------------------------------


def test_staff_close_the_day_and_receptionists_do_not() -> None:
    assert can(Role.STAFF, Permission.Z_READING)
    assert not can(Role.RECEPTIONIST, Permission.Z_READING)


def test_a_refusal_names_who_to_ask() -> None:
    with pytest.raises(PermissionDenied) as caught:
        require(Role.STAFF, Permission.VOID)
    assert caught.value.user_message == (
        "Your account can't void an invoice. Please ask a manager or owner to do it or to sign in."
    )
    with pytest.raises(PermissionDenied) as refund:
        require(Role.RECEPTIONIST, Permission.REFUND)
    assert refund.value.user_message == (
        "Your account can't give refunds. "
        "Please ask a staff, manager or owner to do it or to sign in."
    )


# --- the bill queue's rows ---------------------------------------------------------------------


def test_a_queue_row_from_stored_columns() -> None:
    row = BillSummary.from_columns(
        5, "B-5", " Maria ", " Santos ", "Cleaning", 150_000, 50_000, "partially_paid", T0
    )
    assert row == BillSummary(
        5,
        "B-5",
        "Maria Santos",
        "Cleaning",
        Money(150_000),
        Money(50_000),
        BillStatus.PARTIALLY_PAID,
        T0,
    )
    assert row.balance == Money(100_000)
    assert BillSummary.from_columns(
        6, "B-6", "", " Lola ", "x", 1, 0, "pending", T0
    ).patient_name == ("Lola")


def test_an_overpaid_row_owes_nothing() -> None:
    row = BillSummary(1, "B-1", "M", "x", Money(100), Money(150), BillStatus.PAID, T0)
    assert row.balance == Money.ZERO


def test_a_queue_row_of_a_bill_keeps_every_field() -> None:
    bill = Bill(
        id=3,
        number="B-3",
        patient=Patient(id=1, first_name="Jose", last_name="Rizal"),
        clinic_name="Ngiti Dental",
        description="Filling",
        lines=(BillLine("D2140", "Filling", 1, Money(80_000)),),
        amount_due=Money(80_000),
        amount_paid=Money(10_000),
        status=BillStatus.PARTIALLY_PAID,
        updated_at=T0,
    )
    assert BillSummary.of(bill) == BillSummary(
        3,
        "B-3",
        "Jose Rizal",
        "Filling",
        Money(80_000),
        Money(10_000),
        BillStatus.PARTIALLY_PAID,
        T0,
    )


def test_only_paid_cancelled_and_refunded_bills_are_closed() -> None:
    closed = {s for s in BillStatus if s.is_terminal}
    assert closed == {BillStatus.PAID, BillStatus.CANCELLED, BillStatus.REFUNDED}
