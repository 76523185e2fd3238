"""The manager override, the idle lock and the first owner, in the access service itself: an
override is one approval of one permission by someone whose role has it, audited with both
names; a locked or idle counter refuses every protected action until someone signs in."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pos_app.domain.clock import FakeClock
from pos_app.domain.errors import PermissionDenied, SignInRefused, UserFacingError
from pos_app.domain.roles import Permission, Role
from pos_app.services.access import OVERRIDE_LIFETIME, AccessService, Audit
from pos_app.services.collect.takeover import TAKEOVER_ACTION, take_over_counter
from pos_app.storage import Database
from pos_app.storage.repositories.audit_breaks import first_break
from tests.integration.staff.conftest import FAST_KDF

IDLE = timedelta(minutes=5)


@pytest.fixture
def access(database: Database, clock: FakeClock) -> AccessService:
    access = AccessService(database, clock, kdf=FAST_KDF, idle_after=IDLE)
    access.add_person("Olivia", Role.OWNER, "8080", by="test")
    access.add_person("Rosa", Role.RECEPTIONIST, "1357", by="test")
    access.add_person("Joy", Role.STAFF, "2468", by="test")
    return access


def _take_over(database: Database, access: AccessService, clock: FakeClock) -> None:
    take_over_counter(
        database, access=access, gone_terminal="09", this_terminal="01", at=clock.now()
    )


def test_an_override_approves_one_action_and_the_audit_names_both_people(
    database: Database, access: AccessService, clock: FakeClock
) -> None:
    access.sign_in("Rosa", "1357")
    with pytest.raises(PermissionDenied):
        _take_over(database, access, clock)
    assert access.override(Permission.TAKE_OVER_COUNTER, "Joy", "2468").name == "Joy"
    _take_over(database, access, clock)  # approved once ...
    with pytest.raises(PermissionDenied):
        _take_over(database, access, clock)  # ... and only once
    with database.unit_of_work(read_only=True) as uow:
        entries = uow.audit.entries()
        assert first_break(uow.session) is None
    override = next(e for e in entries if e.action == Audit.OVERRIDE_APPROVED)
    taken = next(e for e in entries if e.action == TAKEOVER_ACTION)
    assert (override.actor, override.approver) == ("Rosa", "Joy")
    assert override.details["permission"] == "take_over_counter"
    assert (taken.actor, taken.approver) == ("Rosa", "Joy")


def test_an_override_needs_the_right_pin_a_role_that_may_and_lapses_unused(
    access: AccessService, clock: FakeClock
) -> None:
    access.sign_in("Rosa", "1357")
    with pytest.raises(SignInRefused, match="don't match"):
        access.override(Permission.TAKE_OVER_COUNTER, "Joy", "0000")
    with pytest.raises(PermissionDenied, match="Rosa can't take over"):
        access.override(Permission.TAKE_OVER_COUNTER, "Rosa", "1357")
    with pytest.raises(PermissionDenied, match="Joy can't add or turn off"):
        access.override(Permission.MANAGE_PEOPLE, "Joy", "2468")
    access.override(Permission.TAKE_OVER_COUNTER, "Olivia", "8080")
    clock.advance(OVERRIDE_LIFETIME)
    access.touch()
    with pytest.raises(PermissionDenied):
        access.require(Permission.TAKE_OVER_COUNTER)


def test_wrong_approver_pins_lock_the_approver_out_like_a_sign_in(
    access: AccessService, clock: FakeClock
) -> None:
    access.sign_in("Rosa", "1357")
    for _ in range(4):
        with pytest.raises(SignInRefused):
            access.override(Permission.REFUND, "Joy", "0000")
    with pytest.raises(SignInRefused, match="Joy can try again in 30 seconds"):
        access.override(Permission.REFUND, "Joy", "0000")
    with pytest.raises(SignInRefused, match="Too many wrong PINs"):
        access.override(Permission.REFUND, "Joy", "2468")
    clock.advance(timedelta(seconds=30))
    access.touch()
    assert access.override(Permission.REFUND, "Joy", "2468").name == "Joy"


def test_idle_time_locks_the_counter_and_a_sign_in_opens_it(
    access: AccessService, clock: FakeClock
) -> None:
    access.sign_in("Joy", "2468")
    clock.advance(IDLE - timedelta(seconds=1))
    access.touch()  # a key press: the idle time starts again
    clock.advance(IDLE - timedelta(seconds=1))
    assert access.require(Permission.REFUND).name == "Joy"
    assert not access.lock_if_idle()
    clock.advance(timedelta(seconds=1))
    with pytest.raises(PermissionDenied, match="Please sign in first"):
        access.require(Permission.REFUND)
    assert access.locked
    assert access.actor_name() == "Joy"  # still who was here: payments underneath are hers
    access.sign_in("Rosa", "1357")  # someone else takes the counter
    assert not access.locked
    assert access.require(Permission.COLLECT_PAYMENT).name == "Rosa"


def test_no_override_on_a_counter_left_idle(access: AccessService, clock: FakeClock) -> None:
    access.sign_in("Rosa", "1357")
    clock.advance(IDLE)
    with pytest.raises(PermissionDenied, match="Please sign in first"):
        access.override(Permission.REFUND, "Joy", "2468")
    assert access.locked


def test_locking_by_hand_refuses_and_drops_an_unused_override(access: AccessService) -> None:
    access.sign_in("Rosa", "1357")
    access.override(Permission.REFUND, "Joy", "2468")
    access.lock()
    with pytest.raises(PermissionDenied):
        access.require(Permission.COLLECT_PAYMENT)
    with pytest.raises(PermissionDenied):
        access.override(Permission.REFUND, "Joy", "2468")
    access.sign_in("Rosa", "1357")
    with pytest.raises(PermissionDenied):
        access.require(Permission.REFUND)


def test_the_first_start_makes_the_owner_once(database: Database, clock: FakeClock) -> None:
    access = AccessService(database, clock, kdf=FAST_KDF)
    assert access.needs_owner()
    owner = access.add_first_owner("Olivia Reyes", "8080")
    assert owner.role is Role.OWNER
    assert access.actor == owner
    assert not access.needs_owner()
    with pytest.raises(UserFacingError, match="already has an owner"):
        access.add_first_owner("Mallory", "1111")


def _lock_rows(database: Database) -> list[tuple[str, str, object]]:
    lock_actions = {Audit.COUNTER_LOCKED, Audit.IDLE_LOCKED, Audit.SIGNED_OUT}
    with database.unit_of_work(read_only=True) as uow:
        return [
            (e.action, e.actor, e.occurred_at)
            for e in uow.audit.entries()
            if e.action in lock_actions
        ]


def test_each_lock_is_audited_under_who_was_signed_in_once_recorded(
    database: Database, access: AccessService, clock: FakeClock
) -> None:
    access.sign_in("Rosa", "1357")
    rosa_locks = clock.advance(60)
    access.lock()
    access.lock()  # already locked: nothing more to say
    assert _lock_rows(database) == []  # noted only: locking never waits for the database
    assert access.record_locks() == 1
    access.sign_in("Joy", "2468")
    joy_leaves = clock.advance(30)
    access.lock(switching=True)
    access.sign_in("Olivia", "8080")
    used = clock.advance(10)
    access.touch()
    idle = clock.advance(IDLE)
    with pytest.raises(PermissionDenied):
        access.require(Permission.VIEW_REPORTS)  # a worker's check finds the counter idle
    assert access.lock_if_idle()
    assert access.record_locks() == 2
    assert access.record_locks() == 0
    assert _lock_rows(database) == [
        (Audit.COUNTER_LOCKED, "Rosa", rosa_locks),
        (Audit.SIGNED_OUT, "Joy", joy_leaves),
        (Audit.IDLE_LOCKED, "Olivia", idle),
    ]
    with database.unit_of_work(read_only=True) as uow:
        idle_row = uow.audit.entries()[-1]
    assert idle_row.details == {"idle_minutes": 5, "last_used": used.isoformat()}


def test_nobody_signed_in_locks_without_a_row(
    database: Database, access: AccessService, clock: FakeClock
) -> None:
    access.lock()
    clock.advance(IDLE)
    access.lock_if_idle()
    assert access.record_locks() == 0
    assert _lock_rows(database) == []


def test_a_lock_that_could_not_be_written_is_written_with_the_next(
    database: Database, access: AccessService, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    access.sign_in("Rosa", "1357")
    access.lock()

    def database_gone(**_: object) -> None:
        raise OSError("disk unplugged")

    with monkeypatch.context() as patched:
        patched.setattr(database, "unit_of_work", database_gone)
        with pytest.raises(OSError):
            access.record_locks()
    access.sign_in("Joy", "2468")
    access.lock(switching=True)
    assert access.record_locks() == 2
    assert [(action, who) for action, who, _ in _lock_rows(database)] == [
        (Audit.COUNTER_LOCKED, "Rosa"),
        (Audit.SIGNED_OUT, "Joy"),
    ]
