"""Who is signed in at this counter, and the one place sign-in and permission checks happen.

Use cases that need a role call ``access.require(permission)`` themselves, so hiding a button
is never the only guard. Every sign-in, wrong PIN and lockout is written to the audit log
under the person's own name, in the same transaction as the change to their wrong-PIN count.

Threading contract: ``sign_in``, ``add_person``, ``disable_person`` and ``people`` block (scrypt
and one database transaction): call them from a worker or a command. ``actor``, ``require`` and
``sign_out`` are quick and safe from any thread.
"""

from __future__ import annotations

import functools
import getpass
import math
import threading
from datetime import datetime, timedelta

from pos_app.domain.clock import Clock
from pos_app.domain.errors import NotFound, PermissionDenied, SignInRefused, UserFacingError
from pos_app.domain.lockout import LockoutPolicy
from pos_app.domain.people import Person, PersonRecord, StoredPin
from pos_app.domain.roles import Permission, Role
from pos_app.domain.roles import require as role_require
from pos_app.services.access.pins import (
    DEFAULT_KDF,
    ScryptParameters,
    check_pin_format,
    hash_pin,
    pin_matches,
)
from pos_app.storage import Database
from pos_app.storage.repositories.audit import AuditRepository
from pos_app.storage.repositories.people import PeopleRepository

__all__ = ["AccessService", "Audit", "os_user_actor"]


def os_user_actor() -> str:
    """The audit's actor for set-up done outside the window: the operating system's user."""
    try:
        return f"os-user:{getpass.getuser()}"
    except (KeyError, OSError):
        return "os-user:unknown"


class Audit:
    """The audit actions this module writes (one word each, for ``pos-app audit`` and tests)."""

    SIGNED_IN = "signed_in"
    SIGN_IN_FAILED = "sign_in_failed"
    LOCKED_OUT = "locked_out"
    PERSON_ADDED = "person_added"
    PERSON_DISABLED = "person_disabled"


class AccessService:
    """Sign-in with lockout, the signed-in person, and ``require(permission)``."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        policy: LockoutPolicy | None = None,
        kdf: ScryptParameters = DEFAULT_KDF,
    ) -> None:
        self._database = database
        self._clock = clock
        self._policy = policy or LockoutPolicy()
        self._kdf = kdf
        self._lock = threading.Lock()
        self._actor: Person | None = None

    # --- who is here ---------------------------------------------------------------------------

    @property
    def actor(self) -> Person | None:
        """The person signed in at this counter now, or None."""
        with self._lock:
            return self._actor

    def require(self, permission: Permission) -> Person:
        """The signed-in person, if their role may do ``permission``; else PermissionDenied."""
        actor = self.actor
        if actor is None:
            raise PermissionDenied(
                f"Please sign in first: only some people may {permission.action}.",
                detail=f"nobody signed in for {permission.value}",
            )
        role_require(actor.role, permission)
        return actor

    def sign_in(self, name: str, pin: str) -> Person:
        """Let ``name`` in if ``pin`` is theirs and they are not kept out; audited either way."""
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            people, audit = PeopleRepository(uow.session), uow.audit
            record = people.find(name, for_update=True)
            refusal = self._check(record, name=name, pin=pin, now=now, people=people, audit=audit)
            if refusal is not None:
                uow.commit()
                raise refusal
            assert record is not None  # _check refuses unknown names
            person = record.person
            if record.failures.count:
                people.save_failures(person.id, self._policy.after_right_pin())
            audit.append(
                at=now, actor=person.name, action=Audit.SIGNED_IN, subject=_subject(person)
            )
            uow.commit()
        with self._lock:
            self._actor = person
        return person

    def sign_out(self) -> None:
        with self._lock:
            self._actor = None

    def _check(
        self,
        record: PersonRecord | None,
        *,
        name: str,
        pin: str,
        now: datetime,
        people: PeopleRepository,
        audit: AuditRepository,
    ) -> SignInRefused | None:
        """The refusal to raise after committing (None: the PIN is right)."""
        if record is None:
            # the same work as a real try, so the time taken does not tell which names exist
            pin_matches(pin, _decoy_pin(self._kdf))
            audit.append(
                at=now,
                actor=f"unknown:{name.strip()[:60]}",
                action=Audit.SIGN_IN_FAILED,
                subject="person:unknown",
                details={"reason": "unknown name"},
            )
            return SignInRefused()
        person = record.person
        if not person.active:
            _refused(audit, now, person, "turned off")
            return SignInRefused(
                f"{person.name} can no longer sign in here. Please ask the clinic owner."
            )
        if record.failures.is_locked(now):
            _refused(audit, now, person, "locked out")
            return _locked_message(person, record.failures.wait_left(now))
        if pin_matches(pin, record.pin):
            return None
        failures = self._policy.after_wrong_pin(record.failures, now)
        people.save_failures(person.id, failures)
        _refused(audit, now, person, "wrong PIN", wrong_pins=failures.count)
        if failures.locked_until is None:
            return SignInRefused()
        audit.append(
            at=now,
            actor=person.name,
            action=Audit.LOCKED_OUT,
            subject=_subject(person),
            details={"until": failures.locked_until.isoformat(), "wrong_pins": failures.count},
        )
        return _locked_message(person, failures.wait_left(now))

    # --- the people ----------------------------------------------------------------------------

    def people(self) -> list[Person]:
        with self._database.unit_of_work(read_only=True) as uow:
            return PeopleRepository(uow.session).everyone()

    def add_person(self, name: str, role: Role, pin: str, *, by: str) -> Person:
        """Add someone who may sign in. While no owner is active, the one added must be an
        owner (someone has to be able to manage people). ``by`` is the audit's actor."""
        clean = " ".join(name.split())
        if not 1 <= len(clean) <= 60:
            raise UserFacingError("Please give a name of 1 to 60 characters.")
        check_pin_format(pin)
        stored = hash_pin(pin, self._kdf)
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            people = PeopleRepository(uow.session)
            if people.find(clean) is not None:
                raise UserFacingError(f"There is already someone called {clean}.")
            if role is not Role.OWNER and people.count_active(Role.OWNER) == 0:
                raise UserFacingError(
                    "Nobody can manage people yet: please add the clinic owner first "
                    "(with the role owner)."
                )
            person = people.add(name=clean, role=role, pin=stored, at=now)
            uow.audit.append(
                at=now,
                actor=by,
                action=Audit.PERSON_ADDED,
                subject=_subject(person),
                details={"name": person.name, "role": role.value},
            )
            uow.commit()
        return person

    def disable_person(self, name: str, *, by: str) -> Person:
        """Turn someone off (they can no longer sign in); never the last active owner."""
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            people = PeopleRepository(uow.session)
            record = people.find(name, for_update=True)
            if record is None:
                raise NotFound(f"There is nobody called {name.strip()}.")
            person = record.person
            if not person.active:
                return person
            if person.role is Role.OWNER and people.count_active(Role.OWNER) <= 1:
                raise UserFacingError(
                    f"{person.name} is the only owner. Add another owner before turning "
                    f"{person.name} off."
                )
            people.disable(person.id, now)
            uow.audit.append(
                at=now, actor=by, action=Audit.PERSON_DISABLED, subject=_subject(person)
            )
            uow.commit()
        if self.actor is not None and self.actor.id == person.id:
            self.sign_out()
        return Person(id=person.id, name=person.name, role=person.role, active=False)


def _subject(person: Person) -> str:
    return f"person:{person.id}"


def _refused(
    audit: AuditRepository, now: datetime, person: Person, reason: str, **extra: int
) -> None:
    audit.append(
        at=now,
        actor=person.name,
        action=Audit.SIGN_IN_FAILED,
        subject=_subject(person),
        details={"reason": reason, **extra},
    )


def _locked_message(person: Person, wait: timedelta) -> SignInRefused:
    seconds = max(1, math.ceil(wait.total_seconds()))
    when = f"{seconds} seconds" if seconds < 120 else f"{math.ceil(seconds / 60)} minutes"
    return SignInRefused(
        f"Too many wrong PINs. {person.name} can try again in {when}.",
        detail=f"locked until {wait} from now",
    )


@functools.cache
def _decoy_pin(kdf: ScryptParameters) -> StoredPin:
    """A hash no PIN is tried against for real: unknown names cost as much as known ones."""
    return hash_pin("0000", kdf, salt=bytes(16))
