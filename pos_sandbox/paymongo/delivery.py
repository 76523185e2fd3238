"""WebhookDispatcher: delivers queued events with `Paymongo-Signature`, retries with backoff,
disables a webhook after repeated exhausted deliveries, and runs due timers in the background.

As PayMongo does (developers.paymongo.com/docs/webhook-retry-logic; paymongo-api.md 19.1 item 7):
a retry is signed with its first try's `t` (nothing says PayMongo re-signs, so the sandbox takes
the case that is harder for a receiver); retries are due on the sandbox clock, so a test that
moves the clock runs a whole 136-minute schedule at once; three consecutive events that each use
up every retry disable the webhook (`max_retries_exceeded`) until it is enabled again, and the
events missed meanwhile are not sent again.

Threading contract: one daemon thread. It takes `PayMongoState.lock` only to pick due work and
to record results; HTTP POSTs (httpx) happen with the lock released, so request handling never
waits on a slow receiver. `stop()` may be called from any thread.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import httpx

from pos_sandbox.paymongo import hooks
from pos_sandbox.paymongo.events import signature_header
from pos_sandbox.paymongo.state import PayMongoState

Json = dict[str, Any]
IDLE_WAIT_S = 0.25  # how often timers are checked when nothing else wakes the thread
MAX_RECORDED_DELIVERIES = 10_000


class WebhookDispatcher:
    def __init__(self, state: PayMongoState, data_path: Path | None = None) -> None:
        self._state = state
        self._data_path = data_path
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="paymongo-webhooks", daemon=True)
        self._client = httpx.Client()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        with self._state.changed:
            self._state.changed.notify_all()
        self._thread.join(timeout=5)
        self._client.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            batch = self._take_due()
            for job in batch:
                self._deliver(job)
            if self._data_path is not None and self._state.store.dirty:
                self._state.save(self._data_path)

    def _take_due(self) -> list[Json]:
        state = self._state
        with state.changed:
            state.tick()
            store = state.store
            now = store.clock.now()
            due = [job for job in store.outbox if job["due"] <= now]
            if not due:
                next_due = min((job["due"] for job in store.outbox), default=now + IDLE_WAIT_S)
                state.changed.wait(timeout=max(0.0, min(next_due - now, IDLE_WAIT_S)))
                return []
            store.outbox = [job for job in store.outbox if job["due"] > now]
            return [self._prepare(job) for job in due]

    def _prepare(self, job: Json) -> Json:
        store = self._state.store
        event = store.objects.get(job["event_id"])
        hook = store.objects.get(job["webhook_id"])
        if event is None or hook is None:
            return {**job, "skip": True}
        body = json.dumps({"data": store.render(event)}, separators=(",", ":")).encode()
        livemode = event["attributes"]["livemode"]
        signed_at = job.get("signed_at") or store.now()  # a retry keeps the first try's t
        signature = signature_header(hook["attributes"]["secret_key"], signed_at, body, livemode)
        drop = store.config.drop_webhooks > 0
        if drop:
            store.config.drop_webhooks -= 1
        return {
            **job,
            "signed_at": signed_at,
            "store": store,
            "url": hook["attributes"]["url"],
            "body": body,
            "signature": signature,
            "drop": drop,
            "enabled": hook["attributes"]["status"] == "enabled",
            "timeout": store.config.webhook_timeout,
        }

    def _deliver(self, job: Json) -> None:
        if job.get("skip") or not job["enabled"]:
            return
        status: int | None = None
        error: str | None = None
        if job["drop"]:
            error = "dropped by control"
        else:
            try:
                response = self._client.post(
                    job["url"],
                    content=job["body"],
                    timeout=job["timeout"],
                    headers={
                        "Content-Type": "application/json",
                        "Paymongo-Signature": job["signature"],
                    },
                )
                status = response.status_code
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
        self._record(job, status, error)

    def _record(self, job: Json, status: int | None, error: str | None) -> None:
        state = self._state
        with state.changed:
            store = state.store
            if job["store"] is not store:  # the state was reset while this job was in flight
                return
            hook = store.objects.get(job["webhook_id"])
            store.deliveries.append(
                {
                    "event_id": job["event_id"],
                    "webhook_id": job["webhook_id"],
                    "attempt": job["attempt"],
                    "status": status,
                    "error": error,
                    "at": store.now(),
                    "signature": job["signature"],
                }
            )
            del store.deliveries[:-MAX_RECORDED_DELIVERIES]
            delivered = status is not None and 200 <= status < 300
            if hook is not None and not job["drop"]:
                self._after_attempt(hook, job, delivered)
            state.changed.notify_all()

    def _after_attempt(self, hook: Json, job: Json, delivered: bool) -> None:
        store = self._state.store
        config = store.config
        if delivered:
            hook["private"]["exhausted_in_a_row"] = 0
            return
        attempt = job["attempt"]
        if attempt < len(config.webhook_retry_delays):
            delay = config.webhook_retry_delays[attempt]
            store.outbox.append(
                {
                    "event_id": job["event_id"],
                    "webhook_id": job["webhook_id"],
                    "attempt": attempt + 1,
                    "due": store.clock.now() + delay,
                    "signed_at": job["signed_at"],
                }
            )
            return
        hook["private"]["exhausted_in_a_row"] += 1
        if hook["private"]["exhausted_in_a_row"] >= config.webhook_disable_after:
            hooks.set_enabled(store, hook, False, "max_retries_exceeded")
