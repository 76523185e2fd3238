"""Serve the example site over real HTTP with Django's own threaded WSGI server.

One thread per request, each with its own database connection, as under gunicorn's threads; an
ASGI server would run Django's sync views on one shared thread and hide concurrency bugs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler


class QuietRequestHandler(WSGIRequestHandler):
    """Logs nothing per request (tests and benchmarks make thousands)."""

    def log_message(self, format: str, *args: Any) -> None:
        return


def make_server(host: str, port: int, *, quiet: bool) -> ThreadedWSGIServer:
    """A bound (not yet serving) server for the configured site; port 0 picks a free one."""
    handler = QuietRequestHandler if quiet else WSGIRequestHandler
    server = ThreadedWSGIServer((host, port), handler, ipv6=":" in host)
    server.daemon_threads = True
    server.set_app(StaticFilesHandler(WSGIHandler()))
    return server


@contextmanager
def serving(host: str = "127.0.0.1", port: int = 0, *, quiet: bool = True) -> Iterator[str]:
    """Serve in a background thread; yield the base URL ("http://127.0.0.1:<port>")."""
    server = make_server(host, port, quiet=quiet)
    thread = threading.Thread(target=server.serve_forever, name="kaha-clinic-http", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
