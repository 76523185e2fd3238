"""Every way a PayMongo call can fail, as one exception tree mapped from the answer in one place.

    PaymentProviderError               pos_app.domain.errors (a UserFacingError)
    PayMongoError                      base; status, request_id, body (redacted), user_message
     ├── APIError                      PayMongo answered with an error status
     │    ├── InvalidRequestError      400 and other 4xx; .errors: every code, detail, pointer
     │    │    ├── ConflictError       409 (a concurrent request with the same key); retryable
     │    │    └── IdempotencyKeyReusedError  same key, different request (a bug of ours)
     │    ├── AuthenticationError      401
     │    ├── PermissionDeniedError    403 (e.g. a public key where a secret key is needed)
     │    ├── NotFoundError            404
     │    │    ├── ResourceNotFoundError   404 with an errors body: the id does not exist
     │    │    └── RouteNotFoundError      404 with an empty body: wrong base URL or path
     │    ├── RateLimitError           429 (.retry_after_s on any APIError, if the server said)
     │    └── ServerError              5xx; PayMongo may or may not have acted
     ├── CardDeclinedError             402, or an attach whose answer shows the card declined
     ├── MalformedResponseError        an answer we cannot read (not JSON, missing/wrong fields)
     ├── APIConnectionError            no answer: refused, reset, dropped after sending
     │    └── APITimeoutError          connect, read or overall deadline passed
     └── SignatureVerificationError    a webhook whose Paymongo-Signature does not verify

`ambiguous` is True when the request may have been acted on although we got no usable answer
(a dropped connection after sending, a timeout after sending, a 5xx): only idempotent requests
may then be re-sent blindly; see ``PayMongoClient.attach_payment_intent``.

No error ever holds an API key or the Authorization header: bodies are redacted and requests
are never attached. ``user_message`` is written for a receptionist to read out.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from pos_app.domain.errors import PaymentProviderError
from pos_app.paymongo.redact import redact_text

log = logging.getLogger("pos_app.paymongo")
MAX_BODY_CHARS = 2000
GENERIC_USER_MESSAGE = "The payment service had a problem. Please try again in a moment."


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    """One entry of PayMongo's ``errors`` array. ``detail`` is for logs, not for patients."""

    code: str
    detail: str
    pointer: str | None = None
    attribute: str | None = None
    sub_code: str | None = None


class PayMongoError(PaymentProviderError):
    default_user_message = GENERIC_USER_MESSAGE
    ambiguous = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
        body: str | None = None,
        user_message: str | None = None,
    ) -> None:
        message = redact_text(message)
        super().__init__(user_message or self.default_user_message, detail=message)
        self.message = message
        self.status = status
        self.request_id = request_id
        self.body = None if body is None else redact_text(body[:MAX_BODY_CHARS])

    def __str__(self) -> str:
        parts = [self.message]
        if self.status is not None:
            parts.append(f"(HTTP {self.status})")
        if self.request_id:
            parts.append(f"[request {self.request_id}]")
        return " ".join(parts)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status!r})"


class APIError(PayMongoError):
    """PayMongo answered with an HTTP error status."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
        body: str | None = None,
        errors: tuple[ErrorDetail, ...] = (),
        user_message: str | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(
            message, status=status, request_id=request_id, body=body, user_message=user_message
        )
        self.errors = errors
        self.retry_after_s = retry_after_s  # from a Retry-After header (429, 503), if any

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(error.code for error in self.errors)


class InvalidRequestError(APIError):
    # PayMongo's own code and detail go to the log (see error_from_response), not on screen
    default_user_message = (
        "PayMongo turned this payment down, so nothing was charged. Take it another way: "
        "cash (F6) or another method. If it happens again, tell the manager: Kaha's log has "
        "PayMongo's reason."
    )


class ConflictError(InvalidRequestError):
    default_user_message = "The payment service is busy with the same request. Please wait."


class IdempotencyKeyReusedError(InvalidRequestError):
    """The Idempotency-Key was used before for a different request: a bug on our side."""

    default_user_message = "The app sent a confusing request. Please tell the manager."


class AuthenticationError(APIError):
    default_user_message = "The PayMongo key was refused. A manager must check the settings."


class PermissionDeniedError(APIError):
    default_user_message = "The PayMongo key may not do this. A manager must check the settings."


class NotFoundError(APIError):
    default_user_message = "The payment service does not know this payment."


class ResourceNotFoundError(NotFoundError):
    pass


class RouteNotFoundError(NotFoundError):
    default_user_message = "The payment service address looks wrong. A manager must check it."


class RateLimitError(APIError):
    default_user_message = "The payment service is busy. Please try again in a minute."


class ServerError(APIError):
    default_user_message = "The payment service had a problem. Please try again in a moment."
    ambiguous = True


class MalformedResponseError(PayMongoError):
    default_user_message = "The payment service sent an answer the app cannot read."


class APIConnectionError(PayMongoError):
    default_user_message = "Cannot reach the payment service. Check the internet connection."

    def __init__(self, message: str, *, request_sent: bool) -> None:
        super().__init__(message)
        self.request_sent = request_sent

    @property
    def ambiguous(self) -> bool:  # type: ignore[override]  # per instance, not per class
        return self.request_sent


class APITimeoutError(APIConnectionError):
    default_user_message = "The payment service is not answering. Please try again."


class SignatureVerificationError(PayMongoError):
    default_user_message = "A payment notification failed its security check and was ignored."


# --- card declines -------------------------------------------------------------------------

_ASK_AGAIN = "Ask for another card or another way to pay."
_DECLINE_REASONS: Mapping[str, str] = {
    "insufficient_funds": "not enough funds",
    "credit_limit_exceeded": "the credit limit is reached",
    "debit_card_usage_limit_exceeded": "the card's usage limit is reached",
    "amount_allowed_exceeded": "the amount is over the card's limit",
    "card_expired": "the card has expired",
    "cvc_invalid": "the CVC code is wrong",
    "cvc_incorrect": "the CVC code is wrong",
    "card_number_invalid": "the card number is wrong",
    "card_not_supported": "this kind of card is not accepted",
    "card_type_mismatch": "this kind of card is not accepted",
    "currency_not_supported_by_card_issuer": "the card cannot pay in pesos",
    "call_card_issuer": "the patient should call their bank",
    "processor_unavailable": "the bank could not be reached",
    "issuer_not_available": "the bank could not be reached",
    "processor_timeout": "the bank did not answer in time",
}
# PayMongo asks merchants to show blocked-card reasons (fraud, lost, stolen) as generic declines.
_GENERIC_REASON = "no reason given"
_BLOCKED = {"fraudulent", "highest_risk_level", "lost_card", "pickup_card", "processor_blocked"}
_BLOCKED |= {"restricted_card", "stolen_card", "blocked"}
_OTHER_DECLINES = {"generic_decline", "do_not_honor", "payment_refused", "issuer_declined"}
_OTHER_DECLINES |= {"card_unauthorized", "processor_declined", "acquirer_declined"}
DECLINE_CODES = frozenset(_DECLINE_REASONS) | _BLOCKED | _OTHER_DECLINES


def decline_message(failed_code: str | None) -> str:
    """What a receptionist can say to the patient about a declined card."""
    reason = _DECLINE_REASONS.get(failed_code or "", _GENERIC_REASON)
    return f"The bank declined the card: {reason}. {_ASK_AGAIN}"


_NEXT_STEP = (
    "Nothing was charged. Ask the patient to try again (Try again, F7) or to pay another way, "
    "such as cash (F6)."
)


def failed_payment_message(failed_code: str | None, *, card: bool) -> str:
    """What the counter says when PayMongo reports a payment failed. PayMongo's own words ("The
    payment failed to be processed due to unknown reasons") are for the log, not the screen."""
    if card:
        return decline_message(failed_code)
    reason = _DECLINE_REASONS.get(failed_code or "")
    why = f": {reason}" if reason else " and PayMongo gave no reason"
    return f"The payment did not go through{why}. {_NEXT_STEP}"


class CardDeclinedError(PayMongoError):
    """The card was declined. ``payment_intent`` is the intent as PayMongo left it, if known."""

    def __init__(
        self,
        message: str,
        *,
        failed_code: str | None,
        failed_message: str | None = None,
        status: int | None = None,
        request_id: str | None = None,
        body: str | None = None,
        payment_intent: object | None = None,
    ) -> None:
        super().__init__(
            message,
            status=status,
            request_id=request_id,
            body=body,
            user_message=decline_message(failed_code),
        )
        self.failed_code = failed_code
        self.failed_message = failed_message
        self.payment_intent = payment_intent


# --- mapping an HTTP answer onto the tree ---------------------------------------------------

_IDEMPOTENCY_POINTER = "Idempotency-Key"
_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-paymongo-request-id")


def error_from_response(status: int, headers: Mapping[str, str], body: bytes) -> PayMongoError:
    """The one place where an error answer becomes an exception."""
    text = body.decode("utf-8", errors="replace")
    request_id = next((headers[h] for h in _REQUEST_ID_HEADERS if h in headers), None)
    errors = _error_details(text)
    summary = "; ".join(f"{e.code}: {e.detail}" for e in errors) or text.strip()[:200]
    message = f"PayMongo answered {status}" + (f": {summary}" if summary else "")
    # for support: the receptionist sees plain words, the log keeps PayMongo's code and detail
    log.warning("%s [request %s]", redact_text(message), request_id or "unknown")
    declined = [c for e in errors for c in (e.sub_code, e.code) if c in DECLINE_CODES]
    if status == 402 or (status == 400 and declined):
        failed_code = declined[0] if declined else None
        return CardDeclinedError(
            message, failed_code=failed_code, status=status, request_id=request_id, body=text
        )
    return _class_for(status, errors)(
        message,
        status=status,
        request_id=request_id,
        body=text,
        errors=errors,
        retry_after_s=parse_retry_after(headers.get("retry-after")),
    )


def _class_for(status: int, errors: tuple[ErrorDetail, ...]) -> type[APIError]:
    if status == 401:
        return AuthenticationError
    if status == 403:
        return PermissionDeniedError
    if status == 404:
        return ResourceNotFoundError if errors else RouteNotFoundError
    if status == 409:
        return ConflictError
    if any(_IDEMPOTENCY_POINTER in (e.pointer, e.attribute) for e in errors):
        return IdempotencyKeyReusedError
    if status == 429:
        return RateLimitError
    if status >= 500:
        return ServerError
    return InvalidRequestError


def _error_details(text: str) -> tuple[ErrorDetail, ...]:
    """PayMongo's ``errors`` array, tolerating any other shape (plain text, DRF detail)."""
    try:
        data = json.loads(text)
    except ValueError:
        return ()
    if not isinstance(data, dict):
        return ()
    raw = data.get("errors")
    if not isinstance(raw, list):
        detail = data.get("detail")
        return (ErrorDetail(code="error", detail=detail),) if isinstance(detail, str) else ()
    return tuple(_one_detail(item) for item in raw if isinstance(item, dict))


def _one_detail(item: Mapping[str, object]) -> ErrorDetail:
    source = item.get("source")
    source = source if isinstance(source, dict) else {}
    return ErrorDetail(
        code=_text(item.get("code")) or "unknown",
        detail=_text(item.get("detail")) or "",
        pointer=_text(source.get("pointer")),
        attribute=_text(source.get("attribute")),
        sub_code=_text(item.get("sub_code")),
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date), if valid."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))
