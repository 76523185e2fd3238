"""Lockout after wrong PINs: free tries, then a lock that doubles each time, capped; a right PIN
clears it. Driven by a fake clock: the rule never reads the time itself."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.clock import FakeClock
from pos_app.domain.lockout import LockoutPolicy, PinFailures

POLICY = LockoutPolicy(
    free_tries=4, first_lock=timedelta(seconds=30), longest_lock=timedelta(hours=1)
)


@pytest.mark.parametrize(
    ("wrong_pins", "lock"),
    [
        (1, timedelta(0)),
        (4, timedelta(0)),
        (5, timedelta(seconds=30)),
        (6, timedelta(minutes=1)),
        (7, timedelta(minutes=2)),
        (10, timedelta(minutes=16)),
        (11, timedelta(minutes=32)),
        (12, timedelta(hours=1)),
        (500, timedelta(hours=1)),
    ],
)
def test_the_lock_grows_with_each_wrong_pin_up_to_an_hour(wrong_pins: int, lock: timedelta) -> None:
    assert POLICY.lock_length(wrong_pins) == lock


def test_a_locked_person_waits_the_lock_out_on_the_clock() -> None:
    clock = FakeClock()
    failures = PinFailures()
    for _ in range(5):
        failures = POLICY.after_wrong_pin(failures, clock.now())
    assert failures.is_locked(clock.now())
    assert failures.wait_left(clock.now()) == timedelta(seconds=30)
    clock.advance(29)
    assert failures.is_locked(clock.now())
    clock.advance(1)
    assert not failures.is_locked(clock.now())
    assert failures.wait_left(clock.now()) == timedelta(0)
    # the next wrong PIN after the lock ends locks for twice as long
    failures = POLICY.after_wrong_pin(failures, clock.now())
    assert failures.wait_left(clock.now()) == timedelta(minutes=1)


def test_a_right_pin_clears_the_count() -> None:
    assert POLICY.after_right_pin() == PinFailures(0, None)


@pytest.mark.parametrize(
    "settings",
    [
        {"free_tries": 0},
        {"first_lock": timedelta(0)},
        {"first_lock": timedelta(hours=2), "longest_lock": timedelta(hours=1)},
    ],
)
def test_a_policy_that_would_never_lock_or_lock_forever_is_refused(
    settings: dict[str, object],
) -> None:
    with pytest.raises(ValueError):
        LockoutPolicy(**settings)  # type: ignore[arg-type]


@given(
    steps=st.lists(st.tuples(st.booleans(), st.integers(min_value=0, max_value=7200)), max_size=60)
)
def test_locks_never_shrink_until_a_right_pin_and_never_pass_the_cap(
    steps: list[tuple[bool, int]],
) -> None:
    clock = FakeClock()
    failures = PinFailures()
    last_lock = timedelta(0)
    for right, wait_s in steps:
        clock.advance(wait_s)
        now = clock.now()
        if failures.is_locked(now):
            continue  # the service refuses without trying the PIN
        if right:
            failures, last_lock = POLICY.after_right_pin(), timedelta(0)
            continue
        failures = POLICY.after_wrong_pin(failures, now)
        lock = failures.wait_left(now)
        assert lock <= POLICY.longest_lock
        assert lock >= last_lock  # growing (or holding at the cap) while the wrong PINs go on
        assert (lock > timedelta(0)) == (failures.count > POLICY.free_tries)
        last_lock = lock
