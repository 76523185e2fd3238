"""The start-up reconciliation runs once, after PayMongo answered and the payments left open were
recovered: not a first run while the key is still being checked and a second once it was."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

import pos_app.app as composition
from pos_app.app import build_services
from pos_app.config import Secrets, load_settings
from pos_app.services.counter import CounterServices
from pos_app.services.reconcile.service import ReconcileService
from pos_app.ui.main_window import MainWindow
from tests.ui.conftest import signed_in
from tests.ui.test_cash_while_paymongo_hangs import WAIT_MS, _on_this_tests_window
from tests.ui.test_starting import _run


def _noting(events: list[str], what: str, call: Callable[..., Any]) -> Callable[..., Any]:
    def noted(*args: Any, **kwargs: Any) -> Any:
        if what == "reconciled":
            events.append(what)
        result = call(*args, **kwargs)
        if what == "recovered":
            events.append(what)
        return result

    return noted


def test_the_start_up_reconciliation_runs_once_after_recovery(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings()
    events: list[str] = []
    monkeypatch.setattr(composition, "_recover", _noting(events, "recovered", composition._recover))
    for name in ("run", "run_scheduled"):
        monkeypatch.setattr(
            ReconcileService, name, _noting(events, "reconciled", getattr(ReconcileService, name))
        )
    seen: list[str] = []

    def build() -> CounterServices:
        return signed_in(build_services(settings, Secrets()))

    def steps(window: MainWindow) -> None:
        qtbot.waitUntil(lambda: window.payment_side_built, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: "recovered" in events, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: "checking" not in window.connection_label.text(), timeout=WAIT_MS)
        feature = window.reconciliation
        assert feature is not None
        qtbot.waitUntil(
            lambda: "reconciled" in events and not feature.driver.schedule.running,
            timeout=WAIT_MS,
        )
        seen.extend(events)
        window.close()

    with _on_this_tests_window(monkeypatch, steps) as on_this_window:
        assert _run(settings, [], build, on_this_window) == 0
    assert seen == ["recovered", "reconciled"]
