"""The fake clinic records server's HTTP API (clinic-backend.md), as a Starlette app.

Authentication is DRF TokenAuthentication (`Authorization: Token <token>`), required on /api/
only; /_control/ is open, it exists only in the fake. Every answer is JSON; unknown routes are 404
`{"detail": "Not found."}`, bad JSON is 400, bodies over 1 MB are 413: bad input never gives 500.

Listing: `GET /api/billing/?updated_since=&status=&page=&page_size=` answers DRF's
PageNumberPagination shape with absolute `next`/`previous` URLs; `page_size` defaults to 100 and
is clamped to 500; a page past the end is 404 `{"detail": "Invalid page."}`.

Threading contract: handlers run on the server's event loop and call ClinicState, which is
thread-safe, so tests may read and change the state from other threads while it serves.
"""

from __future__ import annotations

import hmac
import re

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from pos_sandbox.clinic.control import control_routes
from pos_sandbox.clinic.model import BILL_STATUSES, parse_time
from pos_sandbox.clinic.state import Answer, ClinicState
from pos_sandbox.clinic.wire import BadBody, read_json
from pos_sandbox.clock import SandboxClock
from pos_sandbox.faults import FaultInjector, fault_control_routes
from pos_sandbox.requestlog import RequestLog

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
_OFFSET_SPACE = re.compile(r" (\d{2}:?\d{2})$")


def create_clinic_app(
    state: ClinicState, *, token: str, clock: SandboxClock, faults: FaultInjector, log: RequestLog
) -> ASGIApp:
    """The clinic API on /api/ and its control routes on /_control/, wrapped by `faults`.

    `clock` becomes the state's clock, so `updated_at` follows the sandbox time.
    """
    state.use_clock(clock)
    api = _BillingApi(state, token)
    routes = [
        Route("/api/billing/", api.list_bills, methods=["GET"]),
        Route("/api/billing/{bill_id:int}/", api.get_bill, methods=["GET"]),
        Route("/api/billing/{bill_id:int}/", api.patch_bill, methods=["PATCH"]),
        Route("/api/billing/{bill_id:int}/refunds/", api.refund_bill, methods=["POST"]),
        *control_routes(state),
        *fault_control_routes(faults, log),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
    )
    return faults.wrap(app, log)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        detail = "Not found."
    elif exc.status_code == 405:
        detail = f'Method "{request.method}" not allowed.'
    else:
        detail = str(exc.detail)
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)


async def _server_error(request: Request, exc: Exception) -> Response:
    return JSONResponse({"detail": "A server error occurred."}, status_code=500)


def _answer(answer: Answer) -> Response:
    return JSONResponse(answer.body, status_code=answer.status)


class _BillingApi:
    def __init__(self, state: ClinicState, token: str) -> None:
        self._state = state
        self._token = token

    def _refuse(self, request: Request) -> Response | None:
        """A 401 answer unless the request carries the right token."""
        # DRF's TokenAuthentication, wording included: another scheme counts as no credentials.
        words = request.headers.get("authorization", "").split()
        if not words or words[0].lower() != "token":
            detail = "Authentication credentials were not provided."
        elif len(words) == 1:
            detail = "Invalid token header. No credentials provided."
        elif len(words) > 2:
            detail = "Invalid token header. Token string should not contain spaces."
        elif hmac.compare_digest(words[1].encode(), self._token.encode()):
            return None
        else:
            detail = "Invalid token."
        return JSONResponse(
            {"detail": detail}, status_code=401, headers={"WWW-Authenticate": "Token"}
        )

    async def list_bills(self, request: Request) -> Response:
        if refusal := self._refuse(request):
            return refusal
        params = request.query_params
        errors: dict[str, list[str]] = {}
        since_us = None
        if params.get("updated_since"):
            try:
                # An unencoded "+08:00" arrives as " 08:00"; read it as the client meant it.
                since_us = parse_time(_OFFSET_SPACE.sub(r"+\1", params["updated_since"]))
            except ValueError:
                errors["updated_since"] = ["Enter a valid date/time."]
        status = params.get("status") or None
        if status is not None and status not in BILL_STATUSES:
            errors["status"] = [
                f"Select a valid choice. {status} is not one of the available choices."
            ]
        if errors:
            return JSONResponse(errors, status_code=400)
        size = _page_size(params.get("page_size"))
        page = _positive_int(params.get("page", "1"))
        if page is None:
            return JSONResponse({"detail": "Invalid page."}, status_code=404)
        count, results = self._state.list_bills(
            updated_since_us=since_us, status=status, offset=(page - 1) * size, limit=size
        )
        if page > 1 and not results:
            return JSONResponse({"detail": "Invalid page."}, status_code=404)
        return JSONResponse(
            {
                "count": count,
                "next": _page_url(request, page + 1) if page * size < count else None,
                "previous": _page_url(request, page - 1) if page > 1 else None,
                "results": results,
            }
        )

    async def get_bill(self, request: Request) -> Response:
        if refusal := self._refuse(request):
            return refusal
        bill = self._state.bill(request.path_params["bill_id"])
        if bill is None:
            return JSONResponse({"detail": "Not found."}, status_code=404)
        return JSONResponse(bill)

    async def patch_bill(self, request: Request) -> Response:
        if refusal := self._refuse(request):
            return refusal
        try:
            data = await read_json(request)
        except BadBody as bad:
            return bad.response
        key = request.headers.get("idempotency-key")
        return _answer(self._state.patch_bill(request.path_params["bill_id"], data, key))

    async def refund_bill(self, request: Request) -> Response:
        if refusal := self._refuse(request):
            return refusal
        try:
            data = await read_json(request)
        except BadBody as bad:
            return bad.response
        key = request.headers.get("idempotency-key")
        return _answer(self._state.refund_bill(request.path_params["bill_id"], data, key))


def _positive_int(text: str | None) -> int | None:
    if text is None or not text.isdigit() or len(text) > 9:
        return None
    value = int(text)
    return value if value >= 1 else None


def _page_size(text: str | None) -> int:
    value = _positive_int(text)
    return DEFAULT_PAGE_SIZE if value is None else min(value, MAX_PAGE_SIZE)


def _page_url(request: Request, page: int) -> str:
    if page == 1:
        return str(request.url.remove_query_params("page"))
    return str(request.url.include_query_params(page=page))
