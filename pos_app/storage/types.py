"""Column types shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Dialect, String
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as UTC, read back aware in UTC on every database.

    SQLite has no time zone type, so the value is written as naive UTC text; PostgreSQL
    gets a ``timestamptz``. A naive datetime is a bug in the caller (the clock is always
    aware) and is refused rather than guessed at.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: the clock must give aware times")
        in_utc = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return in_utc.replace(tzinfo=None)
        return in_utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def search_token_type(length: int) -> String:
    """A string compared byte by byte on every database, so prefix ranges use the index.

    On PostgreSQL the "C" collation makes ``token >= 'sant' AND token < 'sanu'`` mean
    exactly "starts with sant"; SQLite's default BINARY collation already does.
    """
    return String(length).with_variant(String(length, collation="C"), "postgresql")
