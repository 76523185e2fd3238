"""The bill queue loads and filters through the task runner, never blocking the GUI thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from pos_app.domain.bill import Bill, BillStatus, BillSummary
from pos_app.domain.clock import FakeClock
from pos_app.services.bills import QUEUE_LIMIT, BillQueue
from pos_app.storage import Database, open_database
from pos_app.ui import bill_queue, queue_keys
from pos_app.ui.bill_queue import (
    COLUMNS,
    STATUS_COLOURS,
    STATUS_LABELS,
    BillQueueView,
    BillTableModel,
)
from pos_app.ui.tasks import TaskRunner
from tests.demo_bills import demo_bills, seed_demo_bills_if_empty


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path / 'queue.sqlite3'}")
    seed_demo_bills_if_empty(db, FakeClock())
    yield db
    db.dispose()


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[TaskRunner]:
    task_runner = TaskRunner()
    yield task_runner
    assert task_runner.wait_for_done(5000), "a background task was left running"


class BlockingFinder:
    """Answers only when the test releases it, so the test can watch the GUI meanwhile."""

    def __init__(self, bills: list[Bill]) -> None:
        self.bills = bills
        self.release = threading.Event()
        self.calls: list[tuple[str, BillStatus | None]] = []
        self.threads: list[str] = []

    def find(
        self, text: str = "", status: BillStatus | None = None, limit: int = QUEUE_LIMIT
    ) -> list[BillSummary]:
        self.calls.append((text, status))
        self.threads.append(threading.current_thread().name)
        assert self.release.wait(10), "the test never released the finder"
        return [BillSummary.of(b) for b in self.bills if status is None or b.status is status][
            :limit
        ]

    def get(self, bill_id: int) -> Bill:
        self.threads.append(threading.current_thread().name)
        return next(bill for bill in self.bills if bill.id == bill_id)


def test_queue_loads_off_the_gui_thread_while_the_event_loop_keeps_running(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    finder = BlockingFinder(demo_bills(FakeClock(), count=12))
    view = BillQueueView(finder, runner)
    qtbot.addWidget(view)
    ticks: list[int] = []
    timer = QTimer(interval=10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    view.status_filter.setCurrentIndex(view.status_filter.findText("All bills"))
    # while the query is stuck in the worker, the GUI thread keeps turning its event loop
    qtbot.waitUntil(lambda: len(ticks) >= 10, timeout=3000)
    assert view.model.rowCount() == 0
    with qtbot.waitSignal(view.loaded, timeout=5000) as loaded:
        finder.release.set()
    timer.stop()
    assert loaded.args == [12]
    assert view.model.rowCount() == 12
    assert threading.main_thread().name not in finder.threads


def test_search_by_name_and_number_and_filter_by_status(
    qtbot: QtBot, runner: TaskRunner, database: Database
) -> None:
    view = BillQueueView(BillQueue(database), runner)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=5000) as first:
        view.reload()
    open_count = first.args[0]
    assert open_count == 36  # every demo bill is unpaid or part paid
    some_bill = view.model.bill_at(3)
    assert some_bill is not None

    with qtbot.waitSignal(view.loaded, timeout=5000):
        view.search_box.setText(some_bill.number)
    numbers = [view.model.bill_at(r).number for r in range(view.model.rowCount())]  # type: ignore[union-attr]
    assert numbers == [some_bill.number]

    surname_prefix = some_bill.patient_name.split()[-1][:4].lower()
    with qtbot.waitSignal(view.loaded, timeout=5000):
        view.search_box.setText(surname_prefix)
    found = [view.model.bill_at(r) for r in range(view.model.rowCount())]
    assert some_bill.id in {b.id for b in found if b is not None}
    assert all(
        any(w.lower().startswith(surname_prefix) for w in b.patient_name.split())
        for b in found
        if b
    )

    with qtbot.waitSignal(view.loaded, timeout=5000):
        view.search_box.setText("")
    with qtbot.waitSignal(view.loaded, timeout=5000):
        view.status_filter.setCurrentIndex(view.status_filter.findText("Part paid"))
    statuses = {view.model.bill_at(r).status for r in range(view.model.rowCount())}  # type: ignore[union-attr]
    assert statuses == {BillStatus.PARTIALLY_PAID}
    with qtbot.waitSignal(view.loaded, timeout=5000) as paid:
        view.status_filter.setCurrentIndex(view.status_filter.findText("Paid"))
    assert paid.args == [0]
    assert "No bills match" in view.count_label.text()


def test_an_older_answer_never_replaces_the_newer_one(qtbot: QtBot, runner: TaskRunner) -> None:
    bills = demo_bills(FakeClock(), count=5)

    class SlowFirstFinder:
        def __init__(self) -> None:
            self.first = threading.Event()

        def find(
            self, text: str = "", status: BillStatus | None = None, limit: int = QUEUE_LIMIT
        ) -> list[BillSummary]:
            rows = [BillSummary.of(bill) for bill in bills]
            if text == "old":
                self.first.wait(5)
                return rows
            return rows[:1] if text == "new" else rows

        def get(self, bill_id: int) -> Bill:
            return next(bill for bill in bills if bill.id == bill_id)

    finder = SlowFirstFinder()
    view = BillQueueView(finder, runner)
    qtbot.addWidget(view)
    view.status_filter.setCurrentIndex(view.status_filter.findText("All bills"))
    qtbot.waitUntil(lambda: view.model.rowCount() == 5, timeout=5000)
    view.search_box.setText("old")
    view.reload()
    view.search_box.setText("new")
    view.reload()
    finder.first.set()
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    assert view.model.rowCount() == 1


def _all_bills_shown(qtbot: QtBot, runner: TaskRunner, finder: BlockingFinder) -> BillQueueView:
    finder.release.set()
    view = BillQueueView(finder, runner)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=5000):
        view.status_filter.setCurrentIndex(view.status_filter.findText("All bills"))
    return view


def _numbered(count: int) -> list[Bill]:
    """Demo bills with the ids a database would give them."""
    return [replace(bill, id=n) for n, bill in enumerate(demo_bills(FakeClock(), count), 1)]


def test_selecting_a_row_reads_the_whole_bill_off_the_gui_thread(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    bills = _numbered(6)
    finder = BlockingFinder(bills)
    view = _all_bills_shown(qtbot, runner, finder)
    row_bill = view.model.bill_at(2)
    assert row_bill is not None
    finder.threads.clear()
    with qtbot.waitSignal(view.bill_selected, timeout=5000) as selected:
        view.table.selectRow(2)
    whole = selected.args[0]
    assert isinstance(whole, Bill)
    assert whole.id == row_bill.id
    assert whole.lines  # the detail view needs the lines the queue row does not carry
    assert view.current_bill() == whole
    assert finder.threads
    assert threading.main_thread().name not in finder.threads


def test_a_bill_read_for_an_earlier_row_is_not_shown(qtbot: QtBot, runner: TaskRunner) -> None:
    bills = _numbered(4)
    slow_row_bill = threading.Event()

    class SlowGetFinder(BlockingFinder):
        def get(self, bill_id: int) -> Bill:
            if bill_id == bills[0].id:
                slow_row_bill.wait(5)
            return super().get(bill_id)

    view = _all_bills_shown(qtbot, runner, SlowGetFinder(bills))
    rows = [view.model.bill_at(row) for row in range(view.model.rowCount())]
    first_row = [r.id if r else None for r in rows].index(bills[0].id)
    shown: list[Bill | None] = []
    view.bill_selected.connect(shown.append)
    view.table.selectRow(first_row)  # its read is held up...
    other_row = (first_row + 1) % len(rows)
    view.table.selectRow(other_row)  # ...and the receptionist moves on
    with qtbot.waitSignal(view.bill_selected, timeout=5000):
        slow_row_bill.set()  # the first read answers late, then the second one
    assert runner.wait_for_done(5000)
    assert [bill.id for bill in shown if bill] == [rows[other_row].id]  # type: ignore[union-attr]
    assert view.current_bill() is not None
    assert view.current_bill().id == rows[other_row].id  # type: ignore[union-attr]


def test_rows_show_status_words_in_their_colours_and_amounts_right_aligned() -> None:
    statuses = list(BillStatus)
    bills = [
        BillSummary.of(replace(bill, id=index + 1, status=statuses[index % len(statuses)]))
        for index, bill in enumerate(demo_bills(FakeClock(), count=8))
    ]
    model = BillTableModel()
    model.set_bills(bills)
    for row, bill in enumerate(bills):
        status_cell = model.index(row, 5)
        assert model.data(status_cell) == STATUS_LABELS[bill.status]
        colour = model.data(status_cell, Qt.ItemDataRole.ForegroundRole)
        assert colour == QColor(STATUS_COLOURS[bill.status])
        assert model.data(model.index(row, 3)) == bill.amount_due.format()
        assert model.data(model.index(row, 3), Qt.ItemDataRole.TextAlignmentRole) == int(
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        )
        assert model.data(model.index(row, 1), Qt.ItemDataRole.ForegroundRole) is None
    assert {bill.status for bill in bills} == set(BillStatus)


def test_the_plain_numbers_standing_in_for_qt_names_are_qts_own() -> None:
    stand_ins = [
        bill_queue.DISPLAY_ROLE,
        bill_queue.TEXT_ALIGNMENT_ROLE,
        bill_queue.FOREGROUND_ROLE,
        bill_queue.ALIGN_RIGHT_MIDDLE,
    ]
    assert stand_ins == [
        Qt.ItemDataRole.DisplayRole.value,
        Qt.ItemDataRole.TextAlignmentRole.value,
        Qt.ItemDataRole.ForegroundRole.value,
        (Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value,
    ]


def test_the_queue_keys_plain_numbers_are_qts_own() -> None:
    assert [
        key.value
        for key in (
            Qt.Key.Key_Escape,
            Qt.Key.Key_Tab,
            Qt.Key.Key_Backtab,
            Qt.Key.Key_Up,
            Qt.Key.Key_Down,
            Qt.Key.Key_PageUp,
            Qt.Key.Key_PageDown,
        )
    ] == [
        queue_keys.KEY_ESCAPE,
        queue_keys.KEY_TAB,
        queue_keys.KEY_BACKTAB,
        queue_keys.KEY_UP,
        queue_keys.KEY_DOWN,
        queue_keys.KEY_PAGE_UP,
        queue_keys.KEY_PAGE_DOWN,
    ]
    modifiers = (Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Meta, Qt.Key.Key_Alt)
    assert list(queue_keys.MODIFIER_KEYS) == [key.value for key in modifiers]


def test_the_columns_have_their_titles_on_the_header(
    qtbot: QtBot, runner: TaskRunner, database: Database
) -> None:
    view = BillQueueView(BillQueue(database), runner)
    qtbot.addWidget(view)
    header = view.table.horizontalHeader()
    assert header.count() == view.model.columnCount() == len(COLUMNS)
    titles = [
        header.model().headerData(column, Qt.Orientation.Horizontal)
        for column in range(header.count())
    ]
    assert titles == list(COLUMNS)
    assert header.isSectionHidden(0) is False


def _column_names_read_out(view: BillQueueView) -> list[str]:
    """The column names Qt's accessibility gives a screen reader: the table's own model's
    header data (QAccessibleTableHeaderCell asks the view's model, not the header's).
    Asserted through the model: holding QAccessibleInterface wrappers in Python across a model
    change crashed the test process (PySide frees interfaces Qt's cache still holds)."""
    model = view.table.model()
    names = []
    for column in range(model.columnCount()):
        name = model.headerData(
            column, Qt.Orientation.Horizontal, Qt.ItemDataRole.AccessibleTextRole
        )
        if not name:
            name = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        names.append(str(name))
    return names


def test_screen_readers_get_the_column_titles_once_named_and_the_selection_stays(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    finder = BlockingFinder(_numbered(6))
    view = _all_bills_shown(qtbot, runner, finder)
    # as drawn first (no Qt enums before the first paint): titles on the header only
    assert _column_names_read_out(view) == ["1", "2", "3", "4", "5", "6"]
    with qtbot.waitSignal(view.bill_selected, timeout=5000):
        view.table.selectRow(2)
    chosen = view.current_bill()
    header = view.table.horizontalHeader()
    widths = [header.sectionSize(column) for column in range(len(COLUMNS))]
    finder.threads.clear()

    view.name_columns()

    assert _column_names_read_out(view) == list(COLUMNS)
    assert [header.sectionSize(column) for column in range(len(COLUMNS))] == widths
    assert view.table.currentIndex().row() == 2
    assert view.current_bill() == chosen
    qtbot.wait(100)
    assert finder.threads == []  # the selected bill was not read again
    # and the table still follows the receptionist
    fifth = view.model.bill_at(4)
    assert fifth is not None
    with qtbot.waitSignal(view.bill_selected, timeout=5000) as selected:
        view.table.selectRow(4)
    assert selected.args[0].id == fifth.id
