"""Who is signed in at this counter, and the one place sign-in and permission checks happen.

Use cases that need a role call ``access.require(permission)`` themselves, so hiding a button
is never the only guard. Every sign-in, wrong PIN and lockout is written to the audit log
under the person's own name, in the same transaction as the change to their wrong-PIN count.

The counter can also be locked (by hand, or by itself after ``idle_after`` without input: the
window calls ``touch`` on every key press or click). While locked, ``require`` refuses until
someone signs in again; ``actor`` still names who was last signed in, so a payment that settles
underneath (the monitor, a webhook) is booked under them. A manager override (``override``) lets
one more person's PIN approve one action the signed-in person's role may not do: the next
``require`` of that permission, within ``OVERRIDE_LIFETIME``; the audit names both people.
Locking (by hand, idle, or to switch person) is noted with who was signed in, and
``record_locks`` writes the notes to the audit (``lock_log``).

Threading contract: ``sign_in``, ``override``, ``add_person``, ``disable_person``, ``people``,
``needs_owner`` and ``record_locks`` block (scrypt, one database transaction): call them from a
worker or a command. ``actor``, ``require``, ``require_approved``, ``touch``, ``lock``,
``lock_if_idle`` and ``sign_out`` are quick and safe from any thread.
"""

from __future__ import annotations

import functools
import getpass
import math
import threading
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Final

from pos_app.domain.clock import Clock
from pos_app.domain.errors import NotFound, PermissionDenied, SignInRefused, UserFacingError
from pos_app.domain.lockout import LockoutPolicy
from pos_app.domain.people import Person, PersonRecord, StoredPin
from pos_app.domain.roles import Permission, Role, can
from pos_app.domain.roles import require as role_require
from pos_app.services.access import lock_log
from pos_app.services.access.approval import OVERRIDE_LIFETIME, Approval, Grant
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

__all__ = ["OVERRIDE_LIFETIME", "AccessService", "Approval", "Audit", "os_user_actor"]

FIRST_OWNER_ACTOR: Final = "system:first-start"


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
    OVERRIDE_APPROVED = "override_approved"
    COUNTER_LOCKED = lock_log.COUNTER_LOCKED
    IDLE_LOCKED = lock_log.IDLE_LOCKED
    SIGNED_OUT = lock_log.SIGNED_OUT


class AccessService:
    """Sign-in with lockout, the signed-in person, and ``require(permission)``."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        policy: LockoutPolicy | None = None,
        kdf: ScryptParameters = DEFAULT_KDF,
        idle_after: timedelta | None = None,
    ) -> None:
        """``idle_after``: lock by itself after that long without ``touch`` (None: never)."""
        self._database = database
        self._clock = clock
        self._policy = policy or LockoutPolicy()
        self._kdf = kdf
        self._lock = threading.Lock()
        self._actor: Person | None = None
        self._locked = False
        self._idle_after = idle_after
        self._last_touch = clock.now()
        self._grants: dict[Permission, Grant] = {}
        self._lock_log = lock_log.LockLog()

    # --- who is here ---------------------------------------------------------------------------

    @property
    def actor(self) -> Person | None:
        """The person signed in at this counter now, or None."""
        with self._lock:
            return self._actor

    def actor_name(self) -> str | None:
        """The signed-in person's name (the cashier on documents, the audit's actor)."""
        actor = self.actor
        return None if actor is None else actor.name

    @property
    def locked(self) -> bool:
        """Whether the lock screen is up: nobody may act until someone signs in."""
        with self._lock:
            return self._locked

    def require(self, permission: Permission) -> Person:
        """The signed-in person, if their role (or an override) allows ``permission``; else
        PermissionDenied."""
        return self.require_approved(permission).actor

    def require_approved(self, permission: Permission) -> Approval:
        """As ``require``, saying who approved it when an override was used (it is used up)."""
        return self._approval(permission, use_up=True)

    def check(self, permission: Permission) -> Person:
        """As ``require``, but an override is not used up: for looking around an action (a
        refund dialog finds the bill and reads what is refundable, before and after; the refund
        itself calls ``require_approved``, which uses the approval for that one action)."""
        return self._approval(permission, use_up=False).actor

    def _approval(self, permission: Permission, *, use_up: bool) -> Approval:
        self.lock_if_idle()
        now = self._clock.now()
        with self._lock:
            actor = None if self._locked else self._actor
            if actor is None:
                raise PermissionDenied(
                    f"Please sign in first: only some people may {permission.action}.",
                    detail=f"nobody signed in for {permission.value}",
                )
            if can(actor.role, permission):
                return Approval(actor)
            grant = self._grants.get(permission)
            usable = grant is not None and now < grant.until and not (use_up and grant.used)
            if usable and use_up:
                assert grant is not None
                self._grants[permission] = replace(grant, used=True)
        if usable:
            assert grant is not None
            return Approval(actor, grant.approver)
        role_require(actor.role, permission)
        raise AssertionError("unreachable: the role was refused above")  # pragma: no cover

    # --- idle lock -----------------------------------------------------------------------------

    def touch(self) -> None:
        """Someone used the counter (a key, a click): the idle time starts again."""
        now = self._clock.now()
        with self._lock:
            self._last_touch = now

    def lock(self, *, switching: bool = False) -> None:
        """Put the lock screen up: ``require`` refuses until the next sign-in. Unused
        overrides lapse. ``actor`` stays, as who was last here. Noted for the audit under
        them (``switching``: they signed out for someone else), unless it was locked already."""
        now = self._clock.now()
        with self._lock:
            if not self._locked and self._actor is not None:
                action = Audit.SIGNED_OUT if switching else Audit.COUNTER_LOCKED
                self._lock_log.note(lock_log.LockNote(now, self._actor, action))
            self._locked = True
            self._grants.clear()

    def lock_if_idle(self) -> bool:
        """Lock when nobody touched the counter for ``idle_after``; whether it is locked."""
        now = self._clock.now()
        with self._lock:
            idle = self._idle_after is not None and now - self._last_touch >= self._idle_after
            if idle and not self._locked and self._actor is not None:
                assert self._idle_after is not None  # idle needs it
                note = lock_log.idle_note(now, self._actor, self._idle_after, self._last_touch)
                self._lock_log.note(note)
                self._locked = True
                self._grants.clear()
            return self._locked

    def record_locks(self) -> int:
        """Write the locks noted since the last call to the audit; how many (blocks)."""
        return self._lock_log.write(self._database)

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
            self._locked = False
            self._last_touch = self._clock.now()
            self._grants.clear()
        return person

    def sign_out(self) -> None:
        with self._lock:
            self._actor = None
            self._locked = False
            self._grants.clear()

    def override(self, permission: Permission, name: str, pin: str) -> Person:
        """Another person approves one ``permission`` for the signed-in one with their PIN:
        the same lockout as signing in, and their role must allow it. Audited with both names;
        the next ``require_approved(permission)`` uses the approval up."""
        actor = self.actor
        if actor is None or self.lock_if_idle():
            raise PermissionDenied(
                f"Please sign in first: only some people may {permission.action}."
            )
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            people, audit = PeopleRepository(uow.session), uow.audit
            record = people.find(name, for_update=True)
            refusal = self._check(record, name=name, pin=pin, now=now, people=people, audit=audit)
            if refusal is None:
                assert record is not None  # _check refuses unknown names
                approver = record.person
                if record.failures.count:
                    people.save_failures(approver.id, self._policy.after_right_pin())
                if not can(approver.role, permission):
                    uow.commit()
                    raise PermissionDenied(
                        f"{approver.name} can't {permission.action} either. Please ask "
                        f"someone whose role allows it.",
                        detail=f"approver role {approver.role.value} lacks {permission.value}",
                    )
                audit.append(
                    at=now,
                    actor=actor.name,
                    action=Audit.OVERRIDE_APPROVED,
                    subject=_subject(approver),
                    approver=approver.name,
                    details={"permission": permission.value, "role": approver.role.value},
                )
            uow.commit()
        if refusal is not None:
            raise refusal
        with self._lock:
            self._grants[permission] = Grant(approver, now + OVERRIDE_LIFETIME)
        return approver

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

    def needs_owner(self) -> bool:
        """Whether nobody active is an owner yet: the first start asks for one."""
        with self._database.unit_of_work(read_only=True) as uow:
            return PeopleRepository(uow.session).count_active(Role.OWNER) == 0

    def add_first_owner(self, name: str, pin: str) -> Person:
        """The first start's owner, then signed in (refused once there is an active owner)."""
        if not self.needs_owner():
            raise UserFacingError("This counter already has an owner. Please sign in.")
        person = self.add_person(name, Role.OWNER, pin, by=FIRST_OWNER_ACTOR)
        return self.sign_in(person.name, pin)

    def add_person(self, name: str, role: Role, pin: str, *, by: str | None = None) -> Person:
        """Add someone who may sign in. While no owner is active, the one added must be an
        owner (someone has to be able to manage people). ``by`` is the audit's actor for set-up
        outside the window (``pos-app staff``, demo people, the first owner); without it the
        signed-in person must be allowed to manage people (``Permission.MANAGE_PEOPLE``)."""
        by = by or self.require(Permission.MANAGE_PEOPLE).name
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

    def disable_person(self, name: str, *, by: str | None = None) -> Person:
        """Turn someone off (they can no longer sign in); never the last active owner. ``by``
        as for ``add_person``: without it the signed-in person needs MANAGE_PEOPLE."""
        by = by or self.require(Permission.MANAGE_PEOPLE).name
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
