"""The band across the top of the counter's window that says whether real money moves.

Threading contract: GUI thread only. Drawn in the first paint (see ``main_window``).
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from pos_app.config import Mode

BANNERS = {
    Mode.SANDBOX: (
        "SANDBOX — practice mode: payments are simulated, no real money moves",
        "#f59e0b",
        "#1f2937",
    ),
    Mode.TEST: ("TEST MODE — PayMongo test keys: no real money moves", "#2563eb", "#ffffff"),
    Mode.LIVE: ("LIVE — real payments", "#15803d", "#ffffff"),
}


# Until the keys are read (a used counter draws its window first, then reads the keyring):
# no payment can start before then, and the band says so instead of guessing a mode.
STARTING_BANNER = ("Starting — checking the PayMongo keys…", "#e5e7eb", "#1f2937")

# Qt.AlignmentFlag.AlignCenter, set by the style sheet: this window is drawn before anything
# names PySide's ``Qt`` namespace, whose 94 Python enums cost ~40 ms to build (see bill_queue).
CENTRED = "qproperty-alignment: AlignCenter;"


class ModeBanner(QLabel):
    """A band across the top that says, loudly, whether real money moves."""

    def __init__(self, mode: Mode | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode: Mode | None = None
        self.setObjectName("modeBanner")
        self.show_mode(mode)

    def show_mode(self, mode: Mode | None) -> None:
        text, background, foreground = STARTING_BANNER if mode is None else BANNERS[mode]
        self.mode = mode
        self.setText(text)
        self.setStyleSheet(
            f"QLabel#modeBanner {{ background: {background}; color: {foreground};"
            f" font-weight: bold; font-size: 15px; padding: 6px; {CENTRED} }}"
        )
