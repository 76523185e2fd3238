"""Sign-in at the counter: the audit names the person for every sign-in, wrong PIN and lockout;
lockout holds on the clock; the service, not the window, refuses what a role may not do."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pos_app.domain.clock import FakeClock
from pos_app.domain.errors import NotFound, PermissionDenied, SignInRefused, UserFacingError
from pos_app.domain.roles import Permission, Role
from pos_app.services.access import AccessService, Audit
from pos_app.storage import Database
from pos_app.storage.repositories.audit_breaks import first_break


def _audit(database: Database) -> list[tuple[str, str, str]]:
    with database.unit_of_work(read_only=True) as uow:
        return [(e.actor, e.action, e.subject) for e in uow.audit.entries()]


@pytest.fixture
def olivia(access: AccessService) -> None:
    access.add_person("Olivia", Role.OWNER, "8080", by="os-user:test")
    access.add_person("Rosa", Role.RECEPTIONIST, "1357", by="os-user:test")
    access.add_person("Joy", Role.STAFF, "2468", by="os-user:test")


@pytest.mark.usefixtures("olivia")
def test_sign_in_wrong_pins_and_lockout_are_audited_under_the_persons_name(
    access: AccessService, database: Database, clock: FakeClock
) -> None:
    access.sign_in("Rosa", "1357")
    for _ in range(4):
        with pytest.raises(SignInRefused):
            access.sign_in("Joy", "0000")
    with pytest.raises(SignInRefused) as locked:
        access.sign_in("Joy", "0000")  # the fifth wrong PIN locks Joy out for 30 s
    assert locked.value.user_message == "Too many wrong PINs. Joy can try again in 30 seconds."
    with pytest.raises(SignInRefused):
        access.sign_in("Joy", "2468")  # even the right PIN waits out the lock
    clock.advance(timedelta(seconds=30))
    assert access.sign_in("Joy", "2468").role is Role.STAFF
    with pytest.raises(SignInRefused):
        access.sign_in("Nobody", "1111")

    entries = _audit(database)[3:]  # after the three people added
    joy = [a for a in entries if a[0] == "Joy"]
    assert entries[0] == ("Rosa", Audit.SIGNED_IN, "person:2")
    assert [action for _, action, _ in joy] == [
        *[Audit.SIGN_IN_FAILED] * 5,
        Audit.LOCKED_OUT,
        Audit.SIGN_IN_FAILED,  # tried while locked
        Audit.SIGNED_IN,
    ]
    assert entries[-1] == ("unknown:Nobody", Audit.SIGN_IN_FAILED, "person:unknown")
    with database.unit_of_work(read_only=True) as uow:
        assert first_break(uow.session) is None


@pytest.mark.usefixtures("olivia")
def test_a_right_pin_starts_the_count_again(access: AccessService) -> None:
    for _ in range(4):
        with pytest.raises(SignInRefused):
            access.sign_in("Joy", "0000")
    access.sign_in("Joy", "2468")
    for _ in range(4):  # four more free tries, not a lock
        with pytest.raises(SignInRefused, match="don't match"):
            access.sign_in("Joy", "0000")


@pytest.mark.usefixtures("olivia")
def test_require_refuses_in_the_receptionists_words(access: AccessService) -> None:
    with pytest.raises(PermissionDenied, match="Please sign in first"):
        access.require(Permission.TAKE_OVER_COUNTER)
    access.sign_in("Rosa", "1357")
    with pytest.raises(PermissionDenied) as caught:
        access.require(Permission.TAKE_OVER_COUNTER)
    assert caught.value.user_message == (
        "Your account can't take over another counter's payments. "
        "Please ask a staff, manager or owner to do it or to sign in."
    )
    access.sign_in("Joy", "2468")
    assert access.require(Permission.TAKE_OVER_COUNTER).name == "Joy"
    with pytest.raises(PermissionDenied):
        access.require(Permission.MANAGE_PEOPLE)
    access.sign_out()
    assert access.actor is None


def test_the_first_person_must_be_the_owner(access: AccessService) -> None:
    with pytest.raises(UserFacingError, match="add the clinic owner first"):
        access.add_person("Rosa", Role.RECEPTIONIST, "1357", by="test")
    access.add_person("Olivia", Role.OWNER, "8080", by="test")
    access.add_person("Rosa", Role.RECEPTIONIST, "1357", by="test")
    with pytest.raises(UserFacingError, match="already someone called ROSA"):
        access.add_person("ROSA", Role.STAFF, "1357", by="test")


@pytest.mark.usefixtures("olivia")
def test_a_turned_off_person_cannot_sign_in_and_the_last_owner_stays(
    access: AccessService, database: Database
) -> None:
    access.sign_in("Joy", "2468")
    assert not access.disable_person("joy", by="os-user:test").active
    assert access.actor is None  # turning someone off signs them out here
    with pytest.raises(SignInRefused, match="can no longer sign in"):
        access.sign_in("Joy", "2468")
    with pytest.raises(UserFacingError, match="only owner"):
        access.disable_person("Olivia", by="os-user:test")
    with pytest.raises(NotFound):
        access.disable_person("Nobody", by="os-user:test")
    assert ("os-user:test", Audit.PERSON_DISABLED, "person:3") in _audit(database)
