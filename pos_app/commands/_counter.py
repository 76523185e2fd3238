"""What the reconciliation and payout commands share: the counter's database and PayMongo,
opened without the window, and closed again in the right order."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from pos_app.config import Settings, load_secrets, load_settings
from pos_app.paymongo import PayMongoClient
from pos_app.storage import Database


@dataclass(frozen=True)
class Counter:
    settings: Settings
    database: Database
    paymongo: PayMongoClient


@contextmanager
def open_counter() -> Iterator[Counter]:
    """Settings, secrets, database (checked and migrated) and a PayMongo client."""
    from pos_app.app import open_counter_database, paymongo_without_window

    settings = load_settings()
    secrets = load_secrets()
    database = open_counter_database(settings)
    closers: list[Callable[[], None]] = []
    try:
        client = paymongo_without_window(settings, secrets, closers)
        yield Counter(settings, database, client)
    finally:
        for close in closers:
            close()
        database.dispose()
