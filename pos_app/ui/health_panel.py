"""The health panel (Ctrl+H): is everything the counter depends on working, in one look.

Threading contract: GUI thread only; the figures are read on the database worker.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QWidget

from pos_app.services.clinic_sync.health import Health


class HealthPanel(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Counter health")
        self.setMinimumWidth(560)  # as tall as its rows: no empty space under them
        self.rows: dict[str, QLabel] = {}
        layout = QFormLayout(self)
        for name in (
            "PayMongo",
            "Clinic server",
            "Last pull",
            "Changes waiting",
            "Need a look",
            "Open payments",
            "Webhook receiver",
        ):
            label = QLabel("…")
            label.setWordWrap(True)
            self.rows[name] = label
            layout.addRow(f"{name}:", label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)  # Close, and Esc
        layout.addRow(self.buttons)

    def show_problem(self, text: str) -> None:
        self.rows["PayMongo"].setText(text)

    def show_health(self, health: Health) -> None:
        self.rows["PayMongo"].setText(health.paymongo)
        clinic = health.clinic
        if clinic is None:
            for name in ("Clinic server", "Last pull", "Changes waiting", "Need a look"):
                self.rows[name].setText("No clinic server set up (walk-in bills only)")
        else:
            reach = clinic.offline_text() or f"reachable at {clinic.server_url}"
            self.rows["Clinic server"].setText(reach)
            last_pull = clinic.last_pull_at
            pulled = "never" if last_pull is None else clinic.clock_time(last_pull)
            first = "" if clinic.first_sync_done else " (first load not finished)"
            self.rows["Last pull"].setText(
                f"{pulled}{first} — {clinic.bills_from_clinic:,} bills from the clinic"
            )
            oldest = ""
            if clinic.oldest_waiting_at is not None:
                at = clinic.oldest_waiting_at
                oldest = f", oldest from {clinic.clock_time(at)} ({_age(at)})"
            self.rows["Changes waiting"].setText(f"{clinic.waiting}{oldest}")
            self.rows["Need a look"].setText(
                f"{clinic.cases} changed on the server (409), {clinic.could_not_send} could not "
                f"be sent, {clinic.held} clinic changes waiting to be accepted"
            )
        past = f", {health.past_expiry} past expiry" if health.past_expiry else ""
        self.rows["Open payments"].setText(f"{health.open_payments}{past}")
        self.rows["Webhook receiver"].setText(health.webhook)
        self.adjustSize()  # the rows' new words may wrap: as tall as they now need


def _age(moment: datetime) -> str:
    minutes = int((datetime.now(UTC) - moment).total_seconds() // 60)
    return "just now" if minutes < 1 else f"{minutes} min ago"
