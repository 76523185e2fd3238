"""The settings window's "Email receipts" tab: on or off, the clinic's mail server (host, port,
security, user, From address), its password into the keyring, and "Send test email" (a short
mail to the From address through the server as typed, by the same code as email receipts).

Threading contract: GUI thread only; the test goes through the window's task runner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QSpinBox

from pos_app.config import SmtpSecurity
from pos_app.services.settings_service import SettingsSnapshot
from pos_app.ui.settings_sections import Section

if TYPE_CHECKING:
    from pos_app.ui.settings_window import SettingsWindow

SECURITY_LABELS = {
    SmtpSecurity.STARTTLS: "STARTTLS (usually port 587)",
    SmtpSecurity.SSL: "SSL/TLS from the start (usually port 465)",
    SmtpSecurity.NONE: "None (only a mail server inside the clinic)",
}


class EmailSection(Section):
    title = "Email receipts"

    def __init__(self, window: SettingsWindow) -> None:
        super().__init__(window)
        self.enabled = QCheckBox("Offer to email the invoice PDF to the patient")
        self.host = QLineEdit()
        self.host.setPlaceholderText("smtp.clinic.example")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.security = QComboBox()
        for security, label in SECURITY_LABELS.items():
            self.security.addItem(label, security.value)
        self.user = QLineEdit()
        self.from_address = QLineEdit()
        self.from_address.setPlaceholderText("Clinic <billing@clinic.example>")
        self.form.addRow("Email receipts", self.enabled)
        self.form.addRow("Mail server", self.host)
        self.form.addRow("Port", self.port)
        self.form.addRow("Security", self.security)
        self.form.addRow("User name", self.user)
        self.form.addRow("From address", self.from_address)
        self.password = self.key_row("smtp_password")
        self.password.entry.setPlaceholderText("type a new one to replace it")
        self.test = self.button("Send test email", self._test)
        self.result = self.result_line()

    def fill(self, snapshot: SettingsSnapshot) -> None:
        values = snapshot.values
        self.enabled.setChecked(values["email_receipts_enabled"] == "True")
        self.host.setText(values["smtp_host"])
        self.port.setValue(int(values["smtp_port"]))
        self.security.setCurrentIndex(self.security.findData(values["smtp_security"]))
        self.user.setText(values["smtp_user"])
        self.from_address.setText(values["smtp_from"])

    def changes(self) -> dict[str, str]:
        return {
            "email_receipts_enabled": "true" if self.enabled.isChecked() else "false",
            "smtp_host": self.host.text(),
            "smtp_port": str(self.port.value()),
            "smtp_security": str(self.security.currentData()),
            "smtp_user": self.user.text(),
            "smtp_from": self.from_address.text(),
        }

    def _test(self) -> None:
        typed, password = self.changes(), self.password.entry.text()
        self.window_.check(lambda: self.window_.service.test_email(typed, password), self.result)
