"""Counter ▸ E-journal… (Ctrl+J) through the real window against the sandbox: the day's
printouts as printed, saved as text and PDF, for staff; a refusal in plain words otherwise."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.domain.clock import SystemClock
from pos_app.services.access import AccessService
from pos_app.services.counter import CounterServices, PaymentBackend
from pos_app.services.journal import JournalDay, JournalService
from pos_app.ui.ejournal_view import EJournalDialog
from pos_app.ui.main_window import MainWindow
from tests.ui.conftest import key_click
from tests.ui.payments.conftest import WAIT_MS
from tests.ui.payments.test_bill_history import _pay_cash
from tests.unit.printing.test_pdf import pdf_text

CTRL = Qt.KeyboardModifier.ControlModifier


def _open_journal(qtbot: QtBot, window: MainWindow) -> EJournalDialog:
    key_click(window, Qt.Key.Key_J, CTRL)
    dialog = window.ejournal
    assert dialog is not None
    return dialog


def test_staff_see_every_printout_of_the_day_and_save_it(
    qtbot: QtBot,
    window: MainWindow,
    counter: tuple[CounterServices, PaymentBackend],
    tmp_path: Path,
) -> None:
    services, _ = counter
    access = AccessService(services.database, SystemClock())
    access.sign_in("demo-staff", "9002")  # the sandbox's demo people (docs/staff.md)
    window.journal = JournalService(
        services.database, access, terminal_id="01", export_folder=tmp_path / "out"
    )
    _pay_cash(qtbot, window)
    status = window.payment.paid.print_status
    key_click(window, Qt.Key.Key_P, CTRL)  # the original
    qtbot.waitUntil(lambda: status.text().startswith("Saved as PDF"), timeout=WAIT_MS)
    key_click(window, Qt.Key.Key_P, CTRL)  # REPRINT No. 1
    qtbot.waitUntil(lambda: status.text().startswith("REPRINT No. 1 of"), timeout=WAIT_MS)
    number = status.text().removeprefix("REPRINT No. 1 of ").split(".")[0]

    dialog = _open_journal(qtbot, window)
    qtbot.waitUntil(lambda: dialog.journal_day is not None, timeout=WAIT_MS)
    day = dialog.journal_day
    assert isinstance(day, JournalDay)
    shown = dialog.text.toPlainText()
    assert f"#1  invoice  {number}  original" in shown
    assert f"#2  invoice  {number}  REPRINT 1" in shown
    assert "*** REPRINT No. 1 ***" in shown
    assert dialog.status.text() == f"2 printouts on {day.day}."

    with qtbot.waitSignal(dialog.exported, timeout=WAIT_MS) as saved:
        dialog.save_pdf.click()
    pdf = Path(str(saved.args[0]))
    assert pdf.parent == tmp_path / "out"
    words = " ".join(pdf_text(pdf.read_bytes(), tmp_path).split())
    assert f"#2 invoice {number} REPRINT 1" in words
    with qtbot.waitSignal(dialog.exported, timeout=WAIT_MS) as saved:
        dialog.save_text.click()
    assert Path(str(saved.args[0])).read_text(encoding="utf-8") == day.text()


def test_the_counters_journal_asks_who_is_signed_in(
    qtbot: QtBot, window: MainWindow, counter: tuple[CounterServices, PaymentBackend]
) -> None:
    services, _ = counter
    assert services.journal is not None  # built with the counter's services
    window.journal = services.journal
    services.access.sign_out()  # the fixture signed the demo owner in: the journal must ask

    dialog = _open_journal(qtbot, window)
    qtbot.waitUntil(lambda: dialog.status.text() != "Loading…", timeout=WAIT_MS)

    assert dialog.status.text().startswith("Please sign in first")
    assert "see reports" in dialog.status.text()
    assert dialog.journal_day is None
    assert not dialog.save_pdf.isEnabled()
