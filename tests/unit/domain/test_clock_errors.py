"""The injected clock and the error tree."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest

from pos_app.domain import errors
from pos_app.domain.clock import Clock, FakeClock, SystemClock


def test_fake_clock_moves_only_when_told() -> None:
    clock = FakeClock(datetime(2026, 1, 1, tzinfo=UTC))
    assert clock.now() == clock.now()
    assert clock.advance(30) == datetime(2026, 1, 1, 0, 0, 30, tzinfo=UTC)
    assert clock.advance(timedelta(minutes=1)) == datetime(2026, 1, 1, 0, 1, 30, tzinfo=UTC)
    clock.set(datetime(2026, 2, 1, 8, tzinfo=timezone(timedelta(hours=8))))
    assert clock.now() == datetime(2026, 2, 1, 0, tzinfo=UTC)
    assert clock.now().tzinfo is UTC


def test_fake_clock_refuses_naive_times_and_going_back() -> None:
    with pytest.raises(ValueError):
        FakeClock(datetime(2026, 1, 1))
    with pytest.raises(ValueError):
        FakeClock().advance(-1)


def test_fake_clock_is_safe_across_threads() -> None:
    clock = FakeClock()
    start = clock.now()
    workers = [
        threading.Thread(target=lambda: [clock.advance(1) for _ in range(100)]) for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert clock.now() - start == timedelta(seconds=400)


def test_both_clocks_are_clocks_and_tell_aware_utc() -> None:
    for clock in (SystemClock(), FakeClock()):
        assert isinstance(clock, Clock)
        assert clock.now().utcoffset() == timedelta(0)


USER_FACING = [
    errors.AmountError,
    errors.PermissionDenied,
    errors.NotFound,
    errors.ConfigError,
    errors.PaymentProviderError,
    errors.ClinicServerError,
]
NOT_USER_FACING = [errors.Cancelled, errors.IllegalTransition, errors.StorageError]


@pytest.mark.parametrize("error_type", USER_FACING)
def test_user_facing_errors(error_type: type[errors.PosError]) -> None:
    error = error_type()
    assert isinstance(error, errors.UserFacingError)
    assert error.user_message.endswith(".")
    assert error.detail is None


@pytest.mark.parametrize("error_type", NOT_USER_FACING)
def test_errors_that_are_not_shown_as_is(error_type: type[errors.PosError]) -> None:
    assert not issubclass(error_type, errors.UserFacingError)
    assert issubclass(error_type, errors.PosError)
    assert error_type().user_message


def test_message_and_detail_are_kept_apart() -> None:
    error = errors.PaymentProviderError("PayMongo is busy. Try again.", detail="HTTP 503")
    assert error.user_message == "PayMongo is busy. Try again."
    assert error.detail == "HTTP 503"
    assert str(error) == "PayMongo is busy. Try again. (HTTP 503)"
    assert str(errors.NotFound("Gone.")) == "Gone."


def test_every_error_in_the_module_is_in_the_tree_drawing() -> None:
    for name in errors.__all__:
        assert name in (errors.__doc__ or "")
