"""Edges of turning PayMongo's error answers into the error tree, found by mutation testing:
409 is a conflict (retried), DRF-style and odd ``errors`` shapes, request ids, undecodable
bodies, every blocked or generic decline code, Retry-After in seconds or as a date."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from pos_app.paymongo.errors import (
    CardDeclinedError,
    ConflictError,
    ErrorDetail,
    InvalidRequestError,
    ServerError,
    decline_message,
    error_from_response,
    parse_retry_after,
)

ASK_AGAIN = "Ask for another card or another way to pay."


def body(obj: object) -> bytes:
    return json.dumps(obj).encode()


def test_409_is_a_conflict_and_410_is_not() -> None:
    assert type(error_from_response(409, {}, b"")) is ConflictError
    assert type(error_from_response(410, {}, b"")) is InvalidRequestError


def test_a_drf_detail_becomes_one_error() -> None:
    error = error_from_response(400, {}, body({"detail": "Bad thing."}))
    assert isinstance(error, InvalidRequestError)
    assert error.errors == (ErrorDetail(code="error", detail="Bad thing."),)
    assert error.message == "PayMongo answered 400: error: Bad thing."


def test_a_detail_that_is_not_text_is_no_error() -> None:
    error = error_from_response(400, {}, body({"detail": 5}))
    assert isinstance(error, InvalidRequestError)
    assert error.errors == ()


def test_odd_fields_in_an_errors_entry_are_read_safely() -> None:
    raw = {
        "errors": [
            {"code": 5, "detail": None, "source": {"pointer": "p", "attribute": "a"}},
            {"code": "c", "detail": "d", "source": "nowhere", "sub_code": "s"},
            {"code": "c2", "detail": "d2", "source": {"pointer": 7}},
        ]
    }
    error = error_from_response(400, {}, body(raw))
    assert isinstance(error, InvalidRequestError)
    assert error.errors == (
        ErrorDetail(code="unknown", detail="", pointer="p", attribute="a"),
        ErrorDetail(code="c", detail="d", sub_code="s"),
        ErrorDetail(code="c2", detail="d2"),
    )
    assert error.message == "PayMongo answered 400: unknown: ; c: d; c2: d2"


@pytest.mark.parametrize("header", ["x-request-id", "request-id", "x-paymongo-request-id"])
def test_each_request_id_header_is_read(header: str) -> None:
    assert error_from_response(500, {header: "req_1"}, b"").request_id == "req_1"


def test_an_undecodable_body_is_kept_with_replacement_characters() -> None:
    error = error_from_response(500, {}, b"\xffoops")
    assert error.body == "\ufffdoops"
    assert error.message == "PayMongo answered 500: \ufffdoops"


def test_a_plain_text_summary_is_cut_at_two_hundred_characters() -> None:
    error = error_from_response(500, {}, b"a" * 300)
    assert error.message == "PayMongo answered 500: " + "a" * 200


def test_an_empty_answer_says_only_the_status() -> None:
    error = error_from_response(503, {}, b"  ")
    assert isinstance(error, ServerError)
    assert error.message == "PayMongo answered 503"
    assert str(error) == "PayMongo answered 503 (HTTP 503)"


def test_a_kept_body_is_cut_at_two_thousand_characters() -> None:
    error = error_from_response(500, {}, b"x" * 2500)
    assert error.body == "x" * 2000


def test_text_and_repr_show_status_and_request() -> None:
    error = ServerError("down", status=502, request_id="req_9")
    assert str(error) == "down (HTTP 502) [request req_9]"
    assert repr(error) == "ServerError('down', status=502)"
    assert str(ServerError("down")) == "down"
    assert error.detail == "down"


@pytest.mark.parametrize(
    "code",
    [
        "fraudulent",
        "highest_risk_level",
        "lost_card",
        "pickup_card",
        "processor_blocked",
        "restricted_card",
        "stolen_card",
        "blocked",
        "generic_decline",
        "do_not_honor",
        "payment_refused",
        "issuer_declined",
        "card_unauthorized",
        "processor_declined",
        "acquirer_declined",
    ],
)
def test_blocked_and_generic_declines_are_declines_with_no_reason_given(code: str) -> None:
    error = error_from_response(400, {}, body({"errors": [{"code": code, "detail": "x"}]}))
    assert isinstance(error, CardDeclinedError)
    assert error.failed_code == code
    assert error.user_message == f"The bank declined the card: no reason given. {ASK_AGAIN}"


def test_a_402_without_a_code_is_a_decline_without_one() -> None:
    error = error_from_response(402, {"x-request-id": "r"}, b"")
    assert isinstance(error, CardDeclinedError)
    assert error.failed_code is None
    assert (error.status, error.request_id) == (402, "r")


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("credit_limit_exceeded", "the credit limit is reached"),
        ("debit_card_usage_limit_exceeded", "the card's usage limit is reached"),
        ("amount_allowed_exceeded", "the amount is over the card's limit"),
        ("cvc_invalid", "the CVC code is wrong"),
        ("cvc_incorrect", "the CVC code is wrong"),
        ("card_number_invalid", "the card number is wrong"),
        ("card_not_supported", "this kind of card is not accepted"),
        ("card_type_mismatch", "this kind of card is not accepted"),
        ("currency_not_supported_by_card_issuer", "the card cannot pay in pesos"),
        ("call_card_issuer", "the patient should call their bank"),
        ("processor_unavailable", "the bank could not be reached"),
        ("issuer_not_available", "the bank could not be reached"),
        ("processor_timeout", "the bank did not answer in time"),
        (None, "no reason given"),
        ("", "no reason given"),
    ],
)
def test_the_decline_reason_the_receptionist_reads(code: str | None, reason: str) -> None:
    assert decline_message(code) == f"The bank declined the card: {reason}. {ASK_AGAIN}"


def test_a_decline_keeps_what_paymongo_said_and_the_intent() -> None:
    intent = object()
    error = CardDeclinedError(
        "m", failed_code="card_expired", failed_message="Expired.", payment_intent=intent
    )
    assert error.failed_message == "Expired."
    assert error.payment_intent is intent


@pytest.mark.parametrize(
    ("value", "seconds"), [("0.5", 0.5), (" 3 ", 3.0), ("-3", 0.0), ("0", 0.0)]
)
def test_retry_after_in_seconds(value: str, seconds: float) -> None:
    assert parse_retry_after(value) == seconds


@pytest.mark.parametrize("value", ["nan", "inf", "soon", ""])
def test_unreadable_retry_after_is_none(value: str) -> None:
    assert parse_retry_after(value) is None


def test_retry_after_as_a_date() -> None:
    at = datetime(2026, 12, 7, 1, 0, 10, tzinfo=UTC)
    header = format_datetime(at, usegmt=True)
    assert parse_retry_after(header, now=at.timestamp() - 10) == 10.0
    assert parse_retry_after(header, now=at.timestamp() + 0.5) == 0.0
    assert parse_retry_after(header, now=at.timestamp() - 0.25) == 0.25


def test_retry_after_as_a_date_without_now_reads_the_clock() -> None:
    ahead = datetime.fromtimestamp(time.time() + 3600, tz=UTC)
    wait = parse_retry_after(format_datetime(ahead, usegmt=True))
    assert wait is not None
    assert 3000 < wait <= 3600
