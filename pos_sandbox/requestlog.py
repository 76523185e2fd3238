"""A bounded, thread-safe record of the requests a sandbox server received.

Tests read it to assert what the app under test actually sent (how many retries, which
Idempotency-Key, which body) and which injected fault each request met.

Threading contract: `record` is called from the servers' event-loop threads and `entries`/`clear`
from test threads; one lock guards the deque, and readers get a copied list.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

DEFAULT_CAPACITY = 100_000


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the sandbox saw it, and the status it produced (None if it produced none)."""

    at: float
    method: str
    path: str
    query: str
    idempotency_key: str | None
    body: bytes
    status: int | None
    fault: str | None


class RequestLog:
    """The last `capacity` requests, oldest first."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._lock = threading.Lock()
        self._entries: deque[LoggedRequest] = deque(maxlen=capacity)

    def record(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self, *, path_prefix: str | None = None) -> list[LoggedRequest]:
        """A snapshot of the log, optionally only requests whose path starts with `path_prefix`."""
        with self._lock:
            snapshot = list(self._entries)
        if path_prefix is None:
            return snapshot
        return [entry for entry in snapshot if entry.path.startswith(path_prefix)]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
