"""What most commands share: a day typed on the command line, and the counter's books (its
settings and database: the practice books in sandbox mode) opened with a plain-words refusal.

Imported when ``pos-app --help`` lists the commands, so at the window's start too: nothing heavy
(SQLAlchemy) at module level."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TYPE_CHECKING

from pos_app.config import Settings, load_settings
from pos_app.domain.errors import PosError

if TYPE_CHECKING:
    from pos_app.storage import Database


def day(text: str) -> date:
    """``--date``'s type: YYYY-MM-DD, refused in words otherwise."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-12-07") from None


def open_books() -> tuple[Settings, Database] | None:
    """The settings and the counter's database (checked and migrated), or None once why not is
    printed on standard error (the caller returns its own exit code)."""
    from pos_app.app import open_counter_database

    try:
        settings = load_settings()
        return settings, open_counter_database(settings)
    except PosError as exc:
        print(exc.user_message, file=sys.stderr)
        return None
