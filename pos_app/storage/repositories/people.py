"""The people who sign in: added, found by name, their wrong PINs kept, turned off."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pos_app.domain.lockout import PinFailures
from pos_app.domain.people import Person, PersonRecord, StoredPin
from pos_app.domain.roles import Role
from pos_app.storage.models import PersonRow


def name_key(name: str) -> str:
    """The form a name is looked up by: spaces trimmed, case ignored."""
    return " ".join(name.split()).casefold()


class PeopleRepository:
    """Runs on the caller's session; never commits."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, *, name: str, role: Role, pin: StoredPin, at: datetime) -> Person:
        row = PersonRow(
            name=" ".join(name.split()),
            name_key=name_key(name),
            role=role.value,
            pin_hash=pin.hash_hex,
            pin_salt=pin.salt_hex,
            pin_kdf=pin.kdf,
            failed_pins=0,
            locked_until=None,
            created_at=at,
            disabled_at=None,
        )
        self._session.add(row)
        self._session.flush()
        return _person(row)

    def find(self, name: str, *, for_update: bool = False) -> PersonRecord | None:
        query = select(PersonRow).where(PersonRow.name_key == name_key(name))
        if for_update:
            query = query.with_for_update()
        row = self._session.scalars(query).first()
        if row is None:
            return None
        return PersonRecord(
            person=_person(row),
            pin=StoredPin(hash_hex=row.pin_hash, salt_hex=row.pin_salt, kdf=row.pin_kdf),
            failures=PinFailures(count=row.failed_pins, locked_until=row.locked_until),
        )

    def everyone(self) -> list[Person]:
        rows = self._session.scalars(select(PersonRow).order_by(PersonRow.name_key))
        return [_person(row) for row in rows]

    def count_active(self, role: Role | None = None) -> int:
        query = select(func.count()).select_from(PersonRow).where(PersonRow.disabled_at.is_(None))
        if role is not None:
            query = query.where(PersonRow.role == role.value)
        return int(self._session.scalar(query) or 0)

    def save_failures(self, person_id: int, failures: PinFailures) -> None:
        self._session.execute(
            update(PersonRow)
            .where(PersonRow.id == person_id)
            .values(failed_pins=failures.count, locked_until=failures.locked_until)
        )

    def disable(self, person_id: int, at: datetime) -> None:
        self._session.execute(
            update(PersonRow).where(PersonRow.id == person_id).values(disabled_at=at)
        )


def _person(row: PersonRow) -> Person:
    return Person(id=row.id, name=row.name, role=Role(row.role), active=row.disabled_at is None)
