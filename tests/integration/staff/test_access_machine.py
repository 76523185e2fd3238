"""Acceptance (issue 14): a Hypothesis state machine over sign-in (right and wrong PINs), idle time
on a fake clock, touching the counter, locking, switching person, manager overrides and every
protected action the counter has. Invariants: no protected action ever succeeds without a
signed-in, unlocked person whose role, or whose approver's role, allows it; a lockout holds
for its whole time, even against the right PIN; every lock of an open counter (by hand, idle,
switching person) is in the audit under who was signed in, at its time, and no other is.

The protected actions are a table (``PROTECTED``): a permission and the real service call it
guards, against a real database and (for refunds through PayMongo) the sandbox. Add a row for
each new one and the machine covers it. An action may also stop on a business rule after its
gate (a second Z-reading for the day, a case already closed): that counts as getting through the
gate, so it too must only happen for someone allowed.
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

from pos_app.config import Settings, load_settings
from pos_app.domain.bill import BillStatus
from pos_app.domain.clock import FakeClock
from pos_app.domain.discount import VatStatus
from pos_app.domain.errors import PermissionDenied, SignInRefused, UserFacingError
from pos_app.domain.lockout import LockoutPolicy, PinFailures
from pos_app.domain.money import Money
from pos_app.domain.roles import Permission, Role, can
from pos_app.domain.tender import TenderMethod
from pos_app.paymongo import PayMongoClient
from pos_app.services.access import OVERRIDE_LIFETIME, AccessService, Audit
from pos_app.services.audit_trail import AuditTrail
from pos_app.services.collect import CollectService, CounterIdentity
from pos_app.services.collect.takeover import take_over_counter
from pos_app.services.journal import JournalService
from pos_app.services.overpayments import OverpaymentService
from pos_app.services.owner_tools import OwnerTools
from pos_app.services.readings import ReadingService
from pos_app.services.receipts import ReceiptService
from pos_app.services.reconcile.payouts import PayoutService
from pos_app.services.refunds.port import RefundChannel
from pos_app.services.refunds.service import RefundService
from pos_app.services.settings_service import SettingsService
from pos_app.storage import Database, open_database
from pos_sandbox.server import SandboxServer
from tests.demo_bills import seed_demo_bills_if_empty
from tests.integration.collect.conftest import SandboxTimeClock, patient_pays
from tests.integration.staff.conftest import FAST_KDF

IDLE = timedelta(minutes=5)
PEOPLE = {
    "Olivia": (Role.OWNER, "8080"),
    "Joy": (Role.STAFF, "2468"),
    "Rosa": (Role.RECEPTIONIST, "1357"),
}
WRONG_PIN = "0000"
LOCK_ACTIONS = {Audit.COUNTER_LOCKED, Audit.IDLE_LOCKED, Audit.SIGNED_OUT}


@dataclass(frozen=True)
class Paid:
    """What the template database holds, paid and printed, for the protected actions."""

    bill_id: int  # paid in cash, invoice printed (reprints; refunds by hand)
    invoice: str
    gcash: tuple[int, str]  # (bill id, attempt id) paid by GCash in the sandbox
    case: str  # an overpayment case (attempt id) ...
    case_bill: int  # ... and the patient's open bill it can go to


@dataclass
class Counter:
    """One example's counter: its database, clock, access and the services that guard."""

    database: Database
    clock: FakeClock
    access: AccessService
    receipts: ReceiptService
    payouts: PayoutService
    refunds: RefundService
    overpayments: OverpaymentService
    settings: SettingsService
    readings: ReadingService
    journal: JournalService
    owner: OwnerTools
    paid: Paid
    added: Iterator[int] = field(default_factory=lambda: iter(range(10**6)))


ONE_PESO = Money(100)  # refunds of ₱1.00 each, so a bill has plenty left for every example


def _refund_by_paymongo(c: Counter) -> object:
    bill_id, attempt_id = c.paid.gcash
    return c.refunds.refund_through_paymongo(bill_id, attempt_id, ONE_PESO, "others", "machine")


def _refund_by_hand(c: Counter) -> object:
    return c.refunds.refund_by_hand(
        c.paid.bill_id,
        None,
        ONE_PESO,
        "others",
        "machine",
        channel=RefundChannel.CASH,
        reference=None,
    )


# permission -> the guarded service action (raises PermissionDenied when refused)
PROTECTED: list[tuple[Permission, Callable[[Counter], object]]] = [
    (Permission.REPRINT, lambda c: c.receipts.print_document(c.paid.bill_id, c.paid.invoice)),
    (
        Permission.TAKE_OVER_COUNTER,
        lambda c: take_over_counter(
            c.database, access=c.access, gone_terminal="09", this_terminal="01", at=c.clock.now()
        ),
    ),
    (Permission.VIEW_REPORTS, lambda c: c.payouts.reports(limit=1)),
    (Permission.REFUND, _refund_by_paymongo),
    (Permission.REFUND, _refund_by_hand),
    (
        Permission.REVIEW_OVERPAYMENTS,
        lambda c: c.overpayments.apply_to_bill(c.paid.case, c.paid.case_bill, "machine"),
    ),
    (Permission.CHANGE_SETTINGS, lambda c: c.settings.save({"idle_lock_minutes": "7"})),
    (Permission.VIEW_REPORTS, lambda c: c.readings.x_reading()),
    (Permission.Z_READING, lambda c: c.readings.take_z()),
    (Permission.VIEW_REPORTS, lambda c: c.journal.day(c.readings.today())),
    (Permission.VIEW_REPORTS, lambda c: c.owner.check_audit_trail()),
    (
        Permission.MANAGE_PEOPLE,
        lambda c: c.access.add_person(f"New {next(c.added)}", Role.RECEPTIONIST, "4321"),
    ),
    (Permission.MANAGE_PEOPLE, lambda c: c.access.disable_person("Temp")),
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
    lock_rows: list[tuple[str, str, Any]] = field(default_factory=list)  # (action, who, when)

    def idle_check(self) -> None:
        if self.actor is not None and self.clock.now() - self.last_touch >= IDLE:
            self._lock(Audit.IDLE_LOCKED)

    def _lock(self, action: str) -> None:
        if not self.locked and self.actor is not None:  # an open counter: audited
            self.lock_rows.append((action, self.actor, self.clock.now()))
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


def _template(folder: Path, sandbox: SandboxServer) -> tuple[Path, Paid]:
    """A counter database with its people, a cash bill whose invoice was printed, a GCash bill,
    an overpayment case with the patient's open bill, and an open shift."""
    path = folder / "template.db"
    database = open_database(f"sqlite:///{path}")
    clock = FakeClock()
    seed_demo_bills_if_empty(database, clock)
    access = AccessService(database, clock, kdf=FAST_KDF)
    for name, (role, pin) in PEOPLE.items():
        access.add_person(name, role, pin, by="test")
    access.add_person("Temp", Role.RECEPTIONIST, "9753", by="test")
    with database.unit_of_work(read_only=True) as uow:
        bills = [
            b for b in uow.bills.list_queue(BillStatus.PENDING, 50) if b.balance > Money(300_00)
        ]
    identity = CounterIdentity(terminal_id="01", invoice_prefix="MAIN", clinic_name="Clinic")
    with _client(sandbox) as client:
        collect = CollectService(database, client, SandboxTimeClock(sandbox), identity)
        paid = collect.pay_cash(bills[0].id, bills[0].balance, tendered=bills[0].balance)
        update = collect.start(bills[1].id, TenderMethod.GCASH, bills[1].balance)
        assert update.display is not None
        assert update.display.url is not None
        patient_pays(update.display.url)
        assert collect.refresh(update.attempt.id).settlement is not None
        gcash = (bills[1].id, update.attempt.id)
        late = collect.start(bills[2].id, TenderMethod.QRPH, Money(200_00))
        collect.cancel(late.attempt.id)
        sandbox.paymongo.pay_late(late.attempt.paymongo_ids["intent"])
        collect.refresh(late.attempt.id)
        collect.close()
    assert paid.settlement is not None
    access.sign_in("Olivia", PEOPLE["Olivia"][1])
    _readings(folder, database, clock, access).open_shift(Money(1_000_00))
    _receipts(folder, database, access).print_invoice(paid.settlement)  # the original
    database.dispose()
    case = Paid(bills[0].id, paid.settlement.invoice.number, gcash, late.attempt.id, bills[2].id)
    return path, case


def _client(sandbox: SandboxServer) -> PayMongoClient:
    return PayMongoClient(secret_key="sk_test_" + "9f" * 12, base_url=sandbox.paymongo_url)


def _settings(folder: Path) -> Settings:
    return load_settings(
        {"POS_APP_DATA_DIR": str(folder / "data"), "POS_APP_CONFIG_DIR": str(folder / "cfg")}
    )


def _receipts(folder: Path, database: Database, access: AccessService) -> ReceiptService:
    return ReceiptService(_settings(folder), database=database, access=access)


def _readings(
    folder: Path, database: Database, clock: FakeClock, access: AccessService
) -> ReadingService:
    receipts = _receipts(folder, database, access)
    return ReadingService(
        database, access, receipts, terminal_id="01", vat_status=VatStatus.VAT, clock=clock
    )


def _counter(
    folder: Path, path: Path, paid: Paid, client: PayMongoClient, sandbox: SandboxServer
) -> Counter:
    """The services of one example's counter, over its own copy of the template database."""
    database = open_database(f"sqlite:///{path}")
    clock = FakeClock()
    access = AccessService(database, clock, kdf=FAST_KDF, idle_after=IDLE)
    refunds = RefundService(database, client, SandboxTimeClock(sandbox), access, terminal_id="01")
    identity = CounterIdentity(terminal_id="01", invoice_prefix="MAIN", clinic_name="Clinic")
    settings_service = SettingsService(_settings(folder), database, access, clock)
    return Counter(
        database,
        clock,
        access,
        _receipts(folder, database, access),
        PayoutService(database, client, access),
        refunds,
        OverpaymentService(database, clock, access, refunds, identity),
        settings_service,
        _readings(folder, database, clock, access),
        JournalService(database, access, terminal_id="01"),
        OwnerTools(settings_service, AuditTrail(database), access),
        paid,
    )


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        yield server


def test_no_protected_action_succeeds_without_its_role_and_lockouts_hold(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    template, paid = _template(tmp_path, sandbox)
    client = _client(sandbox)
    examples = iter(range(10**6))

    class AccessMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            path = tmp_path / f"example-{next(examples)}.db"
            with sqlite3.connect(template) as source, sqlite3.connect(path) as copy:
                source.backup(copy)
            self.counter = _counter(tmp_path, path, paid, client, sandbox)
            self.model = Model(self.counter.clock, last_touch=self.counter.clock.now())

        def teardown(self) -> None:
            self.counter.database.dispose()

        @rule(name=st.sampled_from(sorted(PEOPLE)), right=st.booleans(), switching=st.booleans())
        def sign_in(self, name: str, right: bool, switching: bool) -> None:
            access, model = self.counter.access, self.model
            if switching:  # the quick switch: lock, then someone signs in
                access.lock(switching=True)
                model._lock(Audit.SIGNED_OUT)
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

        # mostly short pauses (so people get things done), sometimes past the idle lock
        @rule(seconds=st.integers(0, 120) | st.integers(min_value=0, max_value=3_600))
        def time_passes(self, seconds: int) -> None:
            self.counter.clock.advance(timedelta(seconds=seconds))

        @rule()
        def touch(self) -> None:
            self.counter.access.touch()
            self.model.last_touch = self.counter.clock.now()

        @rule()
        def lock(self) -> None:
            self.counter.access.lock()
            self.model._lock(Audit.COUNTER_LOCKED)

        @rule()
        def locks_are_written(self) -> None:
            self.counter.access.record_locks()  # as the window does on the database worker
            with self.counter.database.unit_of_work(read_only=True) as uow:
                entries = uow.audit.entries(limit=10**6)
            written = [
                (e.action, e.actor, e.occurred_at) for e in entries if e.action in LOCK_ACTIONS
            ]
            assert written == self.model.lock_rows

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
            except UserFacingError:
                pass  # through the gate, stopped by a business rule: as good as done
            assert allowed_by is not None, f"{permission} succeeded without anyone allowed"

        @invariant()
        def the_counter_knows_who_is_here(self) -> None:
            assert self.counter.access.actor_name() == self.model.actor

    run_state_machine_as_test(
        AccessMachine,
        settings=settings(
            max_examples=150,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    client.close()
