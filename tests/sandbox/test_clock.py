"""SandboxClock and RequestLog: the small shared pieces of the sandbox."""

from __future__ import annotations

import threading
import time

from pos_sandbox.clock import SandboxClock
from pos_sandbox.requestlog import LoggedRequest, RequestLog


def test_clock_follows_real_time_by_default() -> None:
    clock = SandboxClock()
    before = time.time()
    reading = clock.now()
    assert before - 0.01 <= reading <= time.time() + 0.01


def test_advance_moves_the_clock_and_it_keeps_running() -> None:
    clock = SandboxClock()
    start = clock.now()
    clock.advance(3600)
    moved = clock.now()
    assert 3600 <= moved - start < 3601
    assert clock.now() >= moved


def test_set_jumps_to_a_given_instant() -> None:
    clock = SandboxClock()
    clock.set(1_800_000_000.0)
    assert 1_800_000_000.0 <= clock.now() < 1_800_000_001.0
    clock.advance(-100)
    assert 1_799_999_900.0 <= clock.now() < 1_799_999_901.0


def test_clock_can_start_at_a_given_instant() -> None:
    assert SandboxClock(start_at=1_000.0).now() < 1_001.0


def test_advance_from_many_threads_adds_up() -> None:
    clock = SandboxClock(start_at=0.0)

    def advance_often() -> None:
        for _ in range(1000):
            clock.advance(1.0)

    threads = [threading.Thread(target=advance_often) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 4000.0 <= clock.now() < 4001.0


def _entry(path: str, at: float = 0.0) -> LoggedRequest:
    return LoggedRequest(
        at=at,
        method="GET",
        path=path,
        query="",
        idempotency_key=None,
        body=b"",
        status=200,
        fault=None,
    )


def test_request_log_filters_by_path_prefix_and_clears() -> None:
    log = RequestLog()
    log.record(_entry("/v1/payment_intents"))
    log.record(_entry("/api/billing/"))
    log.record(_entry("/v1/refunds"))
    assert [e.path for e in log.entries(path_prefix="/v1/")] == [
        "/v1/payment_intents",
        "/v1/refunds",
    ]
    assert len(log.entries()) == 3
    log.clear()
    assert log.entries() == []


def test_request_log_keeps_only_the_newest_entries() -> None:
    log = RequestLog(capacity=3)
    for number in range(5):
        log.record(_entry("/x", at=float(number)))
    assert [e.at for e in log.entries()] == [2.0, 3.0, 4.0]


def test_entries_is_a_snapshot() -> None:
    log = RequestLog()
    log.record(_entry("/a"))
    snapshot = log.entries()
    log.record(_entry("/b"))
    assert len(snapshot) == 1
