"""Serve an ASGI app with uvicorn on a free 127.0.0.1 port in a daemon thread, for socket tests."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp


class _ThreadedServer(uvicorn.Server):
    """A uvicorn server that signals a threading.Event once it listens."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()


@contextmanager
def serve_in_thread(app: ASGIApp) -> Iterator[str]:
    """Yield the base URL ("http://127.0.0.1:<port>") of `app` served until the block ends."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        log_config=None,
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    server = _ThreadedServer(config)
    thread = threading.Thread(target=server.run, name="test-uvicorn", daemon=True)
    thread.start()
    if not server.ready.wait(timeout=10) or not server.started:
        raise RuntimeError("uvicorn did not start")
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
