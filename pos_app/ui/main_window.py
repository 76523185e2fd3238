"""The counter's main window: mode banner, bill queue, the selected bill, status bar.

Threading contract: GUI thread only. The window delegates: the queue to ``BillQueueView``, the bill
to ``BillDetailView``; it owns no business logic.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from pos_app.config import Mode
from pos_app.services.bills import BillFinder
from pos_app.ui.bill_detail import BillDetailView
from pos_app.ui.bill_queue import BillQueueView
from pos_app.ui.tasks import TaskRunner

BANNERS = {
    Mode.SANDBOX: (
        "SANDBOX — practice mode: payments are simulated, no real money moves",
        "#f59e0b",
        "#1f2937",
    ),
    Mode.TEST: ("TEST MODE — PayMongo test keys: no real money moves", "#2563eb", "#ffffff"),
    Mode.LIVE: ("LIVE — real payments", "#15803d", "#ffffff"),
}


class ModeBanner(QLabel):
    """A band across the top that says, loudly, whether real money moves."""

    def __init__(self, mode: Mode, parent: QWidget | None = None) -> None:
        text, background, foreground = BANNERS[mode]
        super().__init__(text, parent)
        self.mode = mode
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setObjectName("modeBanner")
        self.setStyleSheet(
            f"QLabel#modeBanner {{ background: {background}; color: {foreground};"
            " font-weight: bold; font-size: 15px; padding: 6px; }"
        )


class MainWindow(QMainWindow):
    def __init__(
        self,
        *,
        mode: Mode,
        finder: BillFinder,
        runner: TaskRunner,
        clinic_name: str,
        terminal_id: str,
    ) -> None:
        super().__init__()
        self.setWindowTitle(f"Kaha — {clinic_name}")
        self.resize(1200, 760)
        self.banner = ModeBanner(mode)
        self.queue = BillQueueView(finder, runner)
        self.detail = BillDetailView()
        self.queue.bill_selected.connect(self.detail.show_bill)
        splitter = QSplitter()
        splitter.addWidget(self.queue)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        inner_layout.setContentsMargins(10, 10, 10, 6)
        inner_layout.addWidget(splitter)
        layout.addWidget(inner, 1)
        self.setCentralWidget(central)
        self.terminal_label = QLabel(f"Counter {terminal_id}")
        self.connection_label = QLabel("")
        self.statusBar().addPermanentWidget(self.connection_label)
        self.statusBar().addPermanentWidget(self.terminal_label)
        self.queue.loaded.connect(self._on_queue_loaded)
        QTimer.singleShot(0, self.queue.reload)

    def set_connection_status(self, text: str) -> None:
        self.connection_label.setText(text)

    def _on_queue_loaded(self, count: int) -> None:
        self.statusBar().showMessage(f"Bill queue up to date — {count} shown", 4000)
        if self.queue.current_bill() is None and count:
            self.queue.table.selectRow(0)
