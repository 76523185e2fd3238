"""Sandbox mode's demo people: there on a fresh sandbox counter with the PINs docs/staff.md
gives, and turned off (audited) as soon as the counter runs with a real key."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos_app.domain.clock import FakeClock
from pos_app.domain.errors import SignInRefused
from pos_app.domain.roles import Role
from pos_app.services.access import DEMO_PEOPLE, AccessService, prepare_demo_people
from pos_app.storage import Database

DOCS = Path(__file__).resolve().parents[3] / "docs" / "staff.md"


def test_a_fresh_sandbox_counter_has_one_demo_person_per_role(
    database: Database, access: AccessService, clock: FakeClock
) -> None:
    prepare_demo_people(database, clock, sandbox=True)
    prepare_demo_people(database, clock, sandbox=True)  # once only
    assert sorted(p.role for p in access.people()) == sorted(
        [Role.OWNER, Role.STAFF, Role.RECEPTIONIST]
    )
    for name, role, pin in DEMO_PEOPLE:
        assert access.sign_in(name, pin).role is role


def test_the_docs_give_the_demo_pins() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for name, role, pin in DEMO_PEOPLE:
        assert f"| `{name}` | {role.value} | `{pin}` |" in text


def test_demo_people_are_turned_off_outside_sandbox_mode(
    database: Database, access: AccessService, clock: FakeClock
) -> None:
    prepare_demo_people(database, clock, sandbox=True)
    prepare_demo_people(database, clock, sandbox=False)
    name, _, pin = DEMO_PEOPLE[0]
    with pytest.raises(SignInRefused, match="can no longer sign in"):
        access.sign_in(name, pin)
    with database.unit_of_work(read_only=True) as uow:
        retired = [e for e in uow.audit.entries() if e.action == "person_disabled"]
    assert len(retired) == len(DEMO_PEOPLE)
    assert {e.actor for e in retired} == {"system:sandbox"}
