"""ClinicClient: the billing API of the clinic's records server (clinic-backend.md).

Every write demands its ``Idempotency-Key`` (taken from the outbox row that holds the change), so
a retry, a restart or a second sender can only ever repeat the same request, which the server
applies once. Reads page through bills ordered by (``updated_at``, ``id``).

Threading contract: a ClinicClient may be used from several worker threads at once (one
``httpx.Client`` is thread-safe; everything else is immutable). Calls block: never on the GUI
thread.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import timedelta

import httpx

from pos_app import __version__
from pos_app.clinic.errors import (
    ClinicBadAnswer,
    ClinicError,
    ClinicUnreachable,
    error_from_response,
    is_retryable,
    parse_server_time,
)
from pos_app.clinic.wire import BillPage, Cursor, RemoteBill, parse_bill, parse_page
from pos_app.http_policy import (
    BodyTooLarge,
    BodyTooSlow,
    Pacing,
    RetryPolicy,
    Timeouts,
    next_wait_s,
    read_body_by,
    try_timeout,
)

log = logging.getLogger("pos_app.clinic")

MAX_PAGE_SIZE = 500
MAX_BODY_BYTES = 50_000_000
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
Params = Mapping[str, str | int]


class ClinicClient:
    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        pacing: Pacing | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        self.pacing = pacing or Pacing()
        self._client = httpx.Client(
            base_url=self.base_url,
            transport=transport,
            headers={
                "User-Agent": f"Kaha/{__version__}",
                "Accept": "application/json",
                "Authorization": f"Token {token}",
            },
            follow_redirects=False,
            trust_env=False,
        )

    def __repr__(self) -> str:
        return f"ClinicClient(base_url={self.base_url!r})"

    def close(self) -> None:
        self._client.close()

    # -- reading -------------------------------------------------------------------------------

    def list_bills(
        self,
        *,
        updated_since: str | None = None,
        status: str | None = None,
        page: int = 1,
        page_size: int = MAX_PAGE_SIZE,
    ) -> BillPage:
        """One page of bills changed strictly after `updated_since`, by (updated_at, id)."""
        params: dict[str, str | int] = {"page": page, "page_size": min(page_size, MAX_PAGE_SIZE)}
        if updated_since is not None:
            params["updated_since"] = updated_since
        if status is not None:
            params["status"] = status
        return parse_page(self._request("GET", "/api/billing/", params=params))

    def bills_after(self, cursor: Cursor | None, page_size: int = MAX_PAGE_SIZE) -> BillPage:
        """The next bills after `cursor` (None: from the start), never one at or before it.

        Asks from a microsecond before the cursor's time, so bills sharing its ``updated_at``
        with a larger id are not skipped, and drops what the cursor already covers."""
        if cursor is None:
            return self.list_bills(page_size=page_size)
        moment = parse_server_time(cursor.updated_at) - timedelta(microseconds=1)
        since = moment.isoformat(timespec="microseconds")
        page_number = 1
        while True:
            page = self.list_bills(updated_since=since, page=page_number, page_size=page_size)
            fresh = [bill for bill in page.bills if bill.cursor > cursor]
            if fresh or not page.has_next:
                # `count` then counts what is still to come, this page included
                dropped = len(page.bills) - len(fresh)
                return BillPage(page.count - dropped, page.has_next, fresh)
            page_number += 1  # a whole page of ties at the cursor: look further

    # -- writing (always with the caller's stored key) ------------------------------------------

    def patch_bill(
        self, remote_id: int, fields: Mapping[str, object], *, idempotency_key: str
    ) -> RemoteBill:
        """Write payment results back. 409 "amount changed" raises AmountChanged."""
        answer = self._request(
            "PATCH", f"/api/billing/{remote_id}/", body=fields, idempotency_key=idempotency_key
        )
        return parse_bill(answer)

    def create_refund(
        self, remote_id: int, refund: Mapping[str, object], *, idempotency_key: str
    ) -> Mapping[str, object]:
        answer = self._request(
            "POST",
            f"/api/billing/{remote_id}/refunds/",
            body=refund,
            idempotency_key=idempotency_key,
        )
        if not isinstance(answer, Mapping):
            raise ClinicBadAnswer("a refund answer that is not an object")
        return answer

    def check(self) -> int:
        """One cheap authenticated request; the number of bills the server has."""
        return self.list_bills(page_size=1).count

    # -- one logical request ---------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: Mapping[str, object] | None = None,
        idempotency_key: str | None = None,
    ) -> object:
        if method != "GET" and not idempotency_key:
            raise ValueError("every write to the clinic server carries its Idempotency-Key")
        headers = {}
        content = None
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        if body is not None:
            headers["Content-Type"] = "application/json"
            content = json.dumps(body, separators=(",", ":"), default=str).encode()
        deadline = self.pacing.monotonic() + self.timeouts.total_s
        tries = 0
        while True:
            tries += 1
            try:
                return self._try_once(
                    method, path, params=params, headers=headers, content=content, deadline=deadline
                )
            except ClinicError as error:
                after = getattr(error, "retry_after_s", None)
                wait = next_wait_s(
                    self.retry,
                    tries,
                    retryable=is_retryable(error),
                    retry_after_s=after,
                    pacing=self.pacing,
                    deadline=deadline,
                )
                if wait is None:
                    raise
                log.info(
                    "clinic %s %s failed (%s); retry %d in %.2f s", method, path, error, tries, wait
                )
                self.pacing.sleep(wait)

    def _try_once(
        self,
        method: str,
        path: str,
        *,
        params: Params | None,
        headers: Mapping[str, str],
        content: bytes | None,
        deadline: float,
    ) -> object:
        started = self.pacing.monotonic()
        try_deadline = min(deadline, started + self.timeouts.per_try_s)
        request = self._client.build_request(
            method,
            path,
            params=params,
            headers=headers,
            content=content,
            timeout=try_timeout(self.timeouts, try_deadline - started),
        )
        failure: ClinicError | None = None
        raw = b""
        try:
            response = self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            failure = _transport_error(exc, sent=not isinstance(exc, _NOT_SENT))
        if failure is not None:  # raised outside `except`: httpx errors hold the token header
            raise failure
        try:
            raw = read_body_by(response, try_deadline, self.pacing.monotonic, MAX_BODY_BYTES)
        except BodyTooSlow:
            failure = ClinicUnreachable("clinic answer took too long", request_sent=True)
        except BodyTooLarge:
            failure = ClinicBadAnswer("clinic answer too large")
        except httpx.HTTPError as exc:
            failure = _transport_error(exc, sent=True)
        finally:
            response.close()
        if failure is not None:
            raise failure
        if not 200 <= response.status_code < 300:
            raise error_from_response(response.status_code, response.headers, raw)
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):
            raise ClinicBadAnswer(
                "clinic answer is not JSON", status=response.status_code
            ) from None


def _transport_error(exc: httpx.HTTPError, *, sent: bool) -> ClinicError:
    what = type(exc).__name__
    if isinstance(exc, httpx.DecodingError):
        return ClinicBadAnswer(f"clinic answer could not be decoded ({what})")
    return ClinicUnreachable(f"clinic server connection failed ({what})", request_sent=sent)
