"""A used counter: the window shows its queue first, the database opens on the worker meanwhile."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from pos_app.app import build_services
from pos_app.config import (
    LAST_BOOKS_FILE_NAME,
    Mode,
    Secrets,
    Settings,
    load_settings,
    practice_settings,
)
from pos_app.domain.bill import BillSummary
from pos_app.domain.clock import FakeClock
from pos_app.domain.errors import StorageError
from pos_app.services.bills import OPEN_STATUSES, QUEUE_LIMIT
from pos_app.services.counter import CounterServices, PaymentBackend
from pos_app.storage import open_database
from pos_app.storage.first_paint import read_queue
from pos_app.ui.application import run_gui_while_starting, tell_cannot_start
from pos_app.ui.main_window import MainWindow
from pos_app.ui.mode_banner import BANNERS, STARTING_BANNER
from tests.demo_bills import seed_demo_bills_if_empty
from tests.ui.conftest import signed_in


def _used_counter() -> tuple[Settings, list[BillSummary]]:
    settings = load_settings()
    books = practice_settings(settings)  # a counter used in sandbox mode: its practice books
    books.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / LAST_BOOKS_FILE_NAME).write_text("practice\n")  # opened last time
    database = open_database(books.database_url)
    seed_demo_bills_if_empty(database, FakeClock())
    database.dispose()
    rows = read_queue(books.database_url, OPEN_STATUSES, QUEUE_LIMIT)
    assert rows
    return settings, list(rows)


def _window() -> MainWindow:
    return next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))


class _AtFirstPaint(QObject):
    """Records, as the queue is first painted, whether the payment side was built yet."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.payment_side_built: list[bool] = []
        window.queue.count_label.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.payment_side_built:
            self.payment_side_built.append(self.window.payment_side_built)
        return False


def _watch_first_paint(monkeypatch: pytest.MonkeyPatch) -> list[_AtFirstPaint]:
    watchers: list[_AtFirstPaint] = []
    show = MainWindow.show

    def show_watched(window: MainWindow) -> None:
        watchers.append(_AtFirstPaint(window))
        show(window)

    monkeypatch.setattr(MainWindow, "show", show_watched)
    return watchers


def _run(
    settings: Settings,
    rows: list[BillSummary],
    build: Callable[[], CounterServices],
    steps: Callable[[MainWindow], None],
) -> int:
    errors: list[BaseException] = []

    def drive() -> None:
        try:
            steps(_window())
        except BaseException as exc:  # re-raised below, once the event loop has ended
            errors.append(exc)
            QApplication.quit()

    QTimer.singleShot(0, drive)
    code = run_gui_while_starting(settings, rows, build)
    # The window closing as it is deleted asks the application to quit, and a quit asked outside
    # exec() would end the next test's event loops at once; one short exec() takes it and resets.
    QTimer.singleShot(0, QApplication.quit)
    QApplication.exec()
    if errors:
        raise errors[0]
    return code


def _dialogs_shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Error and warning boxes record their text instead of waiting for a click."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text: shown.append(text))
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: shown.append(text))
    return shown


def _no_payments() -> PaymentBackend:
    raise StorageError("Payments are off in this test.")


def test_queue_is_shown_before_the_database_opens_then_search_uses_it(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, rows = _used_counter()
    problems = _dialogs_shown(monkeypatch)
    first_paint = _watch_first_paint(monkeypatch)
    release = threading.Event()
    seen: dict[str, object] = {}
    wanted = rows[-1]

    def build() -> CounterServices:
        assert release.wait(10), "the test never let the database open"
        seen["build_thread"] = threading.current_thread().name
        services = signed_in(build_services(settings, Secrets()))
        return dataclasses.replace(
            services, start_payment_backend=_no_payments, open_payment_backend=None
        )

    def steps(window: MainWindow) -> None:
        # the database is still "opening": the first rows are on screen already
        seen["rows_while_opening"] = window.queue.model.rowCount()
        seen["status_while_opening"] = window.connection_label.text()
        seen["message_while_opening"] = window.statusBar().currentMessage()
        seen["mode_while_opening"] = window.banner.mode
        seen["banner_while_opening"] = window.banner.text()
        seen["payment_side_at_first_paint"] = window.payment_side_built
        qtbot.waitUntil(lambda: window.payment_side_built, timeout=10_000)
        release.set()
        window.queue.search_box.setText(wanted.number)
        qtbot.waitUntil(
            lambda: bool(problems) or window.queue.count_label.text() == "1 bill", timeout=10_000
        )
        assert not problems, problems
        qtbot.waitUntil(lambda: "could not start" in window.connection_label.text(), timeout=10_000)
        seen["found"] = window.queue.model.bill_at(0)
        # the bill history reads the database start-up opened (its prints are counted there)
        window.queue.select_row(0, window.show_bill_history)
        qtbot.waitUntil(
            lambda: window.bill_history is not None and window.bill_history.history is not None,
            timeout=10_000,
        )
        seen["message_once_open"] = window.statusBar().currentMessage()
        seen["mode_once_open"] = window.banner.mode
        seen["banner_once_open"] = window.banner.text()
        QApplication.quit()

    assert _run(settings, rows, build, steps) == 0
    assert seen["rows_while_opening"] == len(rows)
    assert seen["status_while_opening"] == "Opening the payment database…"
    # the rows on screen are what this counter saved, not yet a fresh read: said so
    saved = f"Open bills as saved on this counter — {len(rows)} shown"
    assert seen["message_while_opening"] == saved
    assert seen["message_once_open"] == "Bill queue up to date — 1 shown"
    # the keys are read with the database: until then the band does not guess a mode
    assert seen["mode_while_opening"] is None
    assert seen["banner_while_opening"] == STARTING_BANNER[0]
    assert seen["mode_once_open"] is Mode.SANDBOX
    assert seen["banner_once_open"] == BANNERS[Mode.SANDBOX][0]
    # the payment screens are built after the first paint, before the database opens
    assert seen["payment_side_at_first_paint"] is False
    assert [watcher.payment_side_built for watcher in first_paint] == [[False]]
    assert seen["build_thread"] != threading.main_thread().name
    assert seen["found"] == wanted


def test_a_database_that_fails_to_open_after_the_window_stops_the_app(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings, rows = _used_counter()
    shown = _dialogs_shown(monkeypatch)
    status_behind_the_box: list[str] = []

    def critical(window: MainWindow, _title: str, text: str) -> None:
        shown.append(text)
        status_behind_the_box.append(window.connection_label.text())

    monkeypatch.setattr(QMessageBox, "critical", critical)
    # as on a real screen (the tests run offscreen, where no box is shown: nobody could close it)
    monkeypatch.setattr(QApplication, "platformName", staticmethod(lambda: "xcb"))
    message = "The payment database cannot be reached, so the app will not start."

    def build() -> CounterServices:
        raise StorageError(message)

    assert _run(settings, rows, build, lambda _window: None) == 1
    assert shown == [message]
    # the keyring is read in the same step: the status bar does not guess which part failed
    assert status_behind_the_box == ["Kaha could not start"]
    assert message in capsys.readouterr().err


def test_offscreen_the_reason_goes_to_stderr_without_a_box_nobody_could_close(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = _dialogs_shown(monkeypatch)
    tell_cannot_start("The payment database file cannot be opened.")
    assert shown == []
    assert "The payment database file cannot be opened." in capsys.readouterr().err


def test_first_rows_come_from_the_data_folder_not_the_working_directory(tmp_path: Path) -> None:
    settings, rows = _used_counter()
    url = practice_settings(settings).database_url
    assert Path(url.removeprefix("sqlite:///")).is_relative_to(tmp_path)
    assert len(rows) == len(read_queue(url, OPEN_STATUSES, QUEUE_LIMIT) or [])
