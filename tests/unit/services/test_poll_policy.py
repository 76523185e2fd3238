from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from pos_app.services.poll_policy import PollPolicy, next_poll_at

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
POLICY = PollPolicy()


def test_about_once_a_second_while_the_patient_is_paying() -> None:
    now = T0 + timedelta(seconds=20)
    result = next_poll_at(
        POLICY,
        now=now,
        shown_at=T0,
        expires_at=T0 + timedelta(minutes=30),
        last_interval_s=1.0,
        terminal=False,
    )
    assert result == (now + timedelta(seconds=1), 1.0)


def test_backs_off_after_the_fast_window_up_to_the_maximum() -> None:
    now = T0 + timedelta(minutes=10)
    intervals = []
    last = 1.0
    for _ in range(20):
        result = next_poll_at(
            POLICY, now=now, shown_at=T0, expires_at=None, last_interval_s=last, terminal=False
        )
        assert result is not None
        now, last = result
        intervals.append(last)
    assert intervals[0] == 1.5
    assert intervals == sorted(intervals)
    assert intervals[-1] == POLICY.max_interval_s


def test_stops_on_a_terminal_state() -> None:
    assert (
        next_poll_at(
            POLICY, now=T0, shown_at=T0, expires_at=None, last_interval_s=None, terminal=True
        )
        is None
    )


def test_one_last_look_just_after_expiry_then_stop() -> None:
    expires = T0 + timedelta(minutes=30)
    now = expires - timedelta(seconds=0.5)
    result = next_poll_at(
        POLICY, now=now, shown_at=T0, expires_at=expires, last_interval_s=30.0, terminal=False
    )
    assert result is not None
    assert result[0] == expires + timedelta(seconds=POLICY.expiry_grace_s)
    after = expires + timedelta(seconds=POLICY.expiry_grace_s)
    assert (
        next_poll_at(
            POLICY, now=after, shown_at=T0, expires_at=expires, last_interval_s=1, terminal=False
        )
        is None
    )


@given(
    elapsed=st.floats(min_value=0, max_value=7200),
    last=st.one_of(st.none(), st.floats(min_value=0.01, max_value=1000)),
    lifetime=st.one_of(st.none(), st.floats(min_value=60, max_value=9000)),
)
def test_never_polls_faster_than_the_fast_interval_nor_past_the_final_look(
    elapsed: float, last: float | None, lifetime: float | None
) -> None:
    now = T0 + timedelta(seconds=elapsed)
    expires = T0 + timedelta(seconds=lifetime) if lifetime is not None else None
    result = next_poll_at(
        POLICY, now=now, shown_at=T0, expires_at=expires, last_interval_s=last, terminal=False
    )
    if result is None:
        assert expires is not None
        assert now >= expires + timedelta(seconds=POLICY.expiry_grace_s)
        return
    at, interval = result
    assert POLICY.fast_interval_s <= interval <= POLICY.max_interval_s
    assert at > now
    if expires is not None:
        assert at <= expires + timedelta(seconds=POLICY.expiry_grace_s)
