"""A small local endpoint for PayMongo webhooks: news of a payment sooner than the next poll.

Optional and off by default (``Settings.webhook_receiver_enabled``). The monitor keeps polling
whatever arrives here, so a lost, late or forged delivery never decides an outcome: a verified
event only makes the counter look at that payment at PayMongo *now*. That look is also how money
arriving on a payment the monitor stopped watching (a QR paid after expiry or cancel) is noticed.

Every delivery is checked in this order: size (a declared ``Content-Length`` over the cap is refused
before any byte of the body is read, and a body streamed without one is cut off at the cap, so
memory never grows with what a sender pushes), ``Paymongo-Signature`` (HMAC of the exact bytes,
this mode's key, a timestamp inside PayMongo's retry window: a retry keeps its first ``t`` for over
two hours), JSON shape, then de-duplication on the event id through
``uow.webhook_events`` (primary key, so two racing deliveries cannot both be first). An event is
marked processed only after its handler returned, so PayMongo's retry of a delivery we answered
with 500 is handled again rather than dropped as a duplicate.

Threading contract: ``start`` runs uvicorn on one daemon thread with its own event loop and
returns once it listens; ``stop`` asks it to exit and joins it; call both from one owner thread.
Handlers block (database + PayMongo), so each runs on a worker thread via ``asyncio.to_thread``;
handlers must be thread-safe (``PaymentMonitor.check`` is).
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import socket
import threading
from typing import Protocol

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pos_app.domain.clock import Clock, SystemClock
from pos_app.domain.errors import NotFound
from pos_app.paymongo.errors import PayMongoError
from pos_app.paymongo.models import Event
from pos_app.paymongo.models.events import OtherResource
from pos_app.paymongo.models.hosted import CheckoutSession
from pos_app.paymongo.models.payments import Payment, PaymentIntent, Refund, Source
from pos_app.paymongo.webhooks import SIGNATURE_HEADER, parse_event, verify_signature
from pos_app.storage import Database

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/paymongo/webhook"
MAX_BODY_BYTES = 256 * 1024  # PayMongo events are a few KB; anything bigger is not from PayMongo
STARTUP_TIMEOUT_S = 10.0


class EventHandler(Protocol):
    def handle_event(self, event: Event) -> None: ...


class PaymentChecker(Protocol):
    """The part of ``PaymentMonitor`` a webhook needs: look at one payment now (or right after
    the look already under way), tell listeners."""

    def check_now(self, attempt_id: str) -> object: ...


class RefundObserver(Protocol):
    """``RefundService`` as a webhook needs it: apply a refund event to this counter's refunds."""

    def observe_event(self, event: Event) -> None: ...


class MonitorEventHandler:
    """Turns a PayMongo event into "look at this attempt now" on the monitor.

    The attempt is found by any PayMongo id the event carries (intent, source, checkout session,
    payment) or by the ``kaha_attempt`` metadata the service puts on what it creates. Events for
    objects this counter did not make are ignored. Thread-safe: it keeps no state of its own.
    """

    def __init__(
        self, monitor: PaymentChecker, database: Database, *, refunds: RefundObserver | None = None
    ) -> None:
        self._monitor = monitor
        self._database = database
        self._refunds = refunds

    def handle_event(self, event: Event) -> None:
        for refund in refunds_in(event):  # news for the refunds work; the payment is looked at too
            log.info("refund %s of %s is %s", refund.id, refund.payment_id, refund.status.value)
        if self._refunds is not None and event.type in REFUND_EVENTS:
            self._refunds.observe_event(event)
        attempt_id = self.attempt_for(event)
        if attempt_id is None:
            log.info("webhook %s (%s) is for no payment of this counter", event.id, event.type)
            return
        try:
            self._monitor.check_now(attempt_id)  # never beside a poll of the same payment
        except NotFound:
            # another counter's payment (several counters share one database): its to watch
            log.info("webhook %s (%s) is for another counter's payment", event.id, event.type)

    def attempt_for(self, event: Event) -> str | None:
        candidates, hinted = _paymongo_ids(event)
        with self._database.unit_of_work(read_only=True) as uow:
            if hinted is not None and uow.attempts.get(hinted) is not None:
                return hinted
            for paymongo_id in candidates:
                attempt = uow.attempts.find_by_paymongo_id(paymongo_id)
                if attempt is not None:
                    return attempt.id
        return None


REFUND_EVENTS = frozenset({"payment.refunded", "payment.refund.updated"})


def refunds_in(event: Event) -> tuple[Refund, ...]:
    """The refunds a refund event is about. Both refund events carry the Payment with its
    ``refunds[]`` (paymongo-api.md 19.1 item 6, developers.paymongo.com/docs/webhooks); an older
    page says ``payment.refund.updated`` carries the Refund itself, so that shape is read too."""
    if event.type not in REFUND_EVENTS:
        return ()
    if isinstance(event.data, Payment):
        return tuple(event.data.refunds)
    if isinstance(event.data, Refund):
        return (event.data,)
    return ()


def _paymongo_ids(event: Event) -> tuple[list[str], str | None]:
    """Every PayMongo id in the event that may name an attempt's object, and the metadata hint."""
    data = event.data
    ids: list[str] = [data.id]
    metadata: object = getattr(data, "metadata", None) or {}
    if isinstance(data, Payment):
        if data.payment_intent_id:
            ids.append(data.payment_intent_id)
        if data.source is not None and data.source.id:
            ids.append(data.source.id)
    elif isinstance(data, CheckoutSession) and data.payment_intent is not None:
        ids.append(data.payment_intent.id)
    elif isinstance(data, OtherResource):
        metadata = data.attributes.get("metadata") or {}
        for key in ("payment_intent_id", "source_id"):
            value = data.attributes.get(key)
            if isinstance(value, str):
                ids.append(value)
    elif not isinstance(data, PaymentIntent | Source):
        return ids, None
    hint = metadata.get("kaha_attempt") if isinstance(metadata, dict) else None
    return ids, hint if isinstance(hint, str) else None


class WebhookReceiver:
    """``POST http://127.0.0.1:<port>/paymongo/webhook``; ``port=0`` picks a free port."""

    def __init__(
        self,
        port: int,
        secret: str,
        livemode: bool,
        monitor: EventHandler,
        database: Database,
        *,
        clock: Clock | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        if not secret:
            raise ValueError("a webhook secret is needed to verify PayMongo's signature")
        self._secret = secret
        self._livemode = livemode
        self._handler = monitor
        self._database = database
        self._clock = clock or SystemClock()
        self._host = host
        self._port = port
        self._server: _ThreadedUvicorn | None = None

    @property
    def url(self) -> str:
        """Where PayMongo (or a tunnel in front of this machine) should deliver events."""
        if self._server is None:
            raise RuntimeError("the webhook receiver is not running")
        return f"http://{self._host}:{self._server.port}{WEBHOOK_PATH}"

    def start(self) -> None:
        if self._server is not None:
            return
        app = Starlette(routes=[Route(WEBHOOK_PATH, self._receive, methods=["POST"])])
        server = _ThreadedUvicorn(app, _bind(self._host, self._port))
        server.begin()
        self._server = server

    def stop(self) -> None:
        if self._server is not None:
            self._server.end()
            self._server = None

    async def _receive(self, request: Request) -> Response:
        body = await _capped_body(request, MAX_BODY_BYTES)
        if body is None:
            return _answer(413, "too large")
        try:
            verify_signature(
                body,
                request.headers.get(SIGNATURE_HEADER, ""),
                self._secret,
                livemode=self._livemode,
                now=self._clock.now().timestamp(),
            )
            event = parse_event(body)
        except PayMongoError as refused:
            log.warning("webhook refused: %s", refused)
            return _answer(400, "refused")
        except (ValueError, TypeError, RecursionError):
            # Whatever a sender puts in a request is its fault, never ours: 400, not 500.
            log.exception("webhook refused: unreadable delivery")
            return _answer(400, "refused")
        if event.livemode is not self._livemode:
            return _answer(400, "wrong mode")
        if not await asyncio.to_thread(self._first_time, event):
            return _answer(200, "duplicate")
        try:
            await asyncio.to_thread(self._handler.handle_event, event)
        except Exception:
            # The monitor still polls this payment; PayMongo will retry the delivery too.
            log.exception("webhook %s (%s) could not be handled yet", event.id, event.type)
            return _answer(500, "not handled yet")
        await asyncio.to_thread(self._mark_processed, event)
        return _answer(200, "ok")

    def _first_time(self, event: Event) -> bool:
        """Record the event; False if it was already handled (a replayed or doubled delivery)."""
        with self._database.unit_of_work() as uow:
            new = uow.webhook_events.record(event.id, event.type, at=self._clock.now())
            uow.commit()
            return new or not uow.webhook_events.is_processed(event.id)

    def _mark_processed(self, event: Event) -> None:
        with self._database.unit_of_work() as uow:
            uow.webhook_events.mark_processed(event.id, at=self._clock.now())
            uow.commit()


async def _capped_body(request: Request, limit: int) -> bytes | None:
    """The body, or None once it is known to exceed `limit` bytes (read no further then)."""
    declared = request.headers.get("content-length", "")
    if declared and (not declared.isdigit() or int(declared) > limit):
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _answer(status: int, text: str) -> Response:
    return JSONResponse({"result": text}, status_code=status)


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(64)
    return sock


class _ThreadedUvicorn(uvicorn.Server):
    """uvicorn on a daemon thread that signals once it listens."""

    def __init__(self, app: Starlette, sock: socket.socket) -> None:
        http = "httptools" if importlib.util.find_spec("httptools") is not None else "h11"
        config = uvicorn.Config(
            app,
            log_level="warning",
            lifespan="off",
            access_log=False,
            http=http,
            timeout_graceful_shutdown=1,
        )
        super().__init__(config)
        self.port = int(sock.getsockname()[1])
        self._sock = sock
        self._listening = threading.Event()
        self._thread = threading.Thread(target=self._main, name="webhook-receiver", daemon=True)

    def install_signal_handlers(self) -> None:
        """Signals belong to the application, not to an embedded server."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self._listening.set()

    def _main(self) -> None:
        try:
            self.run(sockets=[self._sock])
        finally:
            self._listening.set()

    def begin(self) -> None:
        self._thread.start()
        if not self._listening.wait(STARTUP_TIMEOUT_S) or not self.started:
            raise RuntimeError("the webhook receiver did not start")

    def end(self) -> None:
        self.should_exit = True
        self._thread.join(timeout=5)
        self._sock.close()
