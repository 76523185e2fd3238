"""When reconciliation runs: at once at start-up, then every interval, never two at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pos_app.services.reconcile.schedule import ReconcileSchedule

START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
FIVE_MINUTES = timedelta(minutes=5)


def test_due_at_start_up_then_once_per_interval() -> None:
    schedule = ReconcileSchedule(FIVE_MINUTES)
    assert schedule.due(START)  # the start-up run
    assert not schedule.due(START + timedelta(hours=1))  # still running: never two at once
    schedule.finished(START + timedelta(seconds=3))
    assert not schedule.due(START + timedelta(minutes=4))
    assert schedule.due(START + timedelta(minutes=5, seconds=3))  # within one interval


def test_on_demand_waits_for_a_running_one_and_moves_the_next() -> None:
    schedule = ReconcileSchedule(FIVE_MINUTES)
    assert schedule.due(START)
    assert not schedule.begin_on_demand()
    schedule.finished(START)
    assert schedule.begin_on_demand()
    assert schedule.running
    schedule.finished(START + timedelta(minutes=2))
    assert not schedule.due(START + timedelta(minutes=6))
    assert schedule.due(START + timedelta(minutes=7))


def test_the_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        ReconcileSchedule(timedelta(0))


def test_a_reconnect_runs_at_once() -> None:
    schedule = ReconcileSchedule(FIVE_MINUTES)
    assert schedule.due(START)
    schedule.finished(START)
    schedule.run_soon()
    assert schedule.due(START + timedelta(seconds=1))
