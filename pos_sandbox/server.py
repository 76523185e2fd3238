"""SandboxServer: the PayMongo and clinic stand-ins served by uvicorn, in-process.

Threading contract: `start()` runs each uvicorn server on its own daemon thread (each with its
own event loop) plus the webhook dispatcher thread, and returns once both servers listen.
`stop()` asks them to exit and joins the threads; both may be called from any one thread.
The state objects (`paymongo`, `clinic`) are thread-safe and can be driven from test threads.
"""

from __future__ import annotations

import importlib.util
import secrets
import socket
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from pos_sandbox.clock import SandboxClock
from pos_sandbox.faults import FaultInjector
from pos_sandbox.paymongo.app import create_paymongo_app
from pos_sandbox.paymongo.delivery import WebhookDispatcher
from pos_sandbox.paymongo.state import PayMongoState
from pos_sandbox.requestlog import RequestLog

STARTUP_TIMEOUT_S = 10.0


def _http_implementation() -> str:
    # httptools parses HTTP several times faster than h11; use it whenever it is installed.
    return "httptools" if importlib.util.find_spec("httptools") is not None else "h11"


class _ThreadedUvicorn(uvicorn.Server):
    """A uvicorn server on a daemon thread that signals once it listens."""

    def __init__(self, app: ASGIApp, sock: socket.socket) -> None:
        config = uvicorn.Config(
            app,
            log_level="warning",
            lifespan="off",
            access_log=False,
            http=_http_implementation(),
            timeout_graceful_shutdown=1,
        )
        super().__init__(config)
        self.listening = threading.Event()
        self._sock = sock
        self._thread = threading.Thread(
            target=self._thread_main, name="sandbox-uvicorn", daemon=True
        )

    def install_signal_handlers(self) -> None:
        """Signals belong to the main thread's owner, not to an embedded server."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.listening.set()

    def _thread_main(self) -> None:
        try:
            self.run(sockets=[self._sock])
        finally:
            self.listening.set()  # never leave start() waiting if startup failed

    def begin(self) -> None:
        self._thread.start()
        if not self.listening.wait(STARTUP_TIMEOUT_S) or not self.started:
            raise RuntimeError("the sandbox server did not start")

    def end(self) -> None:
        self.should_exit = True
        self._thread.join(timeout=5)


def _bind(host: str, port: int) -> socket.socket:
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose proto
    # says TCP, and without it every answer waits ~40 ms on Nagle + delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


class SandboxServer:
    """Both sandbox servers; `paymongo_url` serves /v1, `clinic_url` serves /api."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        paymongo_port: int = 0,
        clinic_port: int = 0,
        data_path: Path | None = None,
        seed: int | None = 0,
        clock: SandboxClock | None = None,
        clinic_token: str | None = None,
    ) -> None:
        self.host = host
        self.clock = clock or SandboxClock()
        self.data_path = data_path
        self.clinic_token = clinic_token or secrets.token_urlsafe(24)
        self.paymongo = PayMongoState(clock=self.clock, seed=seed)
        self.paymongo_faults = FaultInjector(clock=self.clock)
        self.paymongo_log = RequestLog()
        self.clinic_faults = FaultInjector(clock=self.clock)
        self.clinic_log = RequestLog()
        self.clinic: Any = self._make_clinic(seed)
        self._ports = (paymongo_port, clinic_port)
        self._servers: list[_ThreadedUvicorn] = []
        self._dispatcher: WebhookDispatcher | None = None
        self.paymongo_url = ""
        self.clinic_url = ""

    def _make_clinic(self, seed: int | None) -> Any:
        from pos_sandbox.clinic import ClinicState

        clinic = ClinicState(clock=self.clock)
        clinic_file = self._clinic_file()
        if clinic_file is not None and clinic_file.exists():
            clinic.load(clinic_file)
        elif seed is not None:
            clinic.seed_demo(seed)
        return clinic

    def _clinic_file(self) -> Path | None:
        if self.data_path is None:
            return None
        return self.data_path.with_name(self.data_path.name + ".clinic.json")

    def start(self) -> None:
        if self.data_path is not None and self.data_path.exists():
            self.paymongo.load(self.data_path)
        from pos_sandbox.clinic import create_clinic_app

        paymongo_app = create_paymongo_app(
            self.paymongo, clock=self.clock, faults=self.paymongo_faults, log=self.paymongo_log
        )
        clinic_app = create_clinic_app(
            self.clinic,
            token=self.clinic_token,
            clock=self.clock,
            faults=self.clinic_faults,
            log=self.clinic_log,
        )
        urls = []
        for app, port in ((paymongo_app, self._ports[0]), (clinic_app, self._ports[1])):
            sock = _bind(self.host, port)
            server = _ThreadedUvicorn(app, sock)
            server.begin()
            self._servers.append(server)
            urls.append(f"http://{self.host}:{sock.getsockname()[1]}")
        self.paymongo_url, self.clinic_url = urls
        self._dispatcher = WebhookDispatcher(self.paymongo, self.data_path)
        self._dispatcher.start()

    def stop(self) -> None:
        if self._dispatcher is not None:
            self._dispatcher.stop()
            self._dispatcher = None
        for server in self._servers:
            server.end()
        self._servers.clear()
        if self.data_path is not None:
            self.paymongo.save(self.data_path)
            clinic_file = self._clinic_file()
            assert clinic_file is not None
            self.clinic.save(clinic_file)

    def reset(self) -> None:
        """Forget PayMongo objects, faults and request logs (tests call this between cases)."""
        self.paymongo.reset()
        self.paymongo_faults.clear()
        self.paymongo_log.clear()

    def __enter__(self) -> SandboxServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
