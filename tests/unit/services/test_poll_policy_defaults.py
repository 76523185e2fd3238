"""The payment monitor's poll policy: its documented defaults, and the end of the fast window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pos_app.services.poll_policy import PollPolicy, next_poll_at

T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


def test_the_documented_defaults() -> None:
    p = PollPolicy()
    assert (p.fast_interval_s, p.fast_window_s, p.backoff_factor) == (1.0, 300.0, 1.5)
    assert (p.max_interval_s, p.expiry_grace_s) == (30.0, 5.0)


def test_at_exactly_the_end_of_the_fast_window_the_backoff_starts() -> None:
    now = T0 + timedelta(seconds=300)
    result = next_poll_at(
        PollPolicy(), now=now, shown_at=T0, expires_at=None, last_interval_s=1.0, terminal=False
    )
    assert result == (now + timedelta(seconds=1.5), 1.5)


def test_the_backoff_stops_at_thirty_seconds() -> None:
    now = T0 + timedelta(hours=1)
    result = next_poll_at(
        PollPolicy(), now=now, shown_at=T0, expires_at=None, last_interval_s=29.0, terminal=False
    )
    assert result == (now + timedelta(seconds=30), 30.0)


def test_the_last_look_is_five_seconds_after_expiry() -> None:
    expiry = T0 + timedelta(minutes=10)
    now = expiry + timedelta(seconds=4)
    result = next_poll_at(
        PollPolicy(), now=now, shown_at=T0, expires_at=expiry, last_interval_s=30.0, terminal=False
    )
    assert result == (expiry + timedelta(seconds=5), 30.0)
    after = expiry + timedelta(seconds=5)
    assert (
        next_poll_at(
            PollPolicy(),
            now=after,
            shown_at=T0,
            expires_at=expiry,
            last_interval_s=30.0,
            terminal=False,
        )
        is None
    )
