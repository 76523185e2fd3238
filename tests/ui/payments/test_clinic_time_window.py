"""Times on screen are on the clinic's clock (Settings.clinic_time_zone, Manila by default), the
clock the invoices print, whatever time zone the computer itself is set to. Through the real
window against the in-process sandbox; the expected text is worked out here with zoneinfo."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.services.counter import CounterServices, PaymentBackend
from pos_app.ui.main_window import MainWindow
from tests.ui.conftest import cell_text, key_click
from tests.ui.payments.conftest import WAIT_MS, link_of, phone, shown_after
from tests.ui.test_clinic_sync import FAST, _indicator_text

MANILA = ZoneInfo("Asia/Manila")


def _manila(moment: datetime, pattern: str = "%Y-%m-%d %H:%M") -> str:
    return moment.astimezone(MANILA).strftime(pattern)


def test_reconciliation_and_overpayments_show_manila_times(
    qtbot: QtBot, window: MainWindow, counter: tuple[CounterServices, PaymentBackend]
) -> None:
    _services, backend = counter
    update = shown_after(qtbot, window, Qt.Key.Key_F7)
    with qtbot.waitSignal(window.payment.display_changed, timeout=WAIT_MS):
        window.payment.remote.cancel_button.click()
    intent_id = update.attempt.paymongo_ids["intent"]
    late = httpx.post(f"{backend.paymongo_url}/_control/objects/{intent_id}/pay_late")
    assert late.status_code == 200, late.text
    feature = window.reconciliation
    assert feature is not None

    with qtbot.waitSignal(feature.driver.finished, timeout=WAIT_MS) as finished:
        key_click(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)

    dialog = feature.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=WAIT_MS)
    [case] = backend.collect.overpayment_cases()
    assert cell_text(dialog.table, 0, 1) == _manila(case.updated_at)
    assert f"(at {_manila(finished.args[0].finished_at, '%H:%M')})" in dialog.summary.text()

    cases = window.show_overpayments()  # Ctrl+O (the reconciliation dialog has the keys now)
    qtbot.waitUntil(lambda: cases.table.rowCount() == 1, timeout=WAIT_MS)
    assert cell_text(cases.table, 0, 0) == _manila(cases.cases[0].attempt.updated_at)


def test_payouts_show_and_export_manila_dates_and_times(
    qtbot: QtBot,
    window: MainWindow,
    counter: tuple[CounterServices, PaymentBackend],
    tmp_path: Path,
) -> None:
    _services, backend = counter
    update = shown_after(qtbot, window, Qt.Key.Key_F7)
    with qtbot.waitSignal(window.payment.settled, timeout=WAIT_MS):
        phone(link_of(update))
    payout = httpx.post(f"{backend.paymongo_url}/_control/payouts", json={})
    assert payout.status_code == 200, payout.text

    key_click(
        window,
        Qt.Key.Key_P,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = window.payouts
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.lines.rowCount() == 1, timeout=WAIT_MS)
    [report] = dialog.reports
    assert cell_text(dialog.payouts, 0, 0) == _manila(report.date, "%Y-%m-%d")
    assert cell_text(dialog.lines, 0, 1) == _manila(report.lines[0].paid_at)
    target = tmp_path / "payouts.csv"
    dialog.export_to(target)
    first = next(csv.DictReader(target.open(encoding="utf-8")))
    assert first["payout_date"] == _manila(report.date, "%Y-%m-%d")
    paid_at = report.lines[0].paid_at.astimezone(MANILA)
    assert first["paid_at"] == paid_at.isoformat(timespec="seconds")
    assert first["paid_at"].endswith("+08:00")


@pytest.mark.parametrize("counter", [FAST], indirect=True)
def test_the_offline_indicator_and_health_panel_show_the_manila_hour(
    qtbot: QtBot, window: MainWindow, counter: tuple[CounterServices, PaymentBackend]
) -> None:
    _, backend = counter
    clinic = window.clinic
    assert clinic is not None
    assert clinic.driver is not None
    qtbot.waitUntil(lambda: clinic.driver.last_status is not None, timeout=WAIT_MS)  # type: ignore[union-attr]
    httpx.post(
        f"{backend.clinic_url}/_control/faults", json={"kind": "error", "status": 503}
    ).raise_for_status()
    window.sync_clinic_now()
    qtbot.waitUntil(lambda: "offline since" in _indicator_text(window), timeout=WAIT_MS)

    status = clinic.driver.last_status
    assert status is not None
    assert status.offline_since is not None
    since = _manila(status.offline_since, "%H:%M")
    assert _indicator_text(window).startswith(f"Clinic server offline since {since} — ")

    key_click(window, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    panel = window.health
    assert panel is not None
    qtbot.waitUntil(lambda: "offline since" in panel.rows["Clinic server"].text(), timeout=WAIT_MS)
    assert status.last_pull_at is not None
    assert panel.rows["Last pull"].text().startswith(_manila(status.last_pull_at, "%H:%M"))
    httpx.delete(f"{backend.clinic_url}/_control/faults").raise_for_status()
