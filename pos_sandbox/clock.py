"""A movable clock shared by the sandbox servers.

Threading contract: every method is safe to call from any thread (tests move the clock from the
test thread while the servers read it on their event-loop threads). The clock is real time plus an
offset, so it keeps ticking after `advance`/`set`; only the offset is shared state.
"""

from __future__ import annotations

import threading
import time


class SandboxClock:
    """Real wall-clock time shifted by an offset that tests can move forwards or set outright."""

    def __init__(self, start_at: float | None = None) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0
        if start_at is not None:
            self.set(start_at)

    def now(self) -> float:
        """Current sandbox time in unix seconds."""
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the clock forwards (or backwards, with a negative number) by `seconds`."""
        with self._lock:
            self._offset += seconds

    def set(self, unix_seconds: float) -> None:
        """Make `now()` read `unix_seconds` at this instant; the clock keeps running from there."""
        with self._lock:
            self._offset = unix_seconds - time.time()
