"""The counter's log file: what helps support, with no third-party chatter.

Threading contract: ``configure_logging`` runs once at start-up (on the database worker, before the
services exist); the filter is stateless and called by logging from any thread.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pos_app.config import Settings

# Loggers whose DEBUG and INFO records help support: Kaha's own, the embedded sandbox's, and the
# schema migrations. Every other library's chatter (fontTools logs each font subset it makes:
# 150 of 381 lines after twenty minutes at a counter) reaches the log file only as a warning.
SUPPORT_LOGGERS = ("pos_app", "pos_sandbox", "alembic.runtime.migration")
QUIET_LIBRARIES = ("fontTools", "fpdf", "PIL")


class SupportFilter(logging.Filter):
    """Lets a record into the log file if it is a warning or worse, or comes from Kaha's own
    loggers (``SUPPORT_LOGGERS``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        name = record.name
        return any(name == root or name.startswith(root + ".") for root in SUPPORT_LOGGERS)


def configure_logging(settings: Settings, *, verbose: bool = False) -> Path:
    """A rotating log file in the data folder (and the console with --verbose); returns its path.

    The file keeps what helps support: Kaha's own records at the configured level and any
    library's warnings and errors, not third-party DEBUG/INFO chatter (``SupportFilter``)."""
    import logging.handlers  # socket, pickle, queue...: loaded when the log is opened

    settings.log_dir.mkdir(parents=True, exist_ok=True)
    log_path = settings.log_dir / "kaha.log"
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else settings.log_level.upper())
    for name in QUIET_LIBRARIES:  # not even made: fontTools' subsetting logs cost time too
        logging.getLogger(name).setLevel(logging.WARNING)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
    file_handler = logging.handlers.RotatingFileHandler(
        log_path, maxBytes=5_000_000, backupCount=5, encoding="utf-8"
    )
    file_handler.setFormatter(formatter)
    file_handler.addFilter(SupportFilter())
    root.addHandler(file_handler)
    if verbose:
        console = logging.StreamHandler()
        console.setFormatter(formatter)
        root.addHandler(console)
    return log_path
