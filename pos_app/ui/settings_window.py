"""The owner's settings window: one tab per section, keys into the keyring, tests on the spot.

A section is a small widget with a ``title``, ``fill(snapshot)`` and ``changes()`` (the
settings it edits, as text): adding one (e-mail, say) is one class and one line in
``SECTIONS``. Keys are stored at once with their own button (a LIVE key after a confirmation);
the other settings are saved together with "Save". The service checks the permission, writes
the file and the audit; this window only asks.

Threading contract: GUI thread only; every service call goes through the task runner (the
database worker for reading and saving, the network pool for tests and printing).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from pos_app.config import Mode, PrinterKind, VatRegistration, mode_for_key
from pos_app.services.collect.finished import no_clinic_page
from pos_app.services.settings_service import (
    KEY_LABELS,
    Check,
    SettingsService,
    SettingsSnapshot,
)
from pos_app.ui.errors import message_for
from pos_app.ui.settings_email import EmailSection
from pos_app.ui.settings_sections import ERROR_STYLE, KeyRow, Section
from pos_app.ui.tasks import TaskRunner

PRINTER_LABELS = {
    PrinterKind.PDF: "PDF file (print from the PDF viewer)",
    PrinterKind.ESCPOS_NETWORK: "Thermal printer on the network (address host:port)",
    PrinterKind.ESCPOS_USB: "Thermal printer on USB (address vendor:product)",
    PrinterKind.ESCPOS_FILE: "Thermal printer device (address such as /dev/usb/lp0)",
}
VAT_LABELS = {VatRegistration.VAT: "VAT-registered", VatRegistration.NON_VAT: "Non-VAT"}


class PayMongoSection(Section):
    title = "PayMongo"

    def __init__(self, window: SettingsWindow) -> None:
        super().__init__(window)
        self.mode = QLabel("")
        self.form.addRow("Mode", self.mode)
        for name in ("paymongo_secret_key", "paymongo_public_key", "paymongo_webhook_secret"):
            self.key_row(name)
        self.test = self.button("Test connection", self._test)
        self.result = self.result_line()

    def fill(self, snapshot: SettingsSnapshot) -> None:
        self.show_mode(snapshot.mode)

    def show_mode(self, mode: Mode) -> None:
        self.mode.setText(f"{mode.value.upper()}  (it follows the stored secret key)")

    def _test(self) -> None:
        typed = self.window_.key_rows["paymongo_secret_key"].entry.text()
        self.window_.check(lambda: self.window_.service.test_paymongo(typed), self.result)


class ClinicServerSection(Section):
    title = "Clinic server"

    def __init__(self, window: SettingsWindow) -> None:
        super().__init__(window)
        self.address = QLineEdit()
        self.address.setPlaceholderText("https://records.clinic.example")
        self.form.addRow("Address", self.address)
        self.key_row("clinic_token")
        self.test = self.button("Test connection", self._test)
        self.result = self.result_line()

    def fill(self, snapshot: SettingsSnapshot) -> None:
        self.address.setText(snapshot.values["clinic_base_url"])

    def changes(self) -> dict[str, str]:
        return {"clinic_base_url": self.address.text()}

    def _test(self) -> None:
        url, token = self.address.text(), self.window_.key_rows["clinic_token"].entry.text()
        self.window_.check(lambda: self.window_.service.test_clinic(url, token), self.result)


class PrinterSection(Section):
    title = "Printer"

    def __init__(self, window: SettingsWindow) -> None:
        super().__init__(window)
        self.kind = QComboBox()
        for kind, label in PRINTER_LABELS.items():
            self.kind.addItem(label, kind.value)
        self.address = QLineEdit()
        self.form.addRow("Printer", self.kind)
        self.form.addRow("Address", self.address)
        self.test = self.button("Print test page", self._test)
        self.result = self.result_line()

    def fill(self, snapshot: SettingsSnapshot) -> None:
        self.kind.setCurrentIndex(self.kind.findData(snapshot.values["printer_kind"]))
        self.address.setText(snapshot.values["printer_address"])

    def changes(self) -> dict[str, str]:
        return {
            "printer_kind": str(self.kind.currentData()),
            "printer_address": self.address.text(),
        }

    def _test(self) -> None:
        kind, address = str(self.kind.currentData()), self.address.text()
        self.window_.check(lambda: self.window_.service.print_test_page(kind, address), self.result)


PROFILE_FIELDS = {
    "clinic_name": "Name on the screen and receipts",
    "clinic_registered_name": "Registered name (BIR)",
    "clinic_tin": "TIN",
    "clinic_address": "Address",
}


class ClinicProfileSection(Section):
    title = "Clinic"

    def __init__(self, window: SettingsWindow) -> None:
        super().__init__(window)
        self.edits = {name: QLineEdit() for name in PROFILE_FIELDS}
        for name, label in PROFILE_FIELDS.items():
            self.form.addRow(label, self.edits[name])
        self.vat = QComboBox()
        for vat, label in VAT_LABELS.items():
            self.vat.addItem(label, vat.value)
        self.form.addRow("VAT registration", self.vat)
        self.finished_page = QLineEdit()
        self.finished_page.setPlaceholderText("https://clinic.example/payment-finished (optional)")
        self.form.addRow("Page after paying by phone", self.finished_page)
        # said while a real key has no clinic page to send the phone to (collect.finished)
        self.finished_hint = self.result_line()
        self._mode: Mode | None = None
        self._clinic_url = ""
        self.finished_page.textChanged.connect(self._show_finished_hint)

    def fill(self, snapshot: SettingsSnapshot) -> None:
        self._mode, self._clinic_url = snapshot.mode, snapshot.values["clinic_base_url"]
        for name, edit in self.edits.items():
            edit.setText(snapshot.values[name])
        self.vat.setCurrentIndex(self.vat.findData(snapshot.values["vat_registration"]))
        self.finished_page.setText(snapshot.values["payment_finished_url"])
        self._show_finished_hint()

    def show_mode(self, mode: Mode) -> None:
        """A new secret key was stored: the hint follows its mode."""
        self._mode = mode
        self._show_finished_hint()

    def _show_finished_hint(self) -> None:
        hint = None
        if self._mode is not None:
            hint = no_clinic_page(
                self.finished_page.text(),
                sandbox=self._mode is Mode.SANDBOX,
                clinic_url=self._clinic_url,
            )
        self.finished_hint.setText(hint or "")
        self.finished_hint.setVisible(hint is not None)

    def changes(self) -> dict[str, str]:
        found = {name: edit.text() for name, edit in self.edits.items()}
        return found | {
            "vat_registration": str(self.vat.currentData()),
            "payment_finished_url": self.finished_page.text(),
        }


class CounterSection(Section):
    title = "Counter"

    def __init__(self, window: SettingsWindow) -> None:
        super().__init__(window)
        self.idle = QSpinBox()
        self.idle.setRange(0, 240)
        self.idle.setSuffix(" minutes")
        self.idle.setSpecialValueText("never")
        self.form.addRow("Lock the counter when idle for", self.idle)

    def fill(self, snapshot: SettingsSnapshot) -> None:
        self.idle.setValue(int(snapshot.values["idle_lock_minutes"]))

    def changes(self) -> dict[str, str]:
        return {"idle_lock_minutes": str(self.idle.value())}


SECTIONS: tuple[type[Section], ...] = (
    PayMongoSection,
    ClinicServerSection,
    PrinterSection,
    ClinicProfileSection,
    CounterSection,
    EmailSection,
)


class SettingsWindow(QDialog):
    """Opened with a snapshot the service already let this person read."""

    saved = Signal(list)  # the names of the settings that changed

    def __init__(
        self,
        service: SettingsService,
        runner: TaskRunner,
        snapshot: SettingsSnapshot,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Kaha — Settings")
        self.resize(720, 420)
        self.service = service
        self._runner = runner
        self.key_rows: dict[str, KeyRow] = {}
        self.question: QMessageBox | None = None  # the LIVE key confirmation, while asked
        self.tabs = QTabWidget()
        self.sections = [section(self) for section in SECTIONS]
        for section in self.sections:
            self.tabs.addTab(section, section.title)
        self.keyring_line = QLabel("")
        self.keyring_line.setWordWrap(True)
        self.keyring_line.setStyleSheet(ERROR_STYLE)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.file_line = QLabel("")
        self.file_line.setWordWrap(True)
        self.file_line.setStyleSheet("color: #555;")
        self.save_button = QPushButton("Save")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.keyring_line)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.file_line)
        layout.addLayout(buttons)
        self.fill(snapshot)

    def section(self, kind: type[Section]) -> Section:
        return next(s for s in self.sections if isinstance(s, kind))

    def fill(self, snapshot: SettingsSnapshot) -> None:
        for section in self.sections:
            section.fill(snapshot)
        for name, row in self.key_rows.items():
            row.stored(snapshot.keys[name])
            row.allow(snapshot.keyring_problem is None)
        self.keyring_line.setText(snapshot.keyring_problem or "")
        self.keyring_line.setVisible(snapshot.keyring_problem is not None)
        where = snapshot.settings_file
        self.file_line.setText(
            f"Settings are saved in {where.name} in {where.parent}, keys in the system keyring. "
            "New keys and addresses are used from Kaha's next start."
        )

    def changes(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for section in self.sections:
            found.update(section.changes())
        return found

    def save(self) -> None:
        changes = self.changes()
        self._tell("Saving…")
        self._runner.run_db(
            lambda: self.service.save(changes),
            on_success=self._on_saved,
            on_failure=self._on_failed,
            owner=self,
        )

    def _on_saved(self, changed: object) -> None:
        names = list(changed) if isinstance(changed, list) else []
        self._tell("Saved." if names else "Nothing changed.")
        self.saved.emit(names)

    def store_key(self, name: str, value: str) -> None:
        if self.service.needs_live_confirmation(name, value):
            self._ask_live(name, value)
            return
        self._store(name, value, live_confirmed=False)

    def _ask_live(self, name: str, value: str) -> None:
        box = self.question = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Go LIVE?")
        box.setText(
            "This is a LIVE PayMongo key. From Kaha's next start, patients pay real money "
            "and PayMongo charges its fees. Use it?"
        )
        box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
        go = box.addButton("Use the LIVE key", QMessageBox.ButtonRole.AcceptRole)

        def answered() -> None:
            self.question = None
            if box.clickedButton() is go:
                self._store(name, value, live_confirmed=True)
            else:
                self._tell("The LIVE key was not stored.")

        box.finished.connect(answered)
        box.open()

    def _store(self, name: str, value: str, *, live_confirmed: bool) -> None:
        self._tell("Storing the key…")

        def stored(shown: object) -> None:
            self.key_rows[name].stored(str(shown))
            if name == "paymongo_secret_key":
                paymongo = self.section(PayMongoSection)
                clinic = self.section(ClinicProfileSection)
                assert isinstance(paymongo, PayMongoSection)
                assert isinstance(clinic, ClinicProfileSection)
                paymongo.show_mode(mode_for_key(value.strip()))
                clinic.show_mode(mode_for_key(value.strip()))
            self._tell(f"{KEY_LABELS[name]} stored in the keyring.")

        self._runner.run_db(
            lambda: self.service.store_key(name, value, live_confirmed=live_confirmed),
            on_success=stored,
            on_failure=self._on_failed,
            owner=self,
        )

    def check(self, work: Callable[[], Check], line: QLabel) -> None:
        """Run a test (network or printer) and put its answer on ``line``."""
        line.setStyleSheet("")
        line.setText("Checking…")

        def answered(result: object) -> None:
            assert isinstance(result, Check)
            line.setStyleSheet("" if result.ok else ERROR_STYLE)
            line.setText(result.message)

        def failed(exc: BaseException) -> None:
            line.setStyleSheet(ERROR_STYLE)
            line.setText(message_for(exc) or "")

        self._runner.run_net(work, on_success=answered, on_failure=failed, owner=self)

    def _on_failed(self, exc: BaseException) -> None:
        self._tell(message_for(exc) or "", error=True)

    def _tell(self, text: str, *, error: bool = False) -> None:
        self.status.setStyleSheet(ERROR_STYLE if error else "")
        self.status.setText(text)
