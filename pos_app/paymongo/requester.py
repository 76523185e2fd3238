"""One logical PayMongo request over a shared ``httpx.Client``: auth, deadlines, retries, errors.

Threading contract: a ``Requester`` is safe to use from many worker threads at once. The
``httpx.Client`` it wraps is thread-safe and everything else it holds is immutable after
construction. Calls block; never make them on the GUI thread.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import httpx

from pos_app import __version__
from pos_app.http_policy import BodyTooLarge, BodyTooSlow, read_body_by, try_timeout
from pos_app.paymongo.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    MalformedResponseError,
    PayMongoError,
    error_from_response,
)
from pos_app.paymongo.retry import Pacing, RetryPolicy, Timeouts, next_wait_s, surely_not_acted

log = logging.getLogger("pos_app.paymongo")

KeyKind = Literal["secret", "public"]
# "always": safe to re-send on any retryable failure (reads, creates with an Idempotency-Key,
# state-setting writes). "unless_acted": re-send only when PayMongo surely did not act; the
# caller looks the object up after an ambiguous failure (attach, cancel).
Resend = Literal["always", "unless_acted"]
Params = Mapping[str, str | int]

USER_AGENT = f"Kaha/{__version__}"
MAX_BODY_BYTES = 10_000_000
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


@dataclass(frozen=True, slots=True)
class _Outgoing:
    method: str
    path: str
    params: Params | None
    headers: Mapping[str, str] = field(repr=False)
    content: bytes | None = field(repr=False)


def basic_credentials(key: str) -> str:
    """The Authorization value PayMongo documents: Basic base64("<key>:")."""
    return "Basic " + base64.b64encode(f"{key}:".encode()).decode("ascii")


class Requester:
    def __init__(
        self,
        *,
        base_url: str,
        secret_key: str | None,
        public_key: str | None,
        timeouts: Timeouts,
        retry: RetryPolicy,
        pacing: Pacing,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._credentials: dict[KeyKind, str] = {}
        if secret_key is not None:
            self._credentials["secret"] = basic_credentials(secret_key)
        if public_key is not None:
            self._credentials["public"] = basic_credentials(public_key)
        self.timeouts = timeouts
        self.retry = retry
        self.pacing = pacing
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            transport=transport,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            follow_redirects=False,
            trust_env=False,
        )

    def __repr__(self) -> str:
        return f"Requester(base_url={str(self._client.base_url)!r})"

    def has_key(self, kind: KeyKind) -> bool:
        return kind in self._credentials

    def close(self) -> None:
        self._client.close()

    def new_deadline(self) -> float:
        return self.pacing.monotonic() + self.timeouts.total_s

    def request(
        self,
        method: str,
        path: str,
        *,
        key: KeyKind = "secret",
        params: Params | None = None,
        body: Mapping[str, object] | None = None,
        idempotency_key: str | None = None,
        resend: Resend = "always",
        deadline: float | None = None,
    ) -> object:
        """Send until a success or a final error; returns the decoded JSON answer."""
        deadline = self.new_deadline() if deadline is None else deadline
        headers = {"Authorization": self._credential(key)}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        content = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            content = json.dumps(body, separators=(",", ":")).encode()
        outgoing = _Outgoing(method, path, params, headers, content)
        tries = 0
        while True:
            tries += 1
            try:
                return self._try_once(outgoing, deadline, tries)
            except PayMongoError as error:
                wait = None
                if resend == "always" or surely_not_acted(error):
                    wait = next_wait_s(self.retry, tries, error, self.pacing, deadline)
                if wait is None:
                    raise
                log.warning(
                    "PayMongo %s %s failed (%s); retry %d in %.2f s",
                    method,
                    path,
                    type(error).__name__,
                    tries,
                    wait,
                )
                self.pacing.sleep(wait)

    def _credential(self, kind: KeyKind) -> str:
        try:
            return self._credentials[kind]
        except KeyError:
            raise AuthenticationError(f"No PayMongo {kind} key is configured") from None

    def _try_once(self, outgoing: _Outgoing, deadline: float, tries: int) -> object:
        started = self.pacing.monotonic()
        try_deadline = min(deadline, started + self.timeouts.per_try_s)
        timeout = try_timeout(self.timeouts, try_deadline - started)
        request = self._client.build_request(
            outgoing.method,
            outgoing.path,
            params=outgoing.params,
            headers=outgoing.headers,
            content=outgoing.content,
            timeout=timeout,
        )
        status, response_headers, raw = self._exchange(request, try_deadline)
        elapsed_ms = (self.pacing.monotonic() - started) * 1000
        log.debug(
            "PayMongo %s %s -> %d in %.0f ms (try %d)",
            outgoing.method,
            outgoing.path,
            status,
            elapsed_ms,
            tries,
        )
        if not 200 <= status < 300:
            raise error_from_response(status, response_headers, raw)
        return _decode_json(raw, status)

    def _exchange(
        self, request: httpx.Request, try_deadline: float
    ) -> tuple[int, Mapping[str, str], bytes]:
        """Send `request`, read the whole answer by `try_deadline`; map transport failures.

        Our errors are raised outside the ``except`` blocks on purpose: httpx's exceptions hold
        the request, Authorization header included, and must not ride along as the cause or
        context of an error that gets logged or shown.
        """
        failure: PayMongoError | None = None
        try:
            response = self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            failure = _transport_error(exc, sent=not isinstance(exc, _NOT_SENT))
        if failure is not None:
            raise failure
        body = b""
        try:
            body = self._read_body(response, try_deadline)
        except httpx.HTTPError as exc:
            failure = _transport_error(exc, sent=True)
        finally:
            response.close()
        if failure is not None:
            raise failure
        return response.status_code, response.headers, body

    def _read_body(self, response: httpx.Response, try_deadline: float) -> bytes:
        try:
            return read_body_by(response, try_deadline, self.pacing.monotonic, MAX_BODY_BYTES)
        except BodyTooSlow:
            raise APITimeoutError("PayMongo answer took too long", request_sent=True) from None
        except BodyTooLarge:
            raise MalformedResponseError("PayMongo answer is too large") from None


def _transport_error(exc: httpx.HTTPError, *, sent: bool) -> PayMongoError:
    what = type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"PayMongo did not answer in time ({what})", request_sent=sent)
    if isinstance(exc, httpx.DecodingError):
        return MalformedResponseError(f"PayMongo answer could not be decoded ({what})")
    return APIConnectionError(f"PayMongo connection failed ({what})", request_sent=sent)


def _decode_json(raw: bytes, status: int) -> object:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise MalformedResponseError("PayMongo answer is not JSON", status=status) from None
