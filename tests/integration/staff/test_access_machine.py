"""Acceptance (issue 14): a Hypothesis state machine over sign-in (right and wrong PINs), idle time
on a fake clock, touching the counter, locking, switching person, manager overrides and every
protected action the counter has. Invariants: no protected action ever succeeds without a
signed-in, unlocked person whose role, or whose approver's role, allows it; a lockout holds
for its whole time, even against the right PIN.

The protected actions are a table (``PROTECTED``): a permission and the real service call it
guards. Add a row for each new one (refunds, settings, the Z-reading) and the machine covers it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from pos_app.config import load_settings
from pos_app.domain.bill import BillStatus
from pos_app.domain.clock import FakeClock
from pos_app.domain.errors import PermissionDenied, SignInRefused
from pos_app.domain.lockout import LockoutPolicy, PinFailures
from pos_app.domain.roles import Permission, Role, can
from pos_app.paymongo import PayMongoClient
from pos_app.services.access import OVERRIDE_LIFETIME, AccessService
from pos_app.services.collect import CollectService, CounterIdentity
from pos_app.services.collect.takeover import take_over_counter
from pos_app.services.receipts import ReceiptService
from pos_app.services.reconcile.payouts import PayoutService
from pos_app.storage import Database, open_database
from pos_sandbox.server import SandboxServer
from tests.demo_bills import seed_demo_bills_if_empty
from tests.integration.staff.conftest import FAST_KDF

IDLE = timedelta(minutes=5)
PEOPLE = {
    "Olivia": (Role.OWNER, "8080"),
    "Joy": (Role.STAFF, "2468"),
    "Rosa": (Role.RECEPTIONIST, "1357"),
}
WRONG_PIN = "0000"


@dataclass
class Counter:
    """One example's counter: its database, clock, access and the services that guard."""

    database: Database
    clock: FakeClock
    access: AccessService
    receipts: ReceiptService
    payouts: PayoutService
    bill_id: int
    invoice: str


# permission -> the guarded service action (raises PermissionDenied when refused)
PROTECTED: list[tuple[Permission, Callable[[Counter], object]]] = [
    (Permission.REPRINT, lambda c: c.receipts.print_document(c.bill_id, c.invoice)),
    (
        Permission.TAKE_OVER_COUNTER,
        lambda c: take_over_counter(
            c.database, access=c.access, gone_terminal="09", this_terminal="01", at=c.clock.now()
        ),
    ),
    (Permission.VIEW_REPORTS, lambda c: c.payouts.reports(limit=1)),
]


@dataclass
class Model:
    """What the counter should allow, kept beside it by the machine."""

    clock: FakeClock
    policy: LockoutPolicy = field(default_factory=LockoutPolicy)
    actor: str | None = None
    locked: bool = False
    last_touch: Any = None
    failures: dict[str, PinFailures] = field(default_factory=dict)
    grants: dict[Permission, tuple[str, Any]] = field(default_factory=dict)

    def idle_check(self) -> None:
        if self.actor is not None and self.clock.now() - self.last_touch >= IDLE:
            self._lock()

    def _lock(self) -> None:
        self.locked = True
        self.grants.clear()

    def pin_try(self, name: str, right: bool) -> bool:
        """A PIN tried for ``name``: whether it lets them in (the lockout rule applied)."""
        now = self.clock.now()
        failures = self.failures.get(name, PinFailures())
        if failures.is_locked(now):
            return False
        if right:
            self.failures[name] = PinFailures()
            return True
        self.failures[name] = self.policy.after_wrong_pin(failures, now)
        return False


def _template(folder: Path, sandbox: SandboxServer) -> tuple[Path, int, str]:
    """A counter database with three people and one paid bill whose invoice was printed."""
    path = folder / "template.db"
    database = open_database(f"sqlite:///{path}")
    clock = FakeClock()
    seed_demo_bills_if_empty(database, clock)
    access = AccessService(database, clock, kdf=FAST_KDF)
    for name, (role, pin) in PEOPLE.items():
        access.add_person(name, role, pin, by="test")
    with database.unit_of_work(read_only=True) as uow:
        bill = uow.bills.list_queue(BillStatus.PENDING, 5)[0]
    with _client(sandbox) as client:
        identity = CounterIdentity(terminal_id="01", invoice_prefix="MAIN", clinic_name="Clinic")
        collect = CollectService(database, client, clock, identity)
        paid = collect.pay_cash(bill.id, bill.balance, tendered=bill.balance)
        collect.close()
    assert paid.settlement is not None
    _receipts(folder, database, access).print_invoice(paid.settlement)  # the original
    database.dispose()
    return path, bill.id, paid.settlement.invoice.number


def _client(sandbox: SandboxServer) -> PayMongoClient:
    return PayMongoClient(secret_key="sk_test_" + "9f" * 12, base_url=sandbox.paymongo_url)


def _receipts(folder: Path, database: Database, access: AccessService) -> ReceiptService:
    counter_settings = load_settings(
        {"POS_APP_DATA_DIR": str(folder / "data"), "POS_APP_CONFIG_DIR": str(folder / "cfg")}
    )
    return ReceiptService(counter_settings, database=database, access=access)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        yield server


def test_no_protected_action_succeeds_without_its_role_and_lockouts_hold(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    template, bill_id, invoice = _template(tmp_path, sandbox)
    client = _client(sandbox)
    examples = iter(range(10**6))

    class AccessMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            path = tmp_path / f"example-{next(examples)}.db"
            with sqlite3.connect(template) as source, sqlite3.connect(path) as copy:
                source.backup(copy)
            database = open_database(f"sqlite:///{path}")
            clock = FakeClock()
            access = AccessService(database, clock, kdf=FAST_KDF, idle_after=IDLE)
            self.counter = Counter(
                database,
                clock,
                access,
                _receipts(tmp_path, database, access),
                PayoutService(database, client, access),
                bill_id,
                invoice,
            )
            self.model = Model(clock, last_touch=clock.now())

        def teardown(self) -> None:
            self.counter.database.dispose()

        @rule(name=st.sampled_from(sorted(PEOPLE)), right=st.booleans(), switching=st.booleans())
        def sign_in(self, name: str, right: bool, switching: bool) -> None:
            access, model = self.counter.access, self.model
            if switching:  # the quick switch: lock, then someone signs in
                access.lock()
                model._lock()
            pin = PEOPLE[name][1] if right else WRONG_PIN
            expected = model.pin_try(name, right)
            try:
                access.sign_in(name, pin)
            except SignInRefused:
                assert not expected, f"{name} was refused with the right PIN and no lockout"
                return
            assert expected, f"{name} got in: wrong PIN {not right}, or while locked out"
            model.actor, model.locked = name, False
            model.last_touch = self.counter.clock.now()
            model.grants.clear()

        @rule(seconds=st.integers(min_value=0, max_value=3_600))
        def time_passes(self, seconds: int) -> None:
            self.counter.clock.advance(timedelta(seconds=seconds))

        @rule()
        def touch(self) -> None:
            self.counter.access.touch()
            self.model.last_touch = self.counter.clock.now()

        @rule()
        def lock(self) -> None:
            self.counter.access.lock()
            self.model._lock()

        @rule(
            permission=st.sampled_from([p for p, _ in PROTECTED]),
            name=st.sampled_from(sorted(PEOPLE)),
            right=st.booleans(),
        )
        def override(self, permission: Permission, name: str, right: bool) -> None:
            model = self.model
            model.idle_check()
            open_counter = model.actor is not None and not model.locked
            pin_ok = open_counter and model.pin_try(name, right)
            expected = pin_ok and can(PEOPLE[name][0], permission)
            try:
                approver = self.counter.access.override(
                    permission, name, PEOPLE[name][1] if right else WRONG_PIN
                )
            except (SignInRefused, PermissionDenied):
                assert not expected, f"{name}'s approval of {permission} was refused"
                return
            assert expected, f"{name} approved {permission} without the right to"
            assert approver.name == name
            model.grants[permission] = (name, self.counter.clock.now() + OVERRIDE_LIFETIME)

        @rule(row=st.integers(min_value=0, max_value=len(PROTECTED) - 1))
        def protected_action(self, row: int) -> None:
            permission, act = PROTECTED[row]
            model = self.model
            model.idle_check()
            allowed_by = None
            if model.actor is not None and not model.locked:
                if can(PEOPLE[model.actor][0], permission):
                    allowed_by = model.actor
                elif permission in model.grants:
                    approver, until = model.grants.pop(permission)
                    if self.counter.clock.now() < until and can(PEOPLE[approver][0], permission):
                        allowed_by = approver
            try:
                act(self.counter)
            except PermissionDenied:
                assert allowed_by is None, f"{permission} refused though {allowed_by} may"
                return
            assert allowed_by is not None, f"{permission} succeeded without anyone allowed"

        @invariant()
        def the_counter_knows_who_is_here(self) -> None:
            assert self.counter.access.actor_name() == self.model.actor

    run_state_machine_as_test(
        AccessMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    client.close()
