"""The data of the fake PayMongo: objects, ledger, timers, idempotency cache, outbox.

Threading contract: a Store is NOT thread-safe. Every read and write happens while holding
`PayMongoState.lock`; the logic modules (intents, refunds, ...) assume the caller holds it.
"""

from __future__ import annotations

import heapq
import random
import string
from typing import Any

from pos_sandbox.clock import SandboxClock
from pos_sandbox.paymongo.config import PayMongoConfig
from pos_sandbox.paymongo.errors import not_found

Json = dict[str, Any]
_ID_ALPHABET = string.ascii_letters + string.digits


class Store:
    """Objects are kept as `{"id", "type", "attributes", "private"}`; `private` never leaves."""

    def __init__(self, clock: SandboxClock, config: PayMongoConfig, seed: int | None) -> None:
        self.clock = clock
        self.config = config
        self.rng = random.Random(seed)
        self.objects: dict[str, Json] = {}
        self.by_type: dict[str, list[str]] = {}
        self.ledger: list[Json] = []
        self.idempotency: dict[str, Json] = {}
        self.timers: list[tuple[float, int, str, str]] = []
        self.timer_seq = 0
        self.outbox: list[Json] = []  # webhook deliveries waiting for the dispatcher
        self.deliveries: list[Json] = []  # every delivery attempt made, for tests
        self.dirty = False

    # ids and time ---------------------------------------------------------------------------
    def now(self) -> int:
        return int(self.clock.now())

    def random_chars(self, count: int = 24) -> str:
        return "".join(self.rng.choices(_ID_ALPHABET, k=count))

    def new_id(self, prefix: str) -> str:
        while True:
            candidate = prefix + self.random_chars()
            if candidate not in self.objects:
                return candidate

    # objects --------------------------------------------------------------------------------
    def add(  # noqa: PLR0917 - mirrors the resource fields; callers pass them in order
        self,
        prefix: str,
        kind: str,
        livemode: bool,
        attributes: Json,
        private: Json | None = None,
        object_id: str | None = None,
    ) -> Json:
        now = self.now()
        attributes = {**attributes, "livemode": livemode, "created_at": now, "updated_at": now}
        obj: Json = {
            "id": object_id or self.new_id(prefix),
            "type": kind,
            "attributes": attributes,
            "private": private or {},
        }
        self.objects[obj["id"]] = obj
        self.by_type.setdefault(kind, []).append(obj["id"])
        self.dirty = True
        return obj

    def get(self, kind: str, object_id: str, livemode: bool | None) -> Json:
        """The object, or 404 if missing, of another type, or of the other mode."""
        obj = self.objects.get(object_id)
        if obj is None or obj["type"] != kind:
            raise not_found(kind, object_id)
        if livemode is not None and obj["attributes"]["livemode"] != livemode:
            raise not_found(kind, object_id)
        return obj

    def find(self, object_id: str) -> Json | None:
        return self.objects.get(object_id)

    def touch(self, obj: Json, **changes: Any) -> None:
        obj["attributes"].update(changes)
        obj["attributes"]["updated_at"] = self.now()
        self.dirty = True

    def all_of(self, kind: str, livemode: bool) -> list[Json]:
        """Objects of a kind and mode, newest first."""
        ids = self.by_type.get(kind, [])
        found = (self.objects[i] for i in reversed(ids))
        return [obj for obj in found if obj["attributes"]["livemode"] == livemode]

    def render(self, obj: Json, *, public: bool = False) -> Json:
        """The wire form `{id, type, attributes}`, with embedded resources filled in."""
        attributes = dict(obj["attributes"])
        private = obj["private"]
        if "payment_ids" in private and not public:
            payments = [self.render(self.objects[i]) for i in private["payment_ids"]]
            if obj["type"] == "link":
                payments = [{"data": payment} for payment in payments]
            attributes["payments"] = payments
        if "refund_ids" in private:
            attributes["refunds"] = [self.render(self.objects[i]) for i in private["refund_ids"]]
        if "payment_intent_id" in private:
            attributes["payment_intent"] = self.render(self.objects[private["payment_intent_id"]])
        return {"id": obj["id"], "type": obj["type"], "attributes": attributes}

    # timers ---------------------------------------------------------------------------------
    def schedule(self, due_at: float, action: str, object_id: str) -> None:
        self.timer_seq += 1
        heapq.heappush(self.timers, (due_at, self.timer_seq, action, object_id))
        self.dirty = True

    def pop_due(self) -> list[tuple[str, str]]:
        now = self.clock.now()
        due: list[tuple[str, str]] = []
        while self.timers and self.timers[0][0] <= now:
            _, _, action, object_id = heapq.heappop(self.timers)
            due.append((action, object_id))
        return due

    # ledger ---------------------------------------------------------------------------------
    def record(self, entry: Json) -> None:
        self.ledger.append({**entry, "recorded_at": self.now()})
        self.dirty = True

    # persistence ----------------------------------------------------------------------------
    def to_json(self) -> Json:
        return {
            "objects": self.objects,
            "by_type": self.by_type,
            "ledger": self.ledger,
            "idempotency": self.idempotency,
            "timers": [list(timer) for timer in self.timers],
            "timer_seq": self.timer_seq,
            "outbox": self.outbox,
        }

    def load_json(self, data: Json) -> None:
        self.objects = data["objects"]
        self.by_type = data["by_type"]
        self.ledger = data["ledger"]
        self.idempotency = data["idempotency"]
        self.timers = [(t[0], t[1], t[2], t[3]) for t in data["timers"]]
        heapq.heapify(self.timers)
        self.timer_seq = data["timer_seq"]
        # Due times are readings of the sandbox clock, which a restart keeps (wall time).
        self.outbox = list(data.get("outbox", []))
        # A restored sandbox must not hand out ids it already used.
        self.rng = random.Random(f"{len(self.objects)}-{self.timer_seq}")
