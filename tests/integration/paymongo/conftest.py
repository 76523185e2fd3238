"""One sandbox (real PayMongo fake on 127.0.0.1) per test module, reset for every test."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from pos_app.paymongo import PayMongoClient, RetryPolicy, Timeouts
from pos_sandbox.faults import FaultRule
from pos_sandbox.requestlog import LoggedRequest
from pos_sandbox.server import SandboxServer

# Short enough for quick fault tests, long enough for a loaded CI machine.
FAST_TIMEOUTS = Timeouts(connect_s=2.0, read_s=2.0, write_s=2.0, per_try_s=2.0, total_s=10.0)
FAST_RETRY = RetryPolicy(max_attempts=4, base_delay_s=0.01, max_delay_s=0.05)


def new_key(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(18).replace("-", "x").replace("_", "y")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        yield server


@pytest.fixture
def fresh(sandbox: SandboxServer) -> SandboxServer:
    sandbox.reset()
    sandbox.paymongo.configure(rate_limit_per_second=None)
    return sandbox


@pytest.fixture
def client(fresh: SandboxServer) -> Iterator[PayMongoClient]:
    with PayMongoClient(
        secret_key=new_key("sk_test_"),
        public_key=new_key("pk_test_"),
        base_url=fresh.paymongo_url,
        timeouts=FAST_TIMEOUTS,
        retry=FAST_RETRY,
    ) as paymongo:
        yield paymongo


def add_fault(server: SandboxServer, **rule: object) -> str:
    return server.paymongo_faults.add(FaultRule(**rule))  # type: ignore[arg-type]


def requests_to(server: SandboxServer, method: str, path: str) -> list[LoggedRequest]:
    return [e for e in server.paymongo_log.entries() if e.method == method and e.path == path]


def new_idempotency_key() -> str:
    return secrets.token_hex(16)
