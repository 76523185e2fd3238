"""Every error answer maps onto the tree in one place, with what the caller needs."""

from __future__ import annotations

import httpx
import pytest

from pos_app.domain.errors import PaymentProviderError, UserFacingError
from pos_app.paymongo import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    CardDeclinedError,
    IdempotencyKeyReusedError,
    InvalidRequestError,
    MalformedResponseError,
    PayMongoError,
    PermissionDeniedError,
    RateLimitError,
    ResourceNotFoundError,
    RetryPolicy,
    RouteNotFoundError,
    ServerError,
)
from pos_app.paymongo.errors import decline_message, error_from_response, parse_retry_after
from tests.unit.paymongo import wire

NO_RETRY = RetryPolicy(max_attempts=1)


def _fail_with(response: httpx.Response) -> PayMongoError:
    client = wire.make_client(lambda request: response, retry=NO_RETRY)
    with pytest.raises(PayMongoError) as caught:
        client.retrieve_payment_intent("pi_A")
    return caught.value


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (400, wire.error_body("parameter_invalid", "bad"), InvalidRequestError),
        (401, wire.error_body("authentication_failed", "no"), AuthenticationError),
        (403, b"", PermissionDeniedError),
        (
            404,
            wire.error_body("resource_not_found", "No such payment_intent"),
            ResourceNotFoundError,
        ),
        (404, b"", RouteNotFoundError),
        (429, b"Too many requests, please try again later.", RateLimitError),
        (500, b"", ServerError),
        (503, b"<html>down</html>", ServerError),
        (402, wire.error_body("insufficient_funds", "declined"), CardDeclinedError),
    ],
)
def test_status_maps_to_one_class(status: int, body: bytes, kind: type[PayMongoError]) -> None:
    error = _fail_with(httpx.Response(status, content=body, headers={"x-request-id": "req_9"}))
    assert type(error) is kind
    assert error.status == status
    assert error.request_id == "req_9"
    assert isinstance(error, PaymentProviderError)
    assert isinstance(error, UserFacingError)
    assert error.user_message


def test_invalid_request_keeps_every_code_detail_and_pointer() -> None:
    body = (
        b'{"errors":[{"code":"parameter_below_minimum","detail":"The minimum value for the '
        b'amount is 2000.","source":{"pointer":"attributes.amount","attribute":"amount"}},'
        b'{"code":"parameter_required","detail":"currency is required."}]}'
    )
    error = error_from_response(400, {}, body)
    assert isinstance(error, InvalidRequestError)
    assert error.codes == ("parameter_below_minimum", "parameter_required")
    assert error.errors[0].pointer == "attributes.amount"
    assert error.errors[0].attribute == "amount"
    assert error.errors[1].pointer is None
    assert "parameter_below_minimum" in str(error)


def test_rate_limit_reads_retry_after_in_seconds_or_http_date() -> None:
    error = error_from_response(429, {"retry-after": "3"}, b"Too many requests")
    assert isinstance(error, RateLimitError)
    assert error.retry_after_s == 3.0
    assert parse_retry_after("Thu, 01 Jan 2026 00:00:10 GMT", now=1767225600.0) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after("nan") is None


def test_card_decline_tells_the_receptionist_what_to_say() -> None:
    assert decline_message("insufficient_funds") == (
        "The bank declined the card: not enough funds. Ask for another card or another way to pay."
    )
    # Blocked reasons (fraud, stolen) are shown as a plain decline, as PayMongo asks.
    assert "stolen" not in decline_message("stolen_card")
    error = error_from_response(400, {}, wire.error_body("card_expired", "expired"))
    assert isinstance(error, CardDeclinedError)
    assert error.failed_code == "card_expired"
    assert "expired" in error.user_message


def test_transport_failures_map_to_connection_and_timeout_errors() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    def read_timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    client = wire.make_client(refuse, retry=NO_RETRY)
    with pytest.raises(APIConnectionError) as refused:
        client.retrieve_payment_intent("pi_A")
    assert not refused.value.ambiguous  # nothing was sent
    client = wire.make_client(read_timeout, retry=NO_RETRY)
    with pytest.raises(APITimeoutError) as timed_out:
        client.retrieve_payment_intent("pi_A")
    assert timed_out.value.ambiguous  # sent, answer lost


@pytest.mark.parametrize(
    "body", [b"not json", b"[1,2]", b'{"data": {"id": 5}}', b'{"data": null}', b"[" * 100_000]
)
def test_unreadable_success_answers_are_malformed(body: bytes) -> None:
    error = _fail_with(httpx.Response(200, content=body))
    assert isinstance(error, MalformedResponseError)


def test_errors_never_hold_keys_even_if_the_server_echoes_them() -> None:
    echoed = f"bad key {wire.SECRET_KEY} Basic c2tfdGVzdF91bml0VEVTVGtleTo=".encode()
    error = _fail_with(httpx.Response(401, content=echoed))
    for text in (str(error), repr(error), error.body or "", error.message):
        assert wire.SECRET_KEY not in text
        assert "c2tfdGVzdF91bml0" not in text


def test_reused_idempotency_key_is_its_own_error() -> None:
    body = wire.error_body("parameter_invalid", "Key reused with another body.", "Idempotency-Key")
    assert isinstance(error_from_response(400, {}, body), IdempotencyKeyReusedError)


def test_transport_errors_do_not_carry_the_httpx_request_along() -> None:
    # httpx exceptions hold the request, Authorization header included.
    def drop(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("gone", request=request)

    client = wire.make_client(drop, retry=NO_RETRY)
    with pytest.raises(APIConnectionError) as caught:
        client.retrieve_payment_intent("pi_A")
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None
