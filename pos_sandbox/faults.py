"""Fault injection for the sandbox servers: an ASGI middleware with rules tests change live.

Fault kinds, and what an HTTP client (httpx over uvicorn) observes:

- ``latency``: sleep ``delay_s``, then the request is served normally.
- ``error``: the wrapped app is not called; the client gets ``status`` with ``error_body(status)``.
- ``rate_limit``: like ``error`` with status 429 and a ``Retry-After: 1`` header.
- ``hang``: the wrapped app is not called; nothing is answered for ``delay_s`` seconds (or until the
  client gives up), then the connection is closed without an answer. A client with a read timeout
  shorter than ``delay_s`` sees ``httpx.ReadTimeout``; otherwise as for ``drop_response``.
- ``drop_response``: the wrapped app runs to completion (state changes happen), its answer is
  thrown away and the connection is aborted before a single byte of it is written. The client sees
  ``httpx.RemoteProtocolError("Server disconnected without sending a response.")`` (or a
  connection reset, ``httpx.ReadError``): both are ``httpx.TransportError``, i.e. the ambiguous
  "did it happen?" failure that idempotency keys exist for. If the server is not uvicorn-like (no
  transport reachable from ``send``), the status line and headers are sent and the connection is
  broken before the body; the client then sees ``RemoteProtocolError`` while reading the body.
- ``trickle``: the wrapped app runs; its body is sent ``TRICKLE_CHUNK_BYTES`` at a time with
  ``delay_s`` between chunks (``delay_s`` is per chunk, so a per-read timeout never fires while a
  whole-request deadline does).

Rules are checked in the order they were added; the first rule whose method (None: any) and
``path_regex`` (``re.search`` on the path) match, that still has ``times`` left (None: forever)
and that wins its ``probability`` draw applies. A rule whose ``times`` runs out is removed. Paths
under ``/_control/`` are never faulted and never logged, so tests can always steer the sandbox.

Threading contract: ``FaultInjector`` methods may be called from any thread (tests add rules from
the test thread while the server's event loop reads them); one lock guards the rules and the rng.
The middleware itself runs on the server's event loop only.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from typing import Literal, get_args

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pos_sandbox.clock import SandboxClock
from pos_sandbox.requestlog import LoggedRequest, RequestLog

FaultKind = Literal["latency", "error", "rate_limit", "hang", "drop_response", "trickle"]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)
CONTROL_PREFIX = "/_control/"
TRICKLE_CHUNK_BYTES = 8
MAX_LOGGED_BODY_BYTES = 1_000_000

ErrorBody = Callable[[int], bytes]


@dataclass
class FaultRule:
    """One fault to inject; see the module docstring for what each kind does."""

    kind: FaultKind
    method: str | None = None
    path_regex: str = ".*"
    status: int = 500
    delay_s: float = 0.0
    times: int | None = None
    probability: float = 1.0
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(FAULT_KINDS)}")
        if not 100 <= self.status <= 599:
            raise ValueError("status must be an HTTP status between 100 and 599")
        if self.delay_s < 0:
            raise ValueError("delay_s must not be negative")
        if self.times is not None and self.times < 0:
            raise ValueError("times must not be negative")
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError("probability must be between 0 and 1")
        try:
            self._pattern = re.compile(self.path_regex)
        except re.error as exc:
            raise ValueError(f"path_regex is not a valid regular expression: {exc}") from exc

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self._pattern.search(path) is not None

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data.pop("_pattern", None)
        return data

    @classmethod
    def from_json(cls, data: object) -> FaultRule:
        """Build a rule from decoded JSON, raising ValueError with a readable message if invalid."""
        if not isinstance(data, Mapping) or "kind" not in data:
            raise ValueError("a fault rule must be a JSON object with a kind")
        if unknown := set(data) - set(_JSON_TYPES):
            raise ValueError(f"unknown fields: {', '.join(sorted(map(str, unknown)))}")
        for name, value in data.items():
            if isinstance(value, bool) or not isinstance(value, _JSON_TYPES[name]):
                raise ValueError(f"{name} has the wrong type")
        # Types are checked just above and values in __post_init__.
        return cls(**dict(data))


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "kind": (str,),
    "method": (str, type(None)),
    "path_regex": (str,),
    "status": (int,),
    "delay_s": (int, float),
    "times": (int, type(None)),
    "probability": (int, float),
}


def default_error_body(status: int) -> bytes:
    """A DRF-shaped error body, the default for ``error`` and ``rate_limit`` faults."""
    if status == 429:
        detail = "Request was throttled. Expected available in 1 second."
    else:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Error"
        detail = f"Sandbox fault: {status} {phrase}"
    return json.dumps({"detail": detail}).encode()


class FaultInjector:
    """Holds the live fault rules and wraps ASGI apps so the rules apply to them."""

    def __init__(self, rng: random.Random | None = None, clock: SandboxClock | None = None) -> None:
        self._rng = rng if rng is not None else random.Random()
        self.clock = clock if clock is not None else SandboxClock()
        self._lock = threading.Lock()
        self._rules: dict[str, FaultRule] = {}
        self._ids = itertools.count(1)

    def add(self, rule: FaultRule) -> str:
        with self._lock:
            rule_id = f"fault_{next(self._ids)}"
            self._rules[rule_id] = rule
            return rule_id

    def remove(self, rule_id: str) -> None:
        """Remove a rule; removing an unknown or already used-up rule is not an error."""
        with self._lock:
            self._rules.pop(rule_id, None)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def rules(self) -> dict[str, FaultRule]:
        """A snapshot of the live rules by id, in the order they are checked."""
        with self._lock:
            return dict(self._rules)

    def pick(self, method: str, path: str) -> FaultRule | None:
        """The rule that applies to this request, consuming one of its ``times``."""
        if path.startswith(CONTROL_PREFIX):
            return None
        with self._lock:
            for rule_id, rule in list(self._rules.items()):
                if not rule.matches(method, path):
                    continue
                if rule.probability < 1.0 and self._rng.random() >= rule.probability:
                    continue
                if rule.times is not None:
                    rule.times -= 1
                    if rule.times <= 0:
                        del self._rules[rule_id]
                return rule
        return None

    def wrap(
        self, app: ASGIApp, log: RequestLog | None = None, error_body: ErrorBody | None = None
    ) -> ASGIApp:
        """ASGI middleware: apply matching rules to `app` and record every request in `log`."""
        return _FaultMiddleware(self, app, log, error_body or default_error_body)


class _BodyRecorder:
    """Wraps `receive` to keep a copy of the request body for the log."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self._chunks = bytearray()
        self.finished = False

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            room = MAX_LOGGED_BODY_BYTES - len(self._chunks)
            self._chunks += message.get("body", b"")[: max(room, 0)]
            self.finished = not message.get("more_body", False)
        elif message["type"] == "http.disconnect":
            self.finished = True
        return message

    async def drain(self) -> None:
        while not self.finished:
            await self.receive()

    @property
    def body(self) -> bytes:
        return bytes(self._chunks)


class _FaultMiddleware:
    def __init__(
        self, injector: FaultInjector, app: ASGIApp, log: RequestLog | None, error_body: ErrorBody
    ) -> None:
        self._injector = injector
        self._app = app
        self._log = log
        self._error_body = error_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self._app(scope, receive, send)
            return
        rule = self._injector.pick(scope["method"], scope["path"])
        exchange = _Exchange(scope, self._injector.clock.now(), _BodyRecorder(receive), rule)
        try:
            await self._serve(exchange, send)
        finally:
            exchange.log_once(self._log)

    async def _serve(self, exchange: _Exchange, send: Send) -> None:
        """Serve one request under its rule, logging it before the client can see the outcome."""
        rule, scope, recorder = exchange.rule, exchange.scope, exchange.recorder
        if rule is None or rule.kind == "latency":
            if rule is not None:
                await asyncio.sleep(rule.delay_s)
            await self._app(scope, recorder.receive, exchange.observing(send, self._log))
            return
        if rule.kind in ("error", "rate_limit"):
            await recorder.drain()
            exchange.status = 429 if rule.kind == "rate_limit" else rule.status
            exchange.log_once(self._log)
            await _send_error(send, exchange.status, self._error_body(exchange.status))
            return
        if rule.kind == "hang":
            await _wait_for_disconnect(recorder, rule.delay_s)
            exchange.log_once(self._log)
            await _break_connection(send, None)
            return
        messages = await _run_captured(self._app, scope, recorder.receive)
        exchange.status = _status_of(messages)
        exchange.log_once(self._log)
        if rule.kind == "drop_response":
            await _break_connection(send, messages[0] if messages else None)
        else:
            await _trickle(send, messages, rule.delay_s)


class _Exchange:
    """One request passing through the middleware, and whether it has been logged yet."""

    def __init__(
        self, scope: Scope, arrived_at: float, recorder: _BodyRecorder, rule: FaultRule | None
    ) -> None:
        self.scope = scope
        self.arrived_at = arrived_at
        self.recorder = recorder
        self.rule = rule
        self.status: int | None = None
        self._logged = False

    def log_once(self, log: RequestLog | None) -> None:
        if self._logged or log is None:
            return
        self._logged = True
        headers = dict(self.scope.get("headers", []))
        key = headers.get(b"idempotency-key")
        log.record(
            LoggedRequest(
                at=self.arrived_at,
                method=self.scope["method"],
                path=self.scope["path"],
                query=self.scope.get("query_string", b"").decode("latin-1"),
                idempotency_key=key.decode("latin-1") if key is not None else None,
                body=self.recorder.body,
                status=self.status,
                fault=self.rule.kind if self.rule is not None else None,
            )
        )

    def observing(self, send: Send, log: RequestLog | None) -> Send:
        """Wrap `send` to note the status and log just before the response's last message."""

        async def observed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.status = int(message["status"])
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                self.log_once(log)
            await send(message)

        return observed_send


async def _run_captured(app: ASGIApp, scope: Scope, receive: Receive) -> list[Message]:
    messages: list[Message] = []

    async def capture(message: Message) -> None:
        messages.append(message)

    await app(scope, receive, capture)
    return messages


def _status_of(messages: list[Message]) -> int | None:
    for message in messages:
        if message["type"] == "http.response.start":
            return int(message["status"])
    return None


async def _send_error(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    if status == 429:
        headers.append((b"retry-after", b"1"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _wait_for_disconnect(recorder: _BodyRecorder, timeout_s: float) -> None:
    """Return after `timeout_s`, or earlier if the client hangs up."""

    async def until_disconnect() -> None:
        while (await recorder.receive())["type"] != "http.disconnect":
            pass

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(until_disconnect(), timeout_s)


class _DroppedResponse(Exception):
    """Raised to make an ASGI server abandon a response it has already started."""


async def _break_connection(send: Send, response_start: Message | None) -> None:
    """Close the client connection without (completing) an answer.

    uvicorn answers 500 if an app returns or raises before starting its response, so the
    connection is aborted directly through the transport of uvicorn's request cycle, which
    `send` is a bound method of. Without one, start the response and raise: servers close the
    connection when an app fails mid-response.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if isinstance(transport, asyncio.WriteTransport):
        transport.abort()
        # Let connection_lost run so the server marks the cycle disconnected and stays quiet.
        for _ in range(10):
            if getattr(cycle, "disconnected", True):
                break
            await asyncio.sleep(0)
        return
    start = response_start or {"type": "http.response.start", "status": 500, "headers": []}
    await send(dict(start))
    raise _DroppedResponse("sandbox fault: response dropped")


async def _trickle(send: Send, messages: list[Message], chunk_delay_s: float) -> None:
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    for message in messages:
        if message["type"] == "http.response.start":
            await send(message)
    for offset in range(0, len(body), TRICKLE_CHUNK_BYTES):
        await send(
            {
                "type": "http.response.body",
                "body": body[offset : offset + TRICKLE_CHUNK_BYTES],
                "more_body": True,
            }
        )
        await asyncio.sleep(chunk_delay_s)
    await send({"type": "http.response.body", "body": b"", "more_body": False})


def fault_control_routes(injector: FaultInjector, log: RequestLog) -> list[Route]:
    """Routes under /_control/ to steer `injector` and read `log` over HTTP."""

    async def add_fault(request: Request) -> Response:
        try:
            rule = FaultRule.from_json(json.loads(await request.body()))
        except ValueError as exc:  # includes JSONDecodeError
            return JSONResponse({"detail": str(exc)}, status_code=400)
        return JSONResponse({"id": injector.add(rule)}, status_code=201)

    async def list_faults(request: Request) -> Response:
        rules = injector.rules()
        return JSONResponse({"faults": [{"id": i, **r.to_json()} for i, r in rules.items()]})

    async def clear_faults(request: Request) -> Response:
        injector.clear()
        return Response(status_code=204)

    async def remove_fault(request: Request) -> Response:
        rule_id = request.path_params["rule_id"]
        if rule_id not in injector.rules():
            return JSONResponse({"detail": "Not found."}, status_code=404)
        injector.remove(rule_id)
        return Response(status_code=204)

    async def list_requests(request: Request) -> Response:
        entries = log.entries(path_prefix=request.query_params.get("path_prefix"))
        return JSONResponse({"requests": [logged_request_json(e) for e in entries]})

    async def clear_requests(request: Request) -> Response:
        log.clear()
        return Response(status_code=204)

    return [
        Route("/_control/faults", add_fault, methods=["POST"]),
        Route("/_control/faults", list_faults, methods=["GET"]),
        Route("/_control/faults", clear_faults, methods=["DELETE"]),
        Route("/_control/faults/{rule_id}", remove_fault, methods=["DELETE"]),
        Route("/_control/requests", list_requests, methods=["GET"]),
        Route("/_control/requests", clear_requests, methods=["DELETE"]),
    ]


def logged_request_json(entry: LoggedRequest) -> dict[str, object]:
    """A log entry as JSON; the body is decoded as UTF-8 with undecodable bytes replaced."""
    data = asdict(entry)
    data["body"] = entry.body.decode("utf-8", errors="replace")
    return data
