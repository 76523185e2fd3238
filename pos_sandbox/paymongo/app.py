"""create_paymongo_app: the Starlette app of the fake PayMongo (/v1, /sandbox/pay, /_control).

Threading contract: the app runs on uvicorn's event-loop thread; all state lives in the
PayMongoState it is given, which guards itself with its lock.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from pos_sandbox.clock import SandboxClock
from pos_sandbox.faults import FaultInjector, fault_control_routes
from pos_sandbox.paymongo.control import control_routes
from pos_sandbox.paymongo.errors import body_for_status
from pos_sandbox.paymongo.pages import page_routes
from pos_sandbox.paymongo.payouts import payout_routes
from pos_sandbox.paymongo.routes import paymongo_routes
from pos_sandbox.paymongo.state import PayMongoState
from pos_sandbox.requestlog import RequestLog


async def _empty_404(request: Request, exc: Exception) -> Response:
    # PayMongo answers unknown routes (and wrong methods) with 404 and an empty body.
    return Response(b"", status_code=404)


async def _http_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, HTTPException) and exc.status_code not in {404, 405}:
        return Response(
            body_for_status(exc.status_code),
            status_code=exc.status_code,
            media_type="application/json",
        )
    return Response(b"", status_code=404)


def create_paymongo_app(
    state: PayMongoState, *, clock: SandboxClock, faults: FaultInjector, log: RequestLog
) -> ASGIApp:
    """The PayMongo sandbox app, wrapped in the fault injector (which also logs requests)."""
    if state.clock is not clock:
        raise ValueError("the state must use the same clock as the app")
    routes = [
        *paymongo_routes(state),
        *payout_routes(state),
        *page_routes(),
        *control_routes(state),
    ]
    routes += fault_control_routes(faults, log)
    app = Starlette(routes=routes, exception_handlers={404: _empty_404, HTTPException: _http_error})
    app.state.paymongo = state
    return faults.wrap(app, log, body_for_status)
