"""One SandboxServer (both stand-ins, real sockets) for the whole sandbox test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pos_sandbox.server import SandboxServer


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer(seed=0)
    server.start()
    yield server
    server.stop()
