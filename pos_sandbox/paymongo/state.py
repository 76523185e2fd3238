"""PayMongoState: the fake PayMongo's data behind one lock, plus the test controls.

Threading contract: uvicorn serves requests on its own event-loop thread, the webhook dispatcher
runs on another, and tests call the control methods from theirs. Every access to `store` happens
under `lock` (an RLock); `changed` is a Condition on that lock, notified whenever webhook
deliveries are queued or finished, or the state is reset, so waiters need no sleeps.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pos_sandbox.clock import SandboxClock
from pos_sandbox.paymongo import hooks, intents, refunds, sessions, sources
from pos_sandbox.paymongo.config import PayMongoConfig
from pos_sandbox.paymongo.errors import ApiError, failed_state, not_found
from pos_sandbox.paymongo.store import Store

Json = dict[str, Any]


class PayMongoState:
    """Objects, ledger and controls of one fake PayMongo account (test and live mode)."""

    def __init__(
        self,
        *,
        clock: SandboxClock | None = None,
        config: PayMongoConfig | None = None,
        seed: int | None = 0,
    ) -> None:
        self.clock = clock or SandboxClock()
        self._initial_config = copy.deepcopy(config or PayMongoConfig())
        self._seed = seed
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.config = copy.deepcopy(self._initial_config)
        self.store = Store(self.clock, self.config, seed)
        self._request_times: list[float] = []

    # lifecycle ------------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget every object, event, ledger entry and config change (the clock is kept)."""
        with self.lock:
            self.config = copy.deepcopy(self._initial_config)
            self.store = Store(self.clock, self.config, self._seed)
            self._request_times = []
            self.changed.notify_all()

    def configure(self, **changes: Any) -> None:
        with self.lock:
            self.config.update(changes)

    def tick(self) -> None:
        """Run every timer (expiries, refund settlement) that is due on the sandbox clock."""
        with self.lock:
            store = self.store
            for action, object_id in store.pop_due():
                obj = store.objects.get(object_id)
                if obj is not None:
                    self._run_timer(action, obj)
            if store.outbox:
                self.changed.notify_all()

    def _run_timer(self, action: str, obj: Json) -> None:
        store = self.store
        if action == "expire_action":
            intents.expire_action(store, obj)
        elif action == "settle_refund":
            refunds.settle_refund(store, obj)
        elif action == "expire_source":
            sources.end_source(store, obj, "expired")
        elif action == "expire_session" and obj["attributes"]["status"] == "active":
            sessions.expire_session(store, obj)
        elif action == "release_hold" and obj["attributes"]["status"] == "awaiting_capture":
            store.touch(obj, status="cancelled")

    def allow_request(self) -> bool:
        """Sliding one-second window against `rate_limit_per_second` (real time, not the clock)."""
        limit = self.config.rate_limit_per_second
        if limit is None:
            return True
        now = time.monotonic()
        with self.lock:
            times = self._request_times
            while times and times[0] <= now - 1.0:
                times.pop(0)
            if len(times) >= limit:
                return False
            times.append(now)
            return True

    # clock controls -------------------------------------------------------------------------
    def advance_clock(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.tick()

    def set_clock(self, unix_seconds: float) -> None:
        self.clock.set(unix_seconds)
        self.tick()

    # object controls (what the hosted test pages and the control API do) --------------------
    def settle(self, object_id: str) -> None:
        """Complete the customer's side: pay an intent/link/session, authorize a source,
        succeed a refund."""
        with self.lock:
            obj = self._object(object_id)
            kind = obj["type"]
            if kind == "payment_intent":
                if obj["attributes"]["status"] != "awaiting_next_action":
                    raise failed_state(f"{object_id} is not awaiting_next_action.")
                intents.authorize(self.store, obj)
            elif kind == "source":
                sources.authorize_source(self.store, obj)
            elif kind == "refund":
                if not refunds.finish_refund(self.store, obj):
                    raise failed_state(f"{object_id} is not pending.")
            elif kind == "checkout_session":
                sessions.pay_session(self.store, obj, "card")
            elif kind == "link":
                sessions.pay_link(self.store, obj, "card")
            else:
                raise failed_state(f"{kind} objects cannot be settled.")
            self.changed.notify_all()

    def fail(self, object_id: str, failed_code: str = "generic_decline") -> None:
        """The customer's side fails: decline an intent, cancel a source, fail a refund."""
        with self.lock:
            obj = self._object(object_id)
            kind = obj["type"]
            if kind == "payment_intent":
                if obj["attributes"]["status"] != "awaiting_next_action":
                    raise failed_state(f"{object_id} is not awaiting_next_action.")
                if obj["private"].get("action") == "three_ds":
                    intents.abandon(self.store, obj, "Authentication failed or canceled.")
                else:
                    intents.fail(self.store, obj, failed_code)
            elif kind == "source":
                if not sources.end_source(self.store, obj, "cancelled"):
                    raise failed_state(f"{object_id} cannot fail now.")
            elif kind == "refund":
                if not refunds.finish_refund(self.store, obj, "failed"):
                    raise failed_state(f"{object_id} is not pending.")
            else:
                raise failed_state(f"{kind} objects cannot be failed.")
            self.changed.notify_all()

    def expire(self, object_id: str) -> None:
        """Lapse a QR code / redirect window, a source or a checkout session now."""
        with self.lock:
            obj = self._object(object_id)
            kind = obj["type"]
            if kind == "payment_intent":
                if not intents.expire_action(self.store, obj, forced=True):
                    raise failed_state(f"{object_id} has nothing to expire.")
            elif kind == "source":
                if not sources.end_source(self.store, obj, "expired"):
                    raise failed_state(f"{object_id} cannot expire now.")
            elif kind == "checkout_session":
                sessions.expire_session(self.store, obj)
            else:
                raise failed_state(f"{kind} objects cannot expire.")
            self.changed.notify_all()

    def pay_late(self, intent_id: str, amount: int | None = None) -> Json:
        """A payment lands for an intent whatever its state (a QR scanned after expiry or
        cancel, or a second scan): recorded in the ledger like any other payment."""
        with self.lock:
            intent = self._object(intent_id)
            if intent["type"] != "payment_intent":
                raise failed_state("Only payment intents can be paid late.")
            payment = intents.pay(
                self.store, intent, amount or intent["attributes"]["amount"], late=True
            )
            self.changed.notify_all()
            return self.store.render(payment)

    def disable_webhook(self, webhook_id: str) -> None:
        with self.lock:
            hooks.set_enabled(self.store, self._object(webhook_id), False)

    def _object(self, object_id: str) -> Json:
        obj = self.store.find(object_id)
        if obj is None:
            raise not_found("object", object_id)
        return obj

    # reads for tests --------------------------------------------------------------------------
    def ledger(self) -> list[Json]:
        """Every payment and refund that really happened: the oracle for reliability tests."""
        with self.lock:
            return copy.deepcopy(self.store.ledger)

    def get(self, object_id: str) -> Json:
        """The wire form of any object (secret-key view)."""
        with self.lock:
            self.tick()
            return self.store.render(self._object(object_id))

    def objects(self, kind: str, livemode: bool = False) -> list[Json]:
        with self.lock:
            return [self.store.render(obj) for obj in self.store.all_of(kind, livemode)]

    def events(self, livemode: bool = False) -> list[Json]:
        return self.objects("event", livemode)

    def deliveries(self) -> list[Json]:
        with self.lock:
            return copy.deepcopy(self.store.deliveries)

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Block until `predicate()` (evaluated under the lock) holds, or the timeout passes."""
        with self.changed:
            return self.changed.wait_for(predicate, timeout)

    # persistence ----------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        with self.lock:
            data = {"store": self.store.to_json(), "config": self.config.to_json()}
            self.store.dirty = False
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(data))
        tmp.replace(path)

    def load(self, path: Path) -> None:
        data = json.loads(path.read_text())
        with self.lock:
            self.config.update(data.get("config", {}))
            self.store.load_json(data["store"])
            self.changed.notify_all()


__all__ = ["ApiError", "PayMongoConfig", "PayMongoState"]
