"""The HTTP edge of /v1: Basic auth, rate limit, body cap, envelope parsing, idempotency.

Threading contract: endpoints run on uvicorn's event-loop thread; each handler runs entirely
under `PayMongoState.lock`, so a request is atomic with respect to the dispatcher and tests.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pos_sandbox.paymongo.errors import ApiError, invalid, unauthorized
from pos_sandbox.paymongo.state import PayMongoState

Json = dict[str, Any]
logger = logging.getLogger(__name__)
KEY_PATTERN = re.compile(r"^(sk|pk)_(test|live)_[A-Za-z0-9]{8,}$")


@dataclass
class Caller:
    key: str
    public: bool
    livemode: bool


@dataclass
class Call:
    """Everything a handler needs; handlers run with `state.lock` held."""

    state: PayMongoState
    caller: Caller
    attrs: Json
    params: dict[str, str]
    query: dict[str, str]
    base_url: str

    @property
    def livemode(self) -> bool:
        return self.caller.livemode


Handler = Callable[[Call], Any]


def json_response(payload: Any, status: int = 200) -> Response:
    body = json.dumps(payload, separators=(",", ":")).encode()
    return Response(body, status_code=status, media_type="application/json")


def error_response(error: ApiError) -> Response:
    return Response(error.body(), status_code=error.status, media_type="application/json")


def authenticate(state: PayMongoState, header: str | None) -> Caller:
    if not header or not header.startswith("Basic "):
        raise unauthorized("Authentication is required: send your API key with Basic auth.")
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise unauthorized("The Authorization header is malformed.") from exc
    key = decoded[:-1] if decoded.endswith(":") else decoded  # SDK-py omits the colon
    match = KEY_PATTERN.match(key)
    if match is None:
        raise unauthorized("The API key is invalid.")
    config = state.config
    if config.secret_key is not None and key not in {config.secret_key, config.public_key}:
        raise unauthorized("The API key is invalid.")
    return Caller(key=key, public=match.group(1) == "pk", livemode=match.group(2) == "live")


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError.of(413, "parameter_invalid", "The request body is too large.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError.of(413, "parameter_invalid", "The request body is too large.")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_attributes(body: bytes) -> Json:
    if not body.strip():
        return {}
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid("parameter_invalid", "The request body is not valid JSON.") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("data", {}), dict):
        raise invalid("parameter_invalid", "The request body must be {data: {attributes}}.", "data")
    attributes = payload.get("data", {}).get("attributes", {})
    if not isinstance(attributes, dict):
        raise invalid(
            "parameter_data_type_invalid", "attributes should be an object.", "data.attributes"
        )
    return attributes


def _stored_answer(error: ApiError) -> bool:
    """Validation failures are not stored (the client may fix and retry); business ones are."""
    codes = [entry.get("code", "") for entry in error.errors]
    return error.status == 400 and not any(code.startswith("parameter_") for code in codes)


class Idempotency:
    """Replays the first stored answer per (api key, Idempotency-Key) for 24 h (fact sheet §14)."""

    def __init__(self, state: PayMongoState, caller: Caller, request: Request, body: bytes):
        key = request.headers.get("idempotency-key")
        self.active = key is not None and not state.config.ignore_idempotency
        self.state = state
        self.slot = f"{caller.key}|{key}"
        fingerprint = f"{request.method} {request.url.path}".encode() + b"\n" + body
        self.fingerprint = hashlib.sha256(fingerprint).hexdigest()

    def replay(self) -> Response | None:
        if not self.active:
            return None
        entry = self.state.store.idempotency.get(self.slot)
        if (
            entry is None
            or entry["at"] + self.state.config.idempotency_ttl < self.state.clock.now()
        ):
            return None
        if entry["fingerprint"] != self.fingerprint:
            raise invalid(
                "parameter_invalid",
                "This Idempotency-Key was already used with different parameters.",
                "Idempotency-Key",
            )
        response = Response(
            entry["body"].encode(), status_code=entry["status"], media_type="application/json"
        )
        response.headers["idempotent-replayed"] = "true"
        return response

    def remember(self, response: Response) -> None:
        if self.active:
            self.state.store.idempotency[self.slot] = {
                "fingerprint": self.fingerprint,
                "status": response.status_code,
                "body": bytes(response.body).decode(),
                "at": self.state.clock.now(),
            }


def base_url_of(state: PayMongoState, request: Request) -> str:
    return state.config.public_base_url or str(request.base_url).rstrip("/")


def api_route(
    state: PayMongoState, path: str, method: str, handler: Handler, *, public_ok: bool = False
) -> Route:
    """A /v1 route whose handler gets a `Call` and returns the JSON payload to send."""

    async def endpoint(request: Request) -> Response:
        if not state.allow_request():
            return Response(
                b"Too many requests, please try again later.",
                status_code=429,
                media_type="text/plain",
            )
        try:
            caller = authenticate(state, request.headers.get("authorization"))
            if caller.public and not public_ok:
                raise unauthorized("This request needs a secret key.")
            body = await read_body(request, state.config.max_body_bytes)
            attrs = parse_attributes(body) if method in {"POST", "PUT"} else {}
            call = Call(
                state,
                caller,
                attrs,
                dict(request.path_params),
                dict(request.query_params),
                base_url_of(state, request),
            )
            with state.lock:
                idempotency = Idempotency(state, caller, request, body)
                replayed = idempotency.replay() if method == "POST" else None
                if replayed is not None:
                    return replayed
                state.tick()
                try:
                    response = json_response(handler(call))
                except ApiError as error:
                    if method == "POST" and _stored_answer(error):
                        idempotency.remember(error_response(error))
                    raise
                if method == "POST":
                    idempotency.remember(response)
                if state.store.outbox:
                    state.changed.notify_all()
                return response
        except ApiError as error:
            return error_response(error)
        except Exception:  # a sandbox bug: answer like PayMongo's 500, keep serving
            logger.exception("sandbox error on %s %s", method, path)
            return error_response(ApiError.of(500, "server_error", "Something went wrong."))

    return Route(path, endpoint, methods=[method])


Endpoint = Callable[[Request], Awaitable[Response]]
