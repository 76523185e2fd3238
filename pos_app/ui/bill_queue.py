"""The bill queue: search by patient name or bill number, filter by status.

Threading contract: lives on the GUI thread. Every query runs through the task runner's database
worker; a result that arrives after a newer query was started is dropped, so the table always shows
the answer to what is typed now.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QStandardItemModel
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.bill_summary import BillStatus, BillSummary
from pos_app.services.bills import OPEN_STATUSES, BillFinder
from pos_app.ui.errors import show_error
from pos_app.ui.queue_keys import FilterBox, SearchBox
from pos_app.ui.tasks import TaskRunner

if TYPE_CHECKING:  # the whole bill's classes load after the first paint
    from pos_app.domain.bill import Bill

SEARCH_DEBOUNCE_MS = 150
COLUMNS = ("Bill", "Patient", "Services", "Amount due", "Balance", "Status")
STATUS_LABELS = {
    BillStatus.PENDING: "Unpaid",
    BillStatus.PARTIALLY_PAID: "Part paid",
    BillStatus.PAID: "Paid",
    BillStatus.CANCELLED: "Cancelled",
    BillStatus.REFUNDED: "Refunded",
}
STATUS_COLOURS = {
    BillStatus.PENDING: "#b45309",
    BillStatus.PARTIALLY_PAID: "#1d4ed8",
    BillStatus.PAID: "#15803d",
    BillStatus.CANCELLED: "#6b7280",
    BillStatus.REFUNDED: "#7c3aed",
}
ParentIndex = QModelIndex | QPersistentModelIndex
HOLD_STYLE = (
    "background: #dbeafe; color: #1e3a8a; border: 1px solid #60a5fa; padding: 6px;"
    " font-weight: bold;"
)


WIDTH_SAMPLES = (
    "B-000000",
    "Josefina Dela Cruz",
    "Services",
    "₱100,000.00",
    "₱100,000.00",
    "Part paid",
)

# Qt's values as plain ints. This module draws the first paint, and naming anything in PySide's
# ``Qt`` namespace (Qt.ItemDataRole, Qt.AlignmentFlag, a Qt.Orientation argument) builds all of
# its 94 Python enums first: ~40 ms, a sixth of a bare window's start. tests/ui/test_bill_queue.py
# checks each against Qt's own.
DISPLAY_ROLE = 0  # Qt.ItemDataRole.DisplayRole
TEXT_ALIGNMENT_ROLE = 7  # Qt.ItemDataRole.TextAlignmentRole
FOREGROUND_ROLE = 9  # Qt.ItemDataRole.ForegroundRole
ALIGN_RIGHT_MIDDLE = 0x0082  # Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_ANSWERED_ROLES = frozenset({DISPLAY_ROLE, TEXT_ALIGNMENT_ROLE, FOREGROUND_ROLE})


class BillTableModel(QAbstractTableModel):
    """Bills as rows (``BillSummary``, without their lines); holds domain objects only."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bills: list[BillSummary] = []
        self._texts: list[tuple[str, ...]] = []
        # QColor, not QBrush: the delegate paints either, and building a QBrush first loads
        # PySide's QGradient type (~7 ms) before the first paint
        self._colours = {status: QColor(colour) for status, colour in STATUS_COLOURS.items()}

    def set_bills(self, bills: list[BillSummary]) -> None:
        self.beginResetModel()
        self._bills = list(bills)
        # painting asks for every cell again and again: format each once, here
        self._texts = [self._row_texts(bill) for bill in self._bills]
        self.endResetModel()

    def bill_at(self, row: int) -> BillSummary | None:
        return self._bills[row] if 0 <= row < len(self._bills) else None

    def rowCount(self, parent: ParentIndex = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(self._bills)

    def columnCount(self, parent: ParentIndex = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(COLUMNS)

    # No headerData here: Qt would call it with a Qt.Orientation (see DISPLAY_ROLE). The column
    # titles are on the table's header (``column_titles``) until the window is drawn, then on
    # the model the table is given over this one (``BillQueueView.name_columns``).

    def data(self, index: ParentIndex, role: int = DISPLAY_ROLE) -> object:
        # Painting asks each visible cell for seven roles, most of which the queue leaves to
        # the style: answer those first and cheaply (~900 calls when the window is first drawn).
        if role not in _ANSWERED_ROLES:
            return None
        row = index.row()
        if not 0 <= row < len(self._texts):
            return None
        column = index.column()
        if role == DISPLAY_ROLE:
            return self._texts[row][column]
        if role == FOREGROUND_ROLE:
            return self._colours[self._bills[row].status] if column == 5 else None
        return ALIGN_RIGHT_MIDDLE if column in (3, 4) else None

    @staticmethod
    def _row_texts(bill: BillSummary) -> tuple[str, ...]:
        return (
            bill.number,
            bill.patient_name,
            bill.description,
            bill.amount_due.format(),
            bill.balance.format(),
            STATUS_LABELS[bill.status],
        )


def column_titles(header: QHeaderView) -> QStandardItemModel:
    """The queue's column titles, as a model for the table's header (QHeaderView shows the
    titles of the model it is given; the bills' model has the same columns). Owned by the
    header, so it lives exactly as long."""
    titles = QStandardItemModel(0, len(COLUMNS), header)
    titles.setHorizontalHeaderLabels(list(COLUMNS))
    return titles


class BillQueueView(QWidget):
    """Search box, status filter and the table of bills."""

    #: the number of bills shown, after every completed load
    loaded = Signal(int)
    #: the bill the receptionist selected, read whole from the database (None when none is)
    bill_selected = Signal(object)
    #: Enter on a bill: the receptionist wants to collect payment for it (its BillSummary)
    bill_activated = Signal(object)

    def __init__(
        self, finder: BillFinder, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._finder = finder
        self._runner = runner
        self._generation = 0
        #: the rows on screen were read before the database was opened (``show_first_rows``)
        self.showing_first_rows = False
        self._selected: Bill | None = None  # the whole bill of the current row, once read
        self._when_selected: tuple[int, Callable[[], None]] | None = None
        self.search_box = SearchBox(placeholderText="Search patient name or bill number   (Ctrl+F)")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.step.connect(self.move_selection)
        self.status_filter = FilterBox()
        self.status_filter.addItem("Open bills", list(OPEN_STATUSES))
        self.status_filter.addItem("All bills", None)
        for status, label in STATUS_LABELS.items():
            self.status_filter.addItem(label, [status])
        self.model = BillTableModel(self)  # Qt's to delete, with the view: never before its table
        self.table = self._make_table()
        self.count_label = QLabel("Loading bills…")
        self.count_label.setWordWrap(True)  # a long message must not widen the queue
        # while the payment side holds a bill: which one, and what frees the queue (``hold``)
        self.hold_notice = QLabel("")
        self.hold_notice.setWordWrap(True)
        self.hold_notice.setStyleSheet(HOLD_STYLE)
        self.hold_notice.setVisible(False)
        self._debounce = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.reload)
        self.search_box.textChanged.connect(self._debounce.start)
        self.status_filter.currentIndexChanged.connect(self.reload)
        self._layout()

    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)  # one line per bill: long service lists end in "…"
        table.verticalHeader().setVisible(False)
        header = table.horizontalHeader()
        header.setModel(column_titles(header))
        _size_columns(table)
        table.selectionModel().currentRowChanged.connect(self._on_row_changed)
        table.activated.connect(self._on_activated)
        return table

    def name_columns(self) -> None:
        """Give the table the rows with their column titles (``queue_titles``), for screen
        readers; once the window has been drawn. The selection stays where it is."""
        from pos_app.ui.queue_titles import TitledRows

        if isinstance(self.table.model(), TitledRows):
            return
        titled = TitledRows(COLUMNS, self.table)
        titled.setSourceModel(self.model)
        row = self.table.currentIndex().row()
        first_titles = self.table.horizontalHeader().model()  # ``column_titles``: done with now
        self.table.setModel(titled)  # a new header model and selection model
        first_titles.deleteLater()
        _size_columns(self.table)
        if row >= 0:  # before connecting: that bill is already read whole
            self.table.selectRow(row)
        self.table.selectionModel().currentRowChanged.connect(self._on_row_changed)

    def _layout(self) -> None:
        filters = QHBoxLayout()
        filters.addWidget(self.search_box, 1)
        filters.addWidget(self.status_filter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.hold_notice)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)

    def hold(self, notice: str) -> None:
        """While a payment holds the highlighted bill, the queue stays on it: searching,
        filtering and moving wait, and ``notice`` says which bill and what frees the queue.
        An empty notice frees it."""
        held = bool(notice)
        self.hold_notice.setText(notice)
        self.hold_notice.setVisible(held)
        for widget in (self.search_box, self.status_filter, self.table):
            widget.setEnabled(not held)

    @property
    def held(self) -> bool:
        return self.hold_notice.isVisibleTo(self)

    def move_selection(self, rows: int) -> None:
        """Up/Down from the search box: the bill ``rows`` away from the highlighted one."""
        count = self.model.rowCount()
        if not count or self.held:
            return
        current = self.table.currentIndex().row()
        target = 0 if current < 0 else max(0, min(count - 1, current + rows))
        if target != current:
            self.table.selectRow(target)

    def selected_statuses(self) -> list[BillStatus] | None:
        data = self.status_filter.currentData()
        # Qt hands enum members back as plain strings; turn them back into BillStatus
        return [BillStatus(value) for value in data] if data else None

    def reload(self) -> None:
        """Query again with what is typed and chosen now; older answers will be ignored."""
        self._generation += 1
        generation = self._generation
        text = self.search_box.text()
        statuses = self.selected_statuses()

        def query() -> list[BillSummary]:
            if statuses is None:
                return self._finder.find(text, None)
            found: list[BillSummary] = []
            for status in statuses:
                found.extend(self._finder.find(text, status))
            found.sort(key=lambda bill: (bill.updated_at, bill.id), reverse=True)
            return found

        self._runner.run_db(
            query,
            on_success=lambda bills: self._show(generation, bills),
            on_failure=lambda exc: show_error(self, exc),
            owner=self,
        )

    def show_first_rows(self, bills: list[BillSummary]) -> None:
        """Rows read before the database was fully open (``storage.first_paint``), for the
        default filter; the next load replaces them."""
        self._show(self._generation, bills, first_rows=True)

    def _show(self, generation: int, bills: list[BillSummary], *, first_rows: bool = False) -> None:
        if generation != self._generation:
            return  # an answer to an older query: what is typed now has its own answer coming
        selected = self.current_summary()
        self.showing_first_rows = first_rows
        self.model.set_bills(bills)
        self.count_label.setText(_count_text(len(bills)))
        if selected is not None:
            self.select_bill(selected.id)
        self.loaded.emit(len(bills))

    def current_summary(self) -> BillSummary | None:
        return self.model.bill_at(self.table.currentIndex().row())

    def current_bill(self) -> Bill | None:
        """The whole selected bill, once it has been read (``bill_selected`` says when)."""
        summary = self.current_summary()
        if summary is None or self._selected is None or self._selected.id != summary.id:
            return None
        return self._selected

    def select_bill(self, bill_id: int) -> None:
        for row in range(self.model.rowCount()):
            bill = self.model.bill_at(row)
            if bill is not None and bill.id == bill_id:
                self.table.selectRow(row)
                return

    def select_row(self, row: int, then: Callable[[], None]) -> None:
        """Select ``row`` and call ``then`` once its whole bill is read and announced."""
        summary = self.model.bill_at(row)
        if summary is None:
            return
        self._when_selected = (summary.id, then)
        if self.current_summary() == summary:
            self.refresh_selection()
        else:
            self.table.selectRow(row)

    def refresh_selection(self) -> None:
        """Read the selected bill again (after it was paid, or for the next patient)."""
        self._read_whole(self.current_summary())

    def _on_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._read_whole(self.model.bill_at(current.row()))

    def _read_whole(self, summary: BillSummary | None) -> None:
        if summary is None:
            self._selected = None
            self.bill_selected.emit(None)
            return
        bill_id = summary.id
        self._runner.run_db(
            lambda: self._finder.get(bill_id),
            on_success=self._on_whole_bill,
            on_failure=lambda exc: show_error(self, exc),
            owner=self,
        )

    def _on_whole_bill(self, bill: Bill) -> None:
        summary = self.current_summary()
        if summary is None or summary.id != bill.id:
            return  # the receptionist moved on while it was read: the newer row is coming
        self._selected = bill
        self.bill_selected.emit(bill)
        waiting, self._when_selected = self._when_selected, None
        if waiting is not None:
            if waiting[0] == bill.id:
                waiting[1]()
            else:
                self._when_selected = waiting

    def _on_activated(self, index: QModelIndex) -> None:
        bill = self.model.bill_at(index.row())
        if bill is not None:
            self.bill_activated.emit(bill)


def _size_columns(table: QTableView) -> None:
    """Column widths from sample text, set once: ResizeToContents would measure every row on
    every repaint, which costs the GUI thread tens of milliseconds with a full queue."""
    header = table.horizontalHeader()
    metrics = table.fontMetrics()
    for column, sample in enumerate(WIDTH_SAMPLES):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(column, metrics.horizontalAdvance(sample) + 16)
    header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)


def _count_text(count: int) -> str:
    if count == 0:
        return "No bills match. Check the spelling, or choose “All bills”."
    return "1 bill" if count == 1 else f"{count} bills"
