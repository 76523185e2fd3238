"""The people who sign in at the counter, as the services see them (no ORM, no PIN)."""

from __future__ import annotations

from dataclasses import dataclass

from pos_app.domain.lockout import PinFailures
from pos_app.domain.roles import Role

__all__ = ["Person", "PersonRecord", "StoredPin"]


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str  # as typed when added; also the actor named in the audit log
    role: Role
    active: bool  # False once turned off ("staff disable"): may no longer sign in


@dataclass(frozen=True, slots=True)
class StoredPin:
    """What is kept of a PIN: a memory-hard hash, its per-person salt and how it was made."""

    hash_hex: str
    salt_hex: str
    kdf: str  # e.g. "scrypt:n=16384,r=8,p=1"


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A person with what sign-in needs: the stored PIN and the wrong PINs so far."""

    person: Person
    pin: StoredPin
    failures: PinFailures
