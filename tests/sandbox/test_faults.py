"""FaultInjector over real sockets: every fault kind as an httpx client sees it."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pos_sandbox.faults import FaultInjector, FaultRule, fault_control_routes
from pos_sandbox.requestlog import RequestLog
from tests.sandbox.clinic.serving import serve_in_thread

BIG_BODY = b"x" * 80


class _Counter:
    def __init__(self) -> None:
        self.value = 0


def _inner_app(counter: _Counter, injector: FaultInjector, log: RequestLog) -> Starlette:
    async def count(request: Request) -> Response:
        await request.body()
        counter.value += 1
        return JSONResponse({"count": counter.value})

    async def big(request: Request) -> Response:
        return Response(BIG_BODY, media_type="text/plain")

    routes = [Route("/count", count, methods=["POST"]), Route("/big", big)]
    return Starlette(routes=routes + fault_control_routes(injector, log))


class _Sandbox:
    def __init__(self, base_url: str, injector: FaultInjector, log: RequestLog) -> None:
        self.base_url = base_url
        self.injector = injector
        self.log = log
        self.counter = _Counter()


@pytest.fixture(scope="module")
def _served() -> Iterator[tuple[str, FaultInjector, RequestLog, _Counter]]:
    injector = FaultInjector(rng=random.Random(1))
    log = RequestLog()
    counter = _Counter()
    with serve_in_thread(injector.wrap(_inner_app(counter, injector, log), log)) as url:
        yield url, injector, log, counter


@pytest.fixture
def sandbox(_served: tuple[str, FaultInjector, RequestLog, _Counter]) -> _Sandbox:
    url, injector, log, counter = _served
    injector.clear()
    log.clear()
    counter.value = 0
    box = _Sandbox(url, injector, log)
    box.counter = counter
    return box


@pytest.fixture
def client(sandbox: _Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.base_url, timeout=5.0) as http:
        yield http


def _wait_until(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


def test_unfaulted_requests_are_served_and_logged(sandbox: _Sandbox, client: httpx.Client) -> None:
    response = client.post("/count", content=b'{"a": 1}', headers={"Idempotency-Key": "k-1"})
    assert response.json() == {"count": 1}
    (entry,) = sandbox.log.entries()
    assert (entry.method, entry.path, entry.status, entry.fault) == ("POST", "/count", 200, None)
    assert entry.idempotency_key == "k-1"
    assert entry.body == b'{"a": 1}'


def test_latency_delays_then_serves(sandbox: _Sandbox, client: httpx.Client) -> None:
    sandbox.injector.add(FaultRule(kind="latency", delay_s=0.3))
    started = time.monotonic()
    response = client.post("/count")
    assert time.monotonic() - started >= 0.3
    assert response.json() == {"count": 1}
    assert sandbox.log.entries()[0].fault == "latency"


def test_error_answers_without_calling_the_app(sandbox: _Sandbox, client: httpx.Client) -> None:
    sandbox.injector.add(FaultRule(kind="error", status=503))
    response = client.post("/count", content=b"payload")
    assert response.status_code == 503
    assert "503" in response.json()["detail"]
    assert sandbox.counter.value == 0
    (entry,) = sandbox.log.entries()
    assert (entry.status, entry.fault, entry.body) == (503, "error", b"payload")


def test_rate_limit_answers_429_with_retry_after(sandbox: _Sandbox, client: httpx.Client) -> None:
    sandbox.injector.add(FaultRule(kind="rate_limit"))
    response = client.post("/count")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"
    assert response.json()["detail"].startswith("Request was throttled")
    assert sandbox.counter.value == 0


def test_error_body_factory_is_injectable() -> None:
    injector = FaultInjector()
    log = RequestLog()
    app = injector.wrap(
        _inner_app(_Counter(), injector, log),
        log,
        error_body=lambda status: json.dumps({"errors": [{"code": str(status)}]}).encode(),
    )
    injector.add(FaultRule(kind="error", status=502))
    with serve_in_thread(app) as url:
        response = httpx.post(f"{url}/count")
    assert response.status_code == 502
    assert response.json() == {"errors": [{"code": "502"}]}


def test_hang_outlasts_a_client_timeout(sandbox: _Sandbox, client: httpx.Client) -> None:
    sandbox.injector.add(FaultRule(kind="hang", delay_s=30))
    with pytest.raises(httpx.ReadTimeout):
        client.post("/count", timeout=0.3)
    # The server notices the client hanging up and stops waiting long before delay_s.
    _wait_until(lambda: len(sandbox.log.entries()) == 1)
    assert sandbox.log.entries()[0].fault == "hang"
    assert sandbox.counter.value == 0


def test_hang_then_closes_without_an_answer(sandbox: _Sandbox, client: httpx.Client) -> None:
    sandbox.injector.add(FaultRule(kind="hang", delay_s=0.2))
    started = time.monotonic()
    with pytest.raises(httpx.TransportError):
        client.post("/count")
    assert time.monotonic() - started >= 0.2
    assert sandbox.counter.value == 0


def test_drop_response_acts_but_the_client_gets_no_answer(
    sandbox: _Sandbox, client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox.injector.add(FaultRule(kind="drop_response", method="POST", times=1))
    with caplog.at_level(logging.WARNING), pytest.raises(httpx.TransportError):
        client.post("/count", headers={"Idempotency-Key": "k-drop"})
    assert sandbox.counter.value == 1
    (entry,) = sandbox.log.entries()
    assert (entry.status, entry.fault, entry.idempotency_key) == (200, "drop_response", "k-drop")
    # The connection is aborted quietly: uvicorn neither answers 500 nor logs an app error.
    assert not [r for r in caplog.records if r.name.startswith("uvicorn")]
    assert client.post("/count").json() == {"count": 2}


def test_trickle_sends_the_body_in_small_delayed_chunks(
    sandbox: _Sandbox, client: httpx.Client
) -> None:
    sandbox.injector.add(FaultRule(kind="trickle", delay_s=0.02))
    started = time.monotonic()
    chunks: list[bytes] = []
    with client.stream("GET", "/big", timeout=httpx.Timeout(5.0, read=0.5)) as response:
        chunks.extend(response.iter_raw())
    assert b"".join(chunks) == BIG_BODY
    assert len(chunks) >= 5
    # asyncio may wake a timer up to a clock tick early, hence the margin.
    assert time.monotonic() - started >= 0.015 * (len(BIG_BODY) // 8)


def test_times_counts_down_and_removes_the_rule(sandbox: _Sandbox, client: httpx.Client) -> None:
    sandbox.injector.add(FaultRule(kind="error", times=2))
    statuses = [client.post("/count").status_code for _ in range(3)]
    assert statuses == [500, 500, 200]
    assert sandbox.injector.rules() == {}


def test_rules_match_on_method_and_path(sandbox: _Sandbox, client: httpx.Client) -> None:
    sandbox.injector.add(FaultRule(kind="error", method="post", path_regex="^/count$"))
    assert client.get("/big").status_code == 200
    assert client.post("/count").status_code == 500


def test_probability_replays_with_a_seeded_rng() -> None:
    def hits(seed: int) -> list[bool]:
        injector = FaultInjector(rng=random.Random(seed))
        injector.add(FaultRule(kind="error", probability=0.3))
        return [injector.pick("GET", "/x") is not None for _ in range(200)]

    first = hits(42)
    assert first == hits(42)
    assert first != hits(43)
    assert 30 <= sum(first) <= 90


def test_control_paths_are_never_faulted_nor_logged(
    sandbox: _Sandbox, client: httpx.Client
) -> None:
    sandbox.injector.add(FaultRule(kind="error"))
    assert client.get("/_control/faults").status_code == 200
    assert sandbox.log.entries() == []


def test_control_routes_manage_rules(sandbox: _Sandbox, client: httpx.Client) -> None:
    created = client.post("/_control/faults", json={"kind": "error", "status": 502, "times": 1})
    assert created.status_code == 201
    rule_id = created.json()["id"]
    (listed,) = client.get("/_control/faults").json()["faults"]
    assert (listed["id"], listed["kind"], listed["status"]) == (rule_id, "error", 502)
    assert client.delete(f"/_control/faults/{rule_id}").status_code == 204
    assert client.delete(f"/_control/faults/{rule_id}").status_code == 404
    client.post("/_control/faults", json={"kind": "latency"})
    assert client.delete("/_control/faults").status_code == 204
    assert sandbox.injector.rules() == {}


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"[]",
        b'{"kind": "explode"}',
        b'{"kind": "error", "status": "500"}',
        b'{"kind": "error", "status": 42}',
        b'{"kind": "error", "probability": 2}',
        b'{"kind": "error", "path_regex": "("}',
        b'{"kind": "error", "colour": "red"}',
        b'{"kind": "error", "times": true}',
    ],
)
def test_bad_fault_rules_get_400(client: httpx.Client, payload: bytes) -> None:
    response = client.post("/_control/faults", content=payload)
    assert response.status_code == 400
    assert response.json()["detail"]


def test_control_routes_read_and_clear_the_request_log(
    sandbox: _Sandbox, client: httpx.Client
) -> None:
    client.post("/count", content="é".encode(), headers={"Idempotency-Key": "k-9"})
    client.get("/big?x=1")
    requests = client.get("/_control/requests", params={"path_prefix": "/count"}).json()
    (entry,) = requests["requests"]
    assert entry["body"] == "é"
    assert entry["idempotency_key"] == "k-9"
    everything = client.get("/_control/requests").json()["requests"]
    assert [e["query"] for e in everything] == ["", "x=1"]
    assert client.delete("/_control/requests").status_code == 204
    assert sandbox.log.entries() == []


async def _call(awaitable: Awaitable[None]) -> None:
    await awaitable


def test_drop_response_without_a_uvicorn_transport_breaks_the_response_midway() -> None:
    """Under an ASGI server whose `send` exposes no transport, the fallback path is used."""
    injector = FaultInjector()
    counter = _Counter()
    app = injector.wrap(_inner_app(counter, injector, RequestLog()))
    injector.add(FaultRule(kind="drop_response"))
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    scope = {"type": "http", "method": "POST", "path": "/count", "headers": [],
             "query_string": b"", "http_version": "1.1", "scheme": "http",
             "server": ("127.0.0.1", 80), "root_path": ""}  # fmt: skip
    with pytest.raises(Exception, match="response dropped"):
        asyncio.run(_call(app(scope, receive, send)))
    assert counter.value == 1
    assert [(m["type"], m.get("status")) for m in sent] == [("http.response.start", 200)]
