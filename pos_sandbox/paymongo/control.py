"""The /_control/ API on the PayMongo port: steer the sandbox over HTTP (never faulted).

POST /_control/reset                                    forget everything
GET  /_control/clock ; POST /_control/clock {"advance": s} or {"set": unix}
GET|PATCH /_control/config                              read / change PayMongoConfig fields
POST /_control/objects/{id}/{settle|fail|expire|pay_late}   ({"failed_code"}, {"amount"})
GET  /_control/objects/{id}                             any object, secret-key view
GET  /_control/ledger ; GET /_control/events ; GET /_control/webhook_deliveries
POST /_control/webhooks {"drop": n, "duplicate": n}     drop / duplicate the next n webhooks
plus the fault and request-log routes of pos_sandbox.faults.

Threading contract: handlers run on the event-loop thread and use PayMongoState's own locking.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pos_sandbox.paymongo.errors import ApiError
from pos_sandbox.paymongo.state import PayMongoState

Json = dict[str, Any]


async def _json_body(request: Request) -> Json:
    raw = await request.body()
    if not raw.strip():
        return {}
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    return data


def control_routes(state: PayMongoState) -> list[Route]:
    async def reset(request: Request) -> Response:
        state.reset()
        return JSONResponse({"ok": True})

    async def clock(request: Request) -> Response:
        if request.method == "POST":
            body = await _json_body(request)
            if "advance" in body:
                state.advance_clock(float(body["advance"]))
            if "set" in body:
                state.set_clock(float(body["set"]))
        return JSONResponse({"now": state.clock.now()})

    async def config(request: Request) -> Response:
        if request.method == "PATCH":
            state.configure(**(await _json_body(request)))
        with state.lock:
            return JSONResponse(state.config.to_json())

    async def act(request: Request) -> Response:
        object_id, action = request.path_params["id"], request.path_params["action"]
        body = await _json_body(request)
        if action == "settle":
            state.settle(object_id)
        elif action == "fail":
            state.fail(object_id, str(body.get("failed_code", "generic_decline")))
        elif action == "expire":
            state.expire(object_id)
        elif action == "pay_late":
            amount = body.get("amount")
            return JSONResponse({"data": state.pay_late(object_id, amount)})
        else:
            return JSONResponse({"detail": f"unknown action {action}"}, status_code=404)
        return JSONResponse({"data": state.get(object_id)})

    async def get_object(request: Request) -> Response:
        return JSONResponse({"data": state.get(request.path_params["id"])})

    async def ledger(request: Request) -> Response:
        return JSONResponse({"ledger": state.ledger()})

    async def events(request: Request) -> Response:
        livemode = request.query_params.get("livemode") == "true"
        return JSONResponse({"events": state.events(livemode)})

    async def deliveries(request: Request) -> Response:
        return JSONResponse({"deliveries": state.deliveries()})

    async def webhook_faults(request: Request) -> Response:
        body = await _json_body(request)
        state.configure(
            drop_webhooks=int(body.get("drop", 0)), duplicate_webhooks=int(body.get("duplicate", 0))
        )
        return JSONResponse({"ok": True})

    def guarded(handler: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            try:
                response: Response = await handler(request)
            except ApiError as error:
                return Response(
                    error.body(), status_code=error.status, media_type="application/json"
                )
            except (ValueError, KeyError, TypeError) as exc:
                return JSONResponse({"detail": f"bad control request: {exc}"}, status_code=400)
            return response

        return endpoint

    return [
        Route("/_control/reset", guarded(reset), methods=["POST"]),
        Route("/_control/clock", guarded(clock), methods=["GET", "POST"]),
        Route("/_control/config", guarded(config), methods=["GET", "PATCH"]),
        Route("/_control/objects/{id}", guarded(get_object), methods=["GET"]),
        Route("/_control/objects/{id}/{action}", guarded(act), methods=["POST"]),
        Route("/_control/ledger", guarded(ledger), methods=["GET"]),
        Route("/_control/events", guarded(events), methods=["GET"]),
        Route("/_control/webhook_deliveries", guarded(deliveries), methods=["GET"]),
        Route("/_control/webhooks", guarded(webhook_faults), methods=["POST"]),
    ]
