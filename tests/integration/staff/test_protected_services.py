"""The service refuses by itself: taking over a gone counter's payments needs staff, a manager
or the owner signed in, whatever the caller (window or command) showed or hid."""

from __future__ import annotations

import pytest

from pos_app.domain.clock import FakeClock
from pos_app.domain.errors import PermissionDenied
from pos_app.domain.roles import Role
from pos_app.services.access import AccessService
from pos_app.services.collect.takeover import TAKEOVER_ACTION, take_over_counter
from pos_app.storage import Database


@pytest.fixture(autouse=True)
def _people(access: AccessService) -> None:
    access.add_person("Olivia", Role.OWNER, "8080", by="test")
    access.add_person("Rosa", Role.RECEPTIONIST, "1357", by="test")
    access.add_person("Joy", Role.STAFF, "2468", by="test")


def _take_over(database: Database, access: AccessService, clock: FakeClock) -> None:
    take_over_counter(
        database, access=access, gone_terminal="01", this_terminal="02", at=clock.now()
    )


def _takeovers(database: Database) -> list[str]:
    with database.unit_of_work(read_only=True) as uow:
        return [e.actor for e in uow.audit.entries() if e.action == TAKEOVER_ACTION]


def test_nobody_signed_in_and_a_receptionist_are_refused(
    database: Database, access: AccessService, clock: FakeClock
) -> None:
    with pytest.raises(PermissionDenied, match="Please sign in first"):
        _take_over(database, access, clock)
    access.sign_in("Rosa", "1357")
    with pytest.raises(PermissionDenied, match="Please ask a staff, manager or owner"):
        _take_over(database, access, clock)
    assert _takeovers(database) == []


@pytest.mark.parametrize(("name", "pin"), [("Joy", "2468"), ("Olivia", "8080")])
def test_staff_and_the_owner_may_and_the_audit_names_them(
    database: Database, access: AccessService, clock: FakeClock, name: str, pin: str
) -> None:
    access.sign_in(name, pin)
    _take_over(database, access, clock)
    assert _takeovers(database) == [name]
