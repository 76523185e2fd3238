"""Verify a PayMongo webhook delivery and read its event.

The ``Paymongo-Signature`` header is ``t=<unix seconds>,te=<hex>,li=<hex>``: an HMAC-SHA256,
keyed with the webhook's ``whsk_`` secret, of ``b"<t>." + raw_body``, in ``te`` for test-mode
events and ``li`` for live ones. Unlike PayMongo's own Python SDK (which always reads ``li``
and so rejects every test-mode event), the field checked is the one for the mode the caller
says it runs in, with no fall-back to the other: a test signature never passes as a live one.

Threading contract: pure functions, safe from any thread.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from pos_app.paymongo.errors import MalformedResponseError, SignatureVerificationError
from pos_app.paymongo.models import Event

SIGNATURE_HEADER = "Paymongo-Signature"
# PayMongo retries a failed delivery up to 12 times over about 136.5 minutes, and nothing says a
# retry is signed with a fresh ``t`` (developers.paymongo.com/docs/webhook-retry-logic;
# paymongo-api.md 19.1 item 7). Refusing an old ``t`` would refuse its own retries until PayMongo
# disables the webhook, so a signature is good for the whole retry window (replays are stopped by
# de-duplicating on the event id instead), and only a little ahead for a clock running fast.
MAX_AGE_S = 3 * 3600
MAX_AHEAD_S = 300
MAX_HEADER_CHARS = 1000
_HEX = frozenset("0123456789abcdef")


def compute_signature(raw_body: bytes, timestamp: int, secret: str) -> str:
    """The lowercase hex HMAC-SHA256 PayMongo puts in ``te``/``li``."""
    message = str(timestamp).encode() + b"." + raw_body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_signature(
    raw_body: bytes,
    header: str,
    secret: str,
    *,
    livemode: bool,
    now: float | None = None,
    max_age_s: int = MAX_AGE_S,
    max_ahead_s: int = MAX_AHEAD_S,
) -> None:
    """Return if `header` signs `raw_body` (the exact bytes received) for this mode, with a
    timestamp at most `max_age_s` before `now` and `max_ahead_s` after it; else raise
    ``SignatureVerificationError``."""
    if not secret:
        raise SignatureVerificationError("No webhook secret configured")
    fields = _parse_header(header)
    timestamp = _timestamp(fields.get("t"))
    current = time.time() if now is None else now
    if not -max_ahead_s <= current - timestamp <= max_age_s:
        raise SignatureVerificationError("Webhook timestamp is outside PayMongo's retry window")
    given = fields.get("li" if livemode else "te", "")
    if len(given) != 64 or not set(given) <= _HEX:
        raise SignatureVerificationError("Webhook signature for this mode is missing or malformed")
    expected = compute_signature(raw_body, timestamp, secret)
    try:
        matches = hmac.compare_digest(expected, given)
    except TypeError:  # non-ASCII text (compare_digest's own refusal) is never a signature
        matches = False
    if not matches:
        raise SignatureVerificationError("Webhook signature does not match")


def _parse_header(header: object) -> dict[str, str]:
    if not isinstance(header, str) or not header.strip():
        raise SignatureVerificationError("Missing Paymongo-Signature header")
    if len(header) > MAX_HEADER_CHARS:
        raise SignatureVerificationError("Paymongo-Signature header is too long")
    fields: dict[str, str] = {}
    for part in header.split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name:
            raise SignatureVerificationError("Malformed Paymongo-Signature header")
        if name in fields:
            raise SignatureVerificationError("Paymongo-Signature header repeats a field")
        fields[name] = value
    return fields


def _timestamp(value: str | None) -> int:
    if value is None or not value.isascii() or not value.isdigit() or len(value) > 12:
        raise SignatureVerificationError("Paymongo-Signature header has no valid timestamp")
    return int(value)


def parse_event(raw_body: bytes) -> Event:
    """The event in a (verified) webhook body; ``MalformedResponseError`` if it is not one."""
    try:
        body = json.loads(raw_body)
    except (ValueError, RecursionError):
        raise MalformedResponseError("Webhook body is not JSON") from None
    return Event.from_answer(body)
