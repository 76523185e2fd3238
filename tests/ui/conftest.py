"""Screen tests fail when they leave a thread or a timer running behind them."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QTableWidget, QTableWidgetItem, QWidget

from pos_app.services.counter import CounterServices


def _python_threads() -> set[threading.Thread]:
    # Qt's pool threads show up as _DummyThread once they ran Python code; the pools are checked
    # by TaskRunner.wait_for_done in the fixtures instead.
    return {
        thread for thread in threading.enumerate() if not isinstance(thread, threading._DummyThread)
    }


@pytest.fixture(autouse=True)
def no_threads_left_behind() -> Iterator[None]:
    before = _python_threads()
    yield
    left = [thread.name for thread in _python_threads() - before if thread.is_alive()]
    assert not left, f"the test left threads running: {left}"


def active_timers(*widgets: QWidget) -> list[str]:
    """Running QTimers owned by ``widgets`` or their children (monitor driver, countdowns)."""
    found = []
    for widget in widgets:
        for timer in widget.findChildren(QTimer):
            owner = type(timer.parent())
            # Qt's own widgets (status bar messages) manage their timers; ours must be stopped
            if timer.isActive() and owner.__module__.startswith("pos_app"):
                found.append(f"{owner.__name__}:{timer.interval()} ms")
    return found


class StallProbe:
    """A 5 ms timer on the GUI thread recording the gaps between its ticks: a gap far over 5 ms
    means the event loop was blocked that long. Tests print the figure; bench/ui_stall_bench
    judges it (timed assertions do not belong in tests)."""

    def __init__(self) -> None:
        self.gaps_ms: list[float] = []
        self._clock = QElapsedTimer()
        self._clock.start()
        self._last = self._clock.nsecsElapsed()
        self._timer = QTimer(interval=5)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    def _tick(self) -> None:
        now = self._clock.nsecsElapsed()
        self.gaps_ms.append((now - self._last) / 1e6)
        self._last = now

    def stop(self) -> None:
        self._timer.stop()

    @property
    def worst_ms(self) -> float:
        return max(self.gaps_ms, default=0.0)


DEMO_PINS = {"demo-owner": "9001", "demo-staff": "9002", "demo-receptionist": "9003"}


def signed_in(services: CounterServices, name: str = "demo-owner") -> CounterServices:
    """A sandbox counter with a demo person (docs/staff.md) already signed in, so a window
    given its access opens without the sign-in page."""
    services.access.sign_in(name, DEMO_PINS[name])
    return services


def key_click(
    widget: QWidget,
    key: Qt.Key,
    modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    """One key press as the receptionist makes it (shortcuts included)."""
    QTest.keyClick(widget, key, modifier)


def key_clicks(widget: QWidget, text: str) -> None:
    QTest.keyClicks(widget, text)


def fill_row(table: QTableWidget, row: int, *texts: str) -> None:
    """The row's cells as the receptionist's typing leaves them, from the first column on."""
    for column, text in enumerate(texts):
        table.setItem(row, column, QTableWidgetItem(text))


def cell_text(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text() if item is not None else ""


def keep_shot(widget: QWidget, name: str) -> None:
    """Keep a picture of ``widget`` when KAHA_SHOTS names a folder (how the docs' screenshots are
    taken), once Qt has laid out what just changed (a label that now wraps is given its height)."""
    folder = os.environ.get("KAHA_SHOTS")
    if folder:
        QApplication.processEvents()
        widget.grab().save(str(Path(folder) / name))
