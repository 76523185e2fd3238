"""Sandbox mode's demo people, with PINs published in docs/staff.md, and never beyond sandbox.

A fresh counter in sandbox mode (no PayMongo key) gets one person per role so the app can be
tried at once. Their PINs are public, so they are hashed cheaply, and the moment the counter
runs with a real key (test or live) they are turned off, audited: a published owner PIN must
never open a clinic's real counter.

Threading contract: blocking (hashing and one transaction); call it at start-up, off the GUI.
"""

from __future__ import annotations

from typing import Final

from pos_app.domain.clock import Clock
from pos_app.domain.roles import Role
from pos_app.services.access.pins import ScryptParameters
from pos_app.services.access.service import AccessService, Audit
from pos_app.storage import Database
from pos_app.storage.repositories.people import PeopleRepository

__all__ = ["DEMO_PEOPLE", "prepare_demo_people"]

DEMO_ACTOR: Final = "system:sandbox"
# name, role, PIN: for the sandbox only (docs/staff.md lists them)
DEMO_PEOPLE: Final[tuple[tuple[str, Role, str], ...]] = (
    ("demo-owner", Role.OWNER, "9001"),
    ("demo-staff", Role.STAFF, "9002"),
    ("demo-receptionist", Role.RECEPTIONIST, "9003"),
)
# The PINs above are published: a costly hash would protect nothing and slow every first start.
_DEMO_KDF: Final = ScryptParameters(n=2**4, r=8, p=1)


def prepare_demo_people(database: Database, clock: Clock, *, sandbox: bool) -> None:
    """Sandbox: add the demo people to a counter that has nobody yet. Otherwise: turn off any
    demo person still active."""
    if sandbox:
        with database.unit_of_work(read_only=True) as uow:
            if PeopleRepository(uow.session).everyone():
                return
        access = AccessService(database, clock, kdf=_DEMO_KDF)
        for name, role, pin in DEMO_PEOPLE:
            access.add_person(name, role, pin, by=DEMO_ACTOR)
        return
    demo_names = {name for name, _, _ in DEMO_PEOPLE}
    with database.unit_of_work(read_only=True) as uow:
        everyone = PeopleRepository(uow.session).everyone()
    still_on = [p for p in everyone if p.active and p.name in demo_names]
    if not still_on:
        return
    with database.unit_of_work() as uow:
        people = PeopleRepository(uow.session)
        for person in still_on:
            people.disable(person.id, clock.now())
            uow.audit.append(
                at=clock.now(),
                actor=DEMO_ACTOR,
                action=Audit.PERSON_DISABLED,
                subject=f"person:{person.id}",
                details={"reason": "demo person outside sandbox mode"},
            )
        uow.commit()
