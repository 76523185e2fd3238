"""Issue 16 in the window: Ctrl+R reconciles now and lists the raised case; Ctrl+Shift+P shows
PayMongo's payouts with each payment's invoice, and exports the accountant's CSV."""

from __future__ import annotations

import csv
from pathlib import Path

import httpx
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.domain.attempt import AttemptState
from pos_app.domain.tender import TenderMethod
from pos_app.services.collect.results import AttemptUpdate, Settlement
from pos_app.services.counter import CounterServices, PaymentBackend
from pos_app.ui.main_window import MainWindow
from tests.ui.conftest import cell_text, key_click
from tests.ui.payments.conftest import WAIT_MS, link_of, phone, shown_after


def test_ctrl_r_reconciles_and_lists_a_late_payment_as_a_case(
    qtbot: QtBot, window: MainWindow, counter: tuple[CounterServices, PaymentBackend]
) -> None:
    _services, backend = counter
    update = shown_after(qtbot, window, Qt.Key.Key_F7)
    with qtbot.waitSignal(window.payment.display_changed, timeout=WAIT_MS):
        window.payment.remote.cancel_button.click()
    intent_id = update.attempt.paymongo_ids["intent"]
    late = httpx.post(f"{backend.paymongo_url}/_control/objects/{intent_id}/pay_late")
    assert late.status_code == 200, late.text
    payment_id = late.json()["data"]["id"]
    feature = window.reconciliation
    assert feature is not None

    with qtbot.waitSignal(feature.driver.finished, timeout=WAIT_MS) as finished:
        key_click(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)

    assert [case.payment_id for case in finished.args[0].new_cases] == [payment_id]
    dialog = feature.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=WAIT_MS)
    assert "1 new overpayment case" in dialog.summary.text()
    assert cell_text(dialog.table, 0, 0) == "Overpayment case"
    assert cell_text(dialog.table, 0, 3) == update.attempt.amount.format()
    assert backend.collect.refresh(update.attempt.id).attempt.state is AttemptState.NEEDS_REVIEW


def test_ctrl_shift_p_shows_the_payout_and_exports_the_csv(
    qtbot: QtBot,
    window: MainWindow,
    counter: tuple[CounterServices, PaymentBackend],
    tmp_path: Path,
) -> None:
    _services, backend = counter
    update: AttemptUpdate = shown_after(qtbot, window, Qt.Key.Key_F7)
    with qtbot.waitSignal(window.payment.settled, timeout=WAIT_MS) as settled:
        phone(link_of(update))
    settlement = settled.args[0]
    assert isinstance(settlement, Settlement)
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
    assert cell_text(dialog.payouts, 0, 9) == "1"
    assert cell_text(dialog.lines, 0, 7) == settlement.invoice.number
    target = tmp_path / "payouts.csv"
    dialog.export_to(target)
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [row["row"] for row in rows] == ["payment", "total"]
    assert rows[0]["invoice"] == settlement.invoice.number


def test_the_start_up_run_raises_a_late_payment_with_no_key_pressed(
    qtbot: QtBot, window: MainWindow, counter: tuple[CounterServices, PaymentBackend]
) -> None:
    _services, backend = counter
    feature = window.reconciliation
    assert feature is not None
    qtbot.waitUntil(lambda: not feature.driver.schedule.running, timeout=WAIT_MS)  # the first
    bill = window.payment.bill
    assert bill is not None
    update = backend.collect.start(bill.id, TenderMethod.QRPH, bill.balance)
    backend.collect.cancel(update.attempt.id)
    late = httpx.post(
        f"{backend.paymongo_url}/_control/objects/{update.attempt.paymongo_ids['intent']}/pay_late"
    )
    assert late.status_code == 200, late.text

    with qtbot.waitSignal(feature.driver.finished, timeout=WAIT_MS) as finished:
        window.set_backend(backend)  # as when the counter (re)connects to PayMongo

    assert [c.payment_id for c in finished.args[0].new_cases] == [late.json()["data"]["id"]]
    assert "1 overpayment case" in window.statusBar().currentMessage()
