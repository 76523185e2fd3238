"""The one place the UI turns an exception into what the receptionist sees.

Cancelled stays silent; a user-facing error shows its own message; anything else is logged with its
traceback and shown as a short apology that says what to do next.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QWidget

from pos_app.domain.errors import Cancelled, UserFacingError

log = logging.getLogger(__name__)

APOLOGY = (
    "Sorry, something went wrong on our side. Nothing you already recorded is lost. "
    "Please try again; if it keeps happening, tell the clinic's manager."
)


def message_for(exc: BaseException) -> str | None:
    """What to show for ``exc``; None means show nothing."""
    if isinstance(exc, Cancelled):
        return None
    if isinstance(exc, UserFacingError):
        return exc.user_message
    log.error("unexpected error", exc_info=exc)
    return APOLOGY


def show_error(parent: QWidget | None, exc: BaseException, *, title: str = "Kaha") -> None:
    text = message_for(exc)
    if text is not None:
        from PySide6.QtWidgets import QMessageBox  # only when there is something to say

        QMessageBox.warning(parent, title, text)
