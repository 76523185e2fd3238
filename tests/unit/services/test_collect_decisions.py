"""The collect flows' pure decisions, each at its edge: which flow an attempt belongs to, when an
intent counts as not attached, what the patient is shown, and which lines a checkout page lists."""

from __future__ import annotations

import base64
import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from pos_app.domain.account_methods import AccountMethods
from pos_app.domain.attempt import AttemptState, PaymentAttempt
from pos_app.domain.bill import Bill, BillLine, BillStatus, Patient
from pos_app.domain.money import Money
from pos_app.domain.tender import TenderMethod
from pos_app.paymongo.models import LineItem, PaymentIntent
from pos_app.services.collect.checkout import line_items
from pos_app.services.collect.display import (
    intent_display,
    link_display,
    parse_paymongo_time,
    png_from_data_uri,
)
from pos_app.services.collect.intents import _ATTACHED, _not_attached
from pos_app.services.collect.sources import SOURCE_STEPS, is_source_attempt
from tests.unit.paymongo import wire

T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
S = AttemptState
PNG = b"\x89PNG\r\n\x1a\nfake"
PNG_URI = "data:image/png;base64," + base64.b64encode(PNG).decode()


def attempt(method: TenderMethod = TenderMethod.QRPH) -> PaymentAttempt:
    return PaymentAttempt.new(bill_id=7, method=method, amount=Money(150_000), at=T0)


def intent(status: str = "awaiting_payment_method", **over: Any) -> PaymentIntent:
    return PaymentIntent.from_answer(wire.answer(wire.intent(status, **over)))


# --- which flow ---------------------------------------------------------------------------------


def test_a_source_attempt_holds_source_keys_and_no_intent_key() -> None:
    full = attempt(TenderMethod.GCASH)
    source_only = dataclasses.replace(
        full, idempotency_keys={step: full.idempotency_keys[step] for step in SOURCE_STEPS}
    )
    assert is_source_attempt(source_only)
    assert not is_source_attempt(full)  # an intent key: the intent flow
    intent_only = dataclasses.replace(full, idempotency_keys={"intent": "k1", "method": "k2"})
    assert not is_source_attempt(intent_only)


def test_the_flows_tables_are_what_the_design_says() -> None:
    """Money at risk: a double charge (a source create without its stored key), a QR that
    lapsed read as nothing-yet (the attempt never closes), or a checkout that offers nothing."""
    assert SOURCE_STEPS == ("source", "payment")
    assert frozenset({S.AWAITING_PAYMENT, S.PROCESSING, S.CANCELLING}) == _ATTACHED
    assert AccountMethods.assumed().checkout_types() == [
        "card",
        "gcash",
        "paymaya",
        "grab_pay",
        "qrph",
    ]


def test_every_paymongo_method_but_checkout_has_an_intent_type() -> None:
    """Until PayMongo answers, every method in PayMongo's current spelling (19.1 item 1:
    ShopeePay is ``shopeepay``); a wrong type is an intent PayMongo refuses."""
    assumed = AccountMethods.assumed()
    assert {method: assumed.wire_type(method) for method in assumed.wire_types} == {
        TenderMethod.QRPH: "qrph",
        TenderMethod.GCASH: "gcash",
        TenderMethod.PAYMAYA: "paymaya",
        TenderMethod.GRAB_PAY: "grab_pay",
        TenderMethod.SHOPEE_PAY: "shopeepay",
        TenderMethod.CARD: "card",
    }


# --- attached or not ------------------------------------------------------------------------------


def test_not_attached_only_while_awaiting_a_method_without_an_error() -> None:
    assert _not_attached(intent("awaiting_payment_method"))
    declined = intent(
        "awaiting_payment_method",
        last_payment_error={"failed_code": "insufficient_funds", "failed_message": "No funds."},
    )
    assert not _not_attached(declined)
    assert not _not_attached(intent("awaiting_next_action"))
    assert not _not_attached(intent("processing"))


# --- what the patient is shown ---------------------------------------------------------------


def test_paymongo_times_with_nanoseconds_and_z_are_read() -> None:
    assert parse_paymongo_time("2026-12-07T01:02:03.123456789Z") == datetime(
        2026, 12, 7, 1, 2, 3, 123456, tzinfo=UTC
    )
    assert parse_paymongo_time(" 2026-12-07T01:02:03.5+08:00 ") == datetime(
        2026, 12, 7, 1, 2, 3, 500000, tzinfo=timezone(timedelta(hours=8))
    )
    assert parse_paymongo_time("2026-12-07T01:02:03Z") == datetime(2026, 12, 7, 1, 2, 3, tzinfo=UTC)


def test_a_time_without_a_zone_is_taken_as_utc() -> None:
    assert parse_paymongo_time("2026-12-07T01:02:03") == datetime(2026, 12, 7, 1, 2, 3, tzinfo=UTC)
    assert parse_paymongo_time("2026-12-07T01:02:03.1") == datetime(
        2026, 12, 7, 1, 2, 3, 100000, tzinfo=UTC
    )


def test_only_a_base64_png_data_uri_gives_an_image() -> None:
    assert png_from_data_uri(PNG_URI) == PNG
    assert png_from_data_uri("data:image/jpeg;base64," + base64.b64encode(PNG).decode()) is None
    assert png_from_data_uri("data:image/png;base64,@@not base64@@") is None
    assert png_from_data_uri("https://example.invalid/qr.png") is None


def test_a_link_is_shown_as_a_qr_of_the_link_with_no_expiry() -> None:
    paying = attempt(TenderMethod.GCASH)
    display = link_display(paying, "https://pay.example/x", "Ngiti Dental")
    assert display.clinic_name == "Ngiti Dental"
    assert (display.attempt_id, display.bill_id) == (paying.id, 7)
    assert (display.method, display.amount) == (TenderMethod.GCASH, Money(150_000))
    assert display.qr_text == display.url == "https://pay.example/x"
    assert display.qr_png is None
    assert display.expires_at is None
    assert display.clinic_name == "Ngiti Dental"


def test_an_intent_with_nothing_to_do_shows_nothing() -> None:
    assert intent_display(attempt(), intent(), "Clinic") is None
    no_code = intent("awaiting_next_action", next_action={"type": "consume_qr"})
    assert intent_display(attempt(), no_code, "Clinic") is None


def test_a_redirect_is_shown_as_its_link() -> None:
    redirect = intent(
        "awaiting_next_action",
        next_action={"type": "redirect", "redirect": {"url": "https://wallet.example/r"}},
    )
    display = intent_display(attempt(TenderMethod.PAYMAYA), redirect, "Clinic")
    assert display is not None
    assert display.url == display.qr_text == "https://wallet.example/r"
    assert display.clinic_name == "Clinic"
    assert display.qr_png is None


def test_a_qr_ph_code_is_shown_with_its_image_and_expiry() -> None:
    code = {"image_url": PNG_URI, "test_url": "https://t/x", "expires_at": "2026-12-07T01:30:00Z"}
    shown = intent("awaiting_next_action", next_action={"type": "consume_qr", "code": code})
    paying = attempt()
    display = intent_display(paying, shown, "Clinic")
    assert display is not None
    assert display.qr_png == PNG
    assert display.qr_text is None
    assert display.url == "https://t/x"
    assert display.expires_at == datetime(2026, 12, 7, 1, 30, tzinfo=UTC)
    assert (display.attempt_id, display.bill_id, display.amount) == (paying.id, 7, paying.amount)
    assert display.method is TenderMethod.QRPH
    assert display.clinic_name == "Clinic"
    without_expiry = intent(
        "awaiting_next_action", next_action={"type": "consume_qr", "code": {"image_url": PNG_URI}}
    )
    shown_without = intent_display(paying, without_expiry, "Clinic")
    assert shown_without is not None
    assert shown_without.expires_at is None


# --- checkout lines --------------------------------------------------------------------------


def bill(*, paid: int = 0, discount: int = 0) -> Bill:
    lines = (
        BillLine("D1110", "Cleaning", 1, Money(100_000)),
        BillLine("D2140", "Filling", 2, Money(25_000)),
    )
    return Bill(
        id=7,
        number="B-0007",
        patient=Patient(id=1, first_name="Maria", last_name="Santos"),
        clinic_name="Ngiti Dental",
        description="Cleaning and fillings",
        lines=lines,
        amount_due=Money(150_000 - discount),
        amount_paid=Money(paid),
        status=BillStatus.PENDING,
        updated_at=T0,
        discount=Money(discount),
    )


def test_the_whole_bill_lists_its_own_lines() -> None:
    assert line_items(bill(), Money(150_000)) == [
        LineItem(name="Cleaning", amount=100_000, quantity=1),
        LineItem(name="Filling", amount=25_000, quantity=2),
    ]


@pytest.mark.parametrize(
    ("the_bill", "amount"),
    [
        (bill(), Money(100_000)),  # a part payment
        (bill(paid=50_000), Money(150_000)),  # something already paid
        (bill(discount=30_000), Money(120_000)),  # discounted: the lines no longer add up
    ],
)
def test_anything_else_is_one_payment_line(the_bill: Bill, amount: Money) -> None:
    assert line_items(the_bill, amount) == [
        LineItem(name="Payment on bill B-0007", amount=amount.centavos, quantity=1)
    ]
