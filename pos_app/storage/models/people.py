"""The people who sign in at the counter: their role and their PIN's hash (never the PIN)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pos_app.storage.models.base import Base
from pos_app.storage.types import UtcDateTime


class PersonRow(Base):
    """One person; ``name_key`` (the name case-folded) keeps "Ana" and "ana" from being two."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    name_key: Mapped[str] = mapped_column(String(60), unique=True)
    role: Mapped[str] = mapped_column(String(20))  # a domain.roles.Role value
    # scrypt output and its per-person salt, hex; pin_kdf names the parameters used
    # ("scrypt:n=16384,r=8,p=1") so they can be raised later without breaking old PINs
    pin_hash: Mapped[str] = mapped_column(String(128))
    pin_salt: Mapped[str] = mapped_column(String(64))
    pin_kdf: Mapped[str] = mapped_column(String(60))
    failed_pins: Mapped[int] = mapped_column(Integer)  # wrong PINs since the last right one
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
