"""Invoice numbering and refunds."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from pos_app.domain.errors import AmountError, IllegalTransition
from pos_app.domain.invoice import InvoiceSeries, format_invoice_number
from pos_app.domain.money import Money
from pos_app.domain.refund import (
    REFUND_TERMINAL,
    REFUND_TRANSITIONS,
    Refund,
    RefundState,
    can_refund_through_api,
    map_refund_status,
)
from pos_app.domain.tender import TenderMethod

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def test_invoice_number_format() -> None:
    assert format_invoice_number("MAIN", "01", 123) == "MAIN-01-000123"
    assert format_invoice_number("main", "t-2", 1) == "MAIN-T-2-000001"
    assert format_invoice_number("MAIN", "01", 1234567) == "MAIN-01-1234567"


@pytest.mark.parametrize(
    ("prefix", "terminal", "sequence"),
    [("", "01", 1), ("MAIN", "", 1), ("MA IN", "01", 1), ("MAIN", "01", 0), ("MAIN", "01", -3)],
)
def test_invoice_number_refuses_bad_parts(prefix: str, terminal: str, sequence: int) -> None:
    with pytest.raises(ValueError):
        format_invoice_number(prefix, terminal, sequence)


def test_series_issues_consecutive_numbers_without_gaps() -> None:
    series = InvoiceSeries("MAIN", "01")
    numbers = []
    for bill_id in range(1, 4):
        series, invoice = series.issue(bill_id=bill_id, total=Money(100), at=NOW)
        numbers.append(invoice.number)
        assert invoice.sequence == series.last_sequence
        assert invoice.bill_id == bill_id
    assert numbers == ["MAIN-01-000001", "MAIN-01-000002", "MAIN-01-000003"]


def make_refund(manual: bool = False) -> Refund:
    ids = iter(UUID(int=n) for n in itertools.count(1))
    return Refund.new(
        bill_id=1,
        attempt_id=None if manual else "a" * 32,
        amount=Money(50000),
        reason="requested_by_customer",
        requested_by="ana",
        approved_by="boss",
        manual=manual,
        at=NOW,
        id_factory=lambda: next(ids),
    )


def test_new_refund_has_its_key_up_front() -> None:
    refund = make_refund()
    assert refund.state is RefundState.REQUESTED
    assert refund.id == UUID(int=1).hex
    assert refund.idempotency_key == UUID(int=2).hex
    assert refund.paymongo_refund_id is None


def test_refund_needs_an_amount_and_an_attempt_unless_manual() -> None:
    with pytest.raises(AmountError):
        Refund.new(
            bill_id=1,
            attempt_id="a",
            amount=Money.ZERO,
            reason="others",
            requested_by="ana",
            approved_by=None,
            manual=False,
            at=NOW,
        )
    with pytest.raises(ValueError):
        Refund.new(
            bill_id=1,
            attempt_id=None,
            amount=Money(100),
            reason="others",
            requested_by="ana",
            approved_by=None,
            manual=False,
            at=NOW,
        )
    assert make_refund(manual=True).manual


ALL_REFUND_PAIRS = list(itertools.product(RefundState, RefundState))


@pytest.mark.parametrize(("source", "target"), ALL_REFUND_PAIRS)
def test_refund_moves(source: RefundState, target: RefundState) -> None:
    from dataclasses import replace

    refund = replace(make_refund(), state=source)
    if (source, target) in REFUND_TRANSITIONS:
        assert refund.advance(target).state is target
    else:
        with pytest.raises(IllegalTransition):
            refund.advance(target)


def test_terminal_refunds_go_nowhere() -> None:
    assert {RefundState.SUCCEEDED, RefundState.FAILED} == REFUND_TERMINAL
    assert not any(source in REFUND_TERMINAL for source, _ in REFUND_TRANSITIONS)


def test_refund_keeps_its_paymongo_id() -> None:
    pending = make_refund().advance(RefundState.PENDING, paymongo_refund_id="ref_1")
    done = pending.advance(RefundState.SUCCEEDED, paymongo_refund_id="ref_1")
    assert done.paymongo_refund_id == "ref_1"
    with pytest.raises(IllegalTransition):
        pending.advance(RefundState.SUCCEEDED, paymongo_refund_id="ref_2")


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("pending", RefundState.PENDING),
        ("processing", RefundState.PENDING),
        ("succeeded", RefundState.SUCCEEDED),
        ("failed", RefundState.FAILED),
        ("new_thing", RefundState.PENDING),
    ],
)
def test_refund_status_mapping(status: str, state: RefundState) -> None:
    assert map_refund_status(status) is state


@pytest.mark.parametrize(
    ("method", "days", "allowed"),
    [
        (TenderMethod.CARD, 60, True),
        (TenderMethod.CARD, 61, False),
        (TenderMethod.GCASH, 180, True),
        (TenderMethod.GCASH, 181, False),
        (TenderMethod.GRAB_PAY, 90, True),
        (TenderMethod.GRAB_PAY, 91, False),
        (TenderMethod.PAYMAYA, 365, True),
        (TenderMethod.SHOPEE_PAY, 365, True),
        (TenderMethod.SHOPEE_PAY, 366, False),
        (TenderMethod.QRPH, 0, False),
        (TenderMethod.CASH, 0, False),
    ],
)
def test_api_refund_windows(method: TenderMethod, days: int, allowed: bool) -> None:
    assert can_refund_through_api(method, NOW, NOW + timedelta(days=days)) is allowed
