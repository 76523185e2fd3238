"""What every group of PayMongo API methods shares: the requester and the exactly-once helper."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TypeVar

from pos_app.paymongo.errors import PayMongoError
from pos_app.paymongo.requester import Requester

log = logging.getLogger("pos_app.paymongo")
T = TypeVar("T")


def attributes(**fields: object) -> dict[str, object]:
    """PayMongo's request envelope, leaving out the fields the caller did not give."""
    return {"data": {"attributes": {k: v for k, v in fields.items() if v is not None}}}


def metadata_json(metadata: Mapping[str, str] | None) -> dict[str, str] | None:
    if metadata is None:
        return None
    for key, value in metadata.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError("PayMongo metadata must map strings to strings")
    return dict(metadata)


def check_amount(amount: int, name: str = "amount") -> int:
    """Money goes to PayMongo as int centavos only: no floats, no bools, no negatives."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"{name} must be an int of centavos")
    if amount < 0:
        raise ValueError(f"{name} must not be negative")
    return amount


def check_idempotency_key(key: str) -> str:
    valid = isinstance(key, str) and 1 <= len(key) <= 255 and key.isascii() and key.isprintable()
    if not valid:
        raise ValueError("idempotency_key must be 1-255 printable ASCII characters")
    return key


class ApiSection:
    """Base of the method groups that make up ``PayMongoClient``."""

    _http: Requester

    def _post_exactly_once(
        self,
        post: Callable[[float], T],
        look_up: Callable[[float], T],
        settled: Callable[[T], bool],
        what: str,
    ) -> T:
        """POST a non-idempotent action without ever repeating it blindly.

        ``post`` re-sends by itself only failures where PayMongo surely did not act (refused
        connection, 429). After an ambiguous failure (timeout or dropped connection after
        sending, 5xx) the object is looked up first: if ``settled`` says the action happened
        (or can no longer happen) the looked-up object is returned; only if it plainly did not
        happen is the action posted again, within the retry policy and the call's deadline.
        """
        deadline = self._http.new_deadline()
        reposts = 0
        while True:
            try:
                return post(deadline)
            except PayMongoError as error:
                if not error.ambiguous:
                    raise
                log.warning("PayMongo %s outcome unknown (%s); looking it up", what, error)
                current = look_up(deadline)
                if settled(current):
                    log.info("PayMongo %s had happened; not sending it again", what)
                    return current
                reposts += 1
                if reposts >= self._http.retry.max_attempts:
                    raise
                log.info("PayMongo %s had not happened; sending it again", what)


def path_id(resource_id: str) -> str:
    """An id safe to put in a URL path (PayMongo ids are letters, digits and underscores)."""
    if not resource_id or not all(c.isascii() and (c.isalnum() or c == "_") for c in resource_id):
        raise ValueError("not a PayMongo id")
    return resource_id
