"""A real clinic sandbox server (uvicorn on 127.0.0.1) shared by a test module, reset per test."""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from pos_sandbox.clinic import ClinicState, create_clinic_app
from pos_sandbox.clock import SandboxClock
from pos_sandbox.faults import FaultInjector
from pos_sandbox.requestlog import RequestLog
from tests.sandbox.clinic.serving import serve_in_thread


@dataclass
class ClinicServer:
    url: str
    token: str
    state: ClinicState
    faults: FaultInjector
    log: RequestLog
    clock: SandboxClock


@pytest.fixture(scope="module")
def _served_clinic() -> Iterator[ClinicServer]:
    state = ClinicState()
    clock = SandboxClock()
    faults = FaultInjector(rng=random.Random(0), clock=clock)
    log = RequestLog()
    token = "tok_" + secrets.token_hex(16)
    app = create_clinic_app(state, token=token, clock=clock, faults=faults, log=log)
    with serve_in_thread(app) as url:
        yield ClinicServer(url, token, state, faults, log, clock)


@pytest.fixture
def server(_served_clinic: ClinicServer) -> ClinicServer:
    """The module's server with fresh demo data, no faults and an empty request log."""
    _served_clinic.state.reset()
    _served_clinic.state.seed_demo(0)
    _served_clinic.faults.clear()
    _served_clinic.log.clear()
    return _served_clinic


@pytest.fixture
def api(server: ClinicServer) -> Iterator[httpx.Client]:
    """An httpx client that sends the right token."""
    headers = {"Authorization": f"Token {server.token}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=5.0) as client:
        yield client


@pytest.fixture
def control(server: ClinicServer) -> Iterator[httpx.Client]:
    """An httpx client for /_control/ (no token needed)."""
    with httpx.Client(base_url=server.url, timeout=5.0) as client:
        yield client
