"""Every way a clinic server call can fail, as one exception tree mapped from the answer here.

    ClinicServerError                  pos_app.domain.errors (a UserFacingError)
    ClinicError                        base; status, body (never the token), user_message
     ├── ClinicUnreachable             no answer: refused, reset, timed out, dropped after sending
     ├── ClinicAuthError               401/403: the counter's token is missing or wrong
     ├── ClinicNotFound                404: the bill (or the server's billing API) is not there
     ├── ClinicConflict                409: the server will not take this change as it stands
     │    ├── AmountChanged            409 "amount changed": .amount, .updated_at
     │    └── BillCancelled            409 "bill cancelled"
     ├── ClinicRefused                 400, 422 and other 4xx: .field_errors in the server's words
     ├── ClinicBusy                    429 or 5xx: the server may come back; retried
     └── ClinicBadAnswer               an answer that is not the contract's shape

Retried (pos_app.http_policy): ClinicUnreachable and ClinicBusy. A 409 is the server's answer
about the bill, never retried: the sender turns it into a case for the receptionist.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from pos_app.domain.errors import ClinicServerError
from pos_app.domain.money import Money

MAX_BODY_CHARS = 2000


class ClinicError(ClinicServerError):
    default_message = (
        "The clinic server had a problem. The counter keeps working; changes wait and are sent "
        "when it answers again."
    )

    def __init__(
        self,
        detail: str,
        *,
        status: int | None = None,
        body: str | None = None,
        user_message: str | None = None,
    ) -> None:
        super().__init__(user_message, detail=detail)
        self.status = status
        self.body = None if body is None else body[:MAX_BODY_CHARS]


class ClinicUnreachable(ClinicError):
    default_message = (
        "The clinic server cannot be reached. The counter keeps working from what it has; "
        "changes wait and are sent when the server is back."
    )

    def __init__(self, detail: str, *, request_sent: bool) -> None:
        super().__init__(detail)
        self.request_sent = request_sent


class ClinicAuthError(ClinicError):
    default_message = (
        "The clinic server refused this counter's token. Ask the clinic manager to check the "
        "clinic token in Settings."
    )


class ClinicNotFound(ClinicError):
    default_message = "The clinic server no longer has this bill. It may have been removed."


class ClinicConflict(ClinicError):
    default_message = "The clinic server did not take this change: the bill changed there."


class AmountChanged(ClinicConflict):
    """The bill's amount changed on the server after this counter pulled it."""

    def __init__(self, detail: str, *, status: int, body: str, amount: Money, updated_at: str):
        message = f"The clinic changed this bill's amount to {amount}. Check it with the patient."
        super().__init__(detail, status=status, body=body, user_message=message)
        self.amount = amount
        self.updated_at = updated_at


class BillCancelled(ClinicConflict):
    default_message = "The clinic cancelled this bill. Ask the clinic staff before collecting."


class ClinicRefused(ClinicError):
    """The server refused the request as it stands; its words are in ``field_errors``."""

    def __init__(
        self, detail: str, *, status: int, body: str, field_errors: Mapping[str, list[str]]
    ) -> None:
        words = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in field_errors.items())
        message = f"The clinic server refused this change ({words or 'no reason given'})."
        super().__init__(detail, status=status, body=body, user_message=message)
        self.field_errors = dict(field_errors)

    @property
    def server_words(self) -> str:
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in self.field_errors.items())


class ClinicBusy(ClinicError):
    default_message = "The clinic server is busy. Changes wait and are sent in a moment."

    def __init__(self, detail: str, *, status: int, body: str, retry_after_s: float | None) -> None:
        super().__init__(detail, status=status, body=body)
        self.retry_after_s = retry_after_s


class ClinicBadAnswer(ClinicError):
    default_message = (
        "The clinic server answered in a way this counter does not understand. "
        "Tell the clinic manager; the counter keeps working."
    )


def is_retryable(error: ClinicError) -> bool:
    return isinstance(error, ClinicUnreachable | ClinicBusy)


def error_from_response(status: int, headers: Mapping[str, str], raw: bytes) -> ClinicError:
    """The one mapping from an HTTP error answer to this tree."""
    text = raw.decode("utf-8", "replace")
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        data = {}
    body = data if isinstance(data, dict) else {}
    detail = str(body.get("detail", "")) or f"HTTP {status}"
    what = f"clinic server answered {status}: {detail}"
    if status in (401, 403):
        return ClinicAuthError(what, status=status, body=text)
    if status == 404:
        return ClinicNotFound(what, status=status, body=text)
    if status == 409:
        return _conflict(what, status, text, body)
    if status == 429 or status >= 500:
        return ClinicBusy(what, status=status, body=text, retry_after_s=_retry_after(headers))
    fields = {str(k): _words(v) for k, v in body.items()} or {"detail": [f"HTTP {status}"]}
    return ClinicRefused(what, status=status, body=text, field_errors=fields)


def _conflict(what: str, status: int, text: str, body: Mapping[str, object]) -> ClinicError:
    if body.get("detail") == "amount changed":
        try:
            amount = Money.parse(str(body["amount"]))
        except (KeyError, ValueError):
            return ClinicBadAnswer(what, status=status, body=text)
        return AmountChanged(
            what, status=status, body=text, amount=amount, updated_at=str(body.get("updated_at"))
        )
    if body.get("detail") == "bill cancelled":
        return BillCancelled(what, status=status, body=text)
    return ClinicConflict(what, status=status, body=text)


def _words(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value]
    return [str(value)]


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def parse_server_time(text: str) -> datetime:
    """An ISO 8601 time from the server, as an aware datetime."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"time without offset: {text}")
    return moment
