"""Sign-in, the idle lock, switching person and the manager override through the real main
window against the sandbox: the counter is covered until someone signs in; a payment that
settles while the counter is locked shows as paid after unlocking; a wrong PIN says so in plain
words; a receptionist's protected action goes ahead with a staff member's PIN, and the audit
names both; the cashier on the invoice is the person signed in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.domain.clock import FakeClock
from pos_app.domain.roles import Role
from pos_app.services.access import AccessService, Audit
from pos_app.services.collect.test_pages import submit_test_page
from pos_app.services.counter import CounterServices, PaymentBackend
from pos_app.storage import open_database
from pos_app.ui.counter_lock import CounterLock
from pos_app.ui.main_window import MainWindow
from pos_app.ui.tasks import TaskRunner
from tests.ui.conftest import DEMO_PINS, active_timers, key_click, key_clicks
from tests.ui.payments.conftest import WAIT_MS, select_row
from tests.ui.payments.test_payment_panel import _start_qr

IDLE = timedelta(minutes=5)
WindowFor = Callable[[AccessService], MainWindow]


@pytest.fixture
def build_window(
    qtbot: QtBot, counter: tuple[CounterServices, PaymentBackend]
) -> Iterator[WindowFor]:
    """Makes the window as the app does, with the ``access`` given (signed out or not)."""
    services, backend = counter
    runner = TaskRunner()
    made: list[MainWindow] = []

    def build(access: AccessService) -> MainWindow:
        main = MainWindow(
            mode=services.mode,
            finder=services.bills,
            runner=runner,
            clinic_name="Test Clinic",
            terminal_id="01",
            receipts=services.receipts,
        )
        main.use_access(access, idle_check_ms=20)
        qtbot.addWidget(main)
        qtbot.addWidget(main.customer_display)
        with qtbot.waitSignal(main.queue.loaded, timeout=WAIT_MS):
            main.show()
        main.activateWindow()
        qtbot.waitActive(main)
        main.set_backend(backend)
        made.append(main)
        return main

    yield build
    for main in made:
        main.stop_watching()
        assert not active_timers(main, main.customer_display), "a timer was left running"
    assert runner.wait_for_done(WAIT_MS), "a background task was left running"


def _lock(window: MainWindow) -> CounterLock:
    assert window.lock is not None
    return window.lock


def _sign_in(qtbot: QtBot, window: MainWindow, name: str, pin: str) -> None:
    """Type the name (if asked) and PIN on the sign-in page and press Enter."""
    screen = _lock(window).screen
    if screen.name_edit.text() != name:
        screen.name_edit.clear()
        key_clicks(screen.name_edit, name)
    key_clicks(screen.pin_edit, pin)
    key_click(screen.pin_edit, Qt.Key.Key_Return)


def _counter_enabled(window: MainWindow) -> bool:
    central = window.centralWidget()
    assert central is not None
    return central.isEnabled()


def _problem_shown(qtbot: QtBot, window: MainWindow) -> str:
    screen = _lock(window).screen
    qtbot.waitUntil(screen.sign_in_button.isEnabled, timeout=WAIT_MS)
    return screen.problem.text()


def test_the_counter_is_covered_until_someone_signs_in_and_a_wrong_pin_says_so(
    qtbot: QtBot, build_window: WindowFor, counter: tuple[CounterServices, PaymentBackend]
) -> None:
    services, _ = counter
    services.access.sign_out()
    window = build_window(services.access)
    lock = _lock(window)
    qtbot.waitUntil(lambda: lock.screen.title.text() == "Sign in", timeout=WAIT_MS)
    assert lock.is_locked
    assert lock.screen.isVisible()
    assert not _counter_enabled(window)
    key_click(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.walk_in is None  # the counter's keys do nothing under the lock

    _sign_in(qtbot, window, "demo-staff", "1111")
    assert _problem_shown(qtbot, window) == "That name and PIN don't match. Please try again."
    for _ in range(4):
        _sign_in(qtbot, window, "demo-staff", "1111")
        _problem_shown(qtbot, window)
    assert _problem_shown(qtbot, window) == (
        "Too many wrong PINs. demo-staff can try again in 30 seconds."
    )
    assert lock.is_locked

    with qtbot.waitSignal(lock.signed_in, timeout=WAIT_MS):
        _sign_in(qtbot, window, "demo-receptionist", DEMO_PINS["demo-receptionist"])
    assert not lock.is_locked
    assert not lock.screen.isVisible()
    assert _counter_enabled(window)
    assert lock.who_label.text() == "demo-receptionist (receptionist)"


def test_locked_on_idle_while_a_qr_is_open_and_paid_meanwhile_shows_paid_after_unlock(
    qtbot: QtBot, build_window: WindowFor, counter: tuple[CounterServices, PaymentBackend]
) -> None:
    services, _ = counter
    clock = FakeClock()
    access = AccessService(services.database, clock, idle_after=IDLE)
    access.sign_in("demo-receptionist", DEMO_PINS["demo-receptionist"])
    window = build_window(access)
    lock = _lock(window)
    select_row(qtbot, window, 2)
    update = _start_qr(qtbot, window)
    assert update.display is not None
    assert update.display.url is not None
    window.toggle_customer_display()

    clock.advance(IDLE)  # nobody touches the counter for the idle time
    qtbot.waitUntil(lambda: lock.is_locked, timeout=WAIT_MS)
    assert lock.screen.title.text() == "Counter locked"
    assert lock.screen.name_edit.text() == "demo-receptionist"

    with qtbot.waitSignal(window.payment.settled, timeout=WAIT_MS):
        submit_test_page(update.display.url)  # the patient pays while the counter is locked
    assert window.customer_display.isVisible()  # the patient's screen went on underneath
    assert window.customer_display.message.text() == "Paid — salamat po!"
    assert lock.is_locked

    with qtbot.waitSignal(lock.signed_in, timeout=WAIT_MS):
        _sign_in(qtbot, window, "demo-receptionist", DEMO_PINS["demo-receptionist"])
    assert window.payment.pages.currentWidget() is window.payment.paid
    assert window.payment.paid.isVisible()


def test_ctrl_l_locks_and_switch_person_signs_in_someone_else(
    qtbot: QtBot, build_window: WindowFor, counter: tuple[CounterServices, PaymentBackend]
) -> None:
    services, _ = counter
    window = build_window(services.access)  # demo-owner signed in
    lock = _lock(window)
    assert not lock.is_locked
    key_click(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert lock.is_locked
    assert lock.screen.name_edit.text() == "demo-owner"
    lock.screen.switch_button.click()
    assert lock.screen.title.text() == "Switch person"
    assert lock.screen.name_edit.text() == ""
    with qtbot.waitSignal(lock.signed_in, timeout=WAIT_MS):
        _sign_in(qtbot, window, "demo-staff", DEMO_PINS["demo-staff"])
    actor = services.access.actor
    assert actor is not None
    assert actor.role is Role.STAFF


def test_a_receptionist_opens_the_payouts_with_a_staff_pin_and_the_audit_names_both(
    qtbot: QtBot, build_window: WindowFor, counter: tuple[CounterServices, PaymentBackend]
) -> None:
    services, _ = counter
    services.access.sign_in("demo-receptionist", DEMO_PINS["demo-receptionist"])
    window = build_window(services.access)
    assert window.show_payouts() is None  # not for a receptionist on her own
    dialog = window.override
    assert dialog is not None
    assert dialog.isVisible()
    assert "demo-receptionist can't see reports on their own" in dialog.reason.text()

    dialog.name_edit.setText("demo-staff")
    dialog.pin_edit.setText("1111")
    dialog.approve()
    qtbot.waitUntil(dialog.buttons.isEnabled, timeout=WAIT_MS)
    assert dialog.problem.text() == "That name and PIN don't match. Please try again."
    assert window.payouts is None

    dialog.pin_edit.setText(DEMO_PINS["demo-staff"])
    dialog.approve()
    qtbot.waitUntil(lambda: window.payouts is not None, timeout=WAIT_MS)
    payouts = window.payouts
    assert payouts is not None
    qtbot.waitUntil(payouts.isVisible, timeout=WAIT_MS)
    with services.database.unit_of_work(read_only=True) as uow:
        override = [e for e in uow.audit.entries() if e.action == Audit.OVERRIDE_APPROVED]
    assert [(e.actor, e.approver) for e in override] == [("demo-receptionist", "demo-staff")]


def test_the_cashier_on_the_invoice_and_in_the_audit_is_the_person_signed_in(
    qtbot: QtBot, build_window: WindowFor, counter: tuple[CounterServices, PaymentBackend]
) -> None:
    services, _ = counter
    services.access.sign_in("demo-receptionist", DEMO_PINS["demo-receptionist"])
    window = build_window(services.access)
    select_row(qtbot, window, 2)
    update = _start_qr(qtbot, window)
    assert update.display is not None
    assert update.display.url is not None
    with qtbot.waitSignal(window.payment.settled, timeout=WAIT_MS) as settled:
        submit_test_page(update.display.url)
    settlement = settled.args[0]
    assert "Cashier: demo-receptionist" in services.receipts.preview_text(settlement)
    with services.database.unit_of_work(read_only=True) as uow:
        bill_rows = [e for e in uow.audit.entries() if e.subject == f"bill:{settlement.bill.id}"]
    assert {e.actor for e in bill_rows} >= {"demo-receptionist"}
    assert {e.action for e in bill_rows if e.actor == "demo-receptionist"} >= {
        "payment_started",
        "invoice_issued",
    }


def test_the_first_start_asks_for_the_owner_and_signs_them_in(
    qtbot: QtBot, build_window: WindowFor, tmp_path: Path
) -> None:
    empty = open_database(f"sqlite:///{tmp_path / 'new-counter.db'}")
    try:
        access = AccessService(empty, FakeClock())
        window = build_window(access)
        screen = _lock(window).screen
        qtbot.waitUntil(lambda: screen.title.text() == "Welcome to Kaha", timeout=WAIT_MS)
        key_clicks(screen.name_edit, "Olivia Reyes")
        key_clicks(screen.pin_edit, "8080")
        key_clicks(screen.pin_again_edit, "8008")
        key_click(screen.pin_again_edit, Qt.Key.Key_Return)
        assert screen.problem.text() == "The two PINs are not the same. Please type them again."
        key_clicks(screen.pin_edit, "8080")
        key_clicks(screen.pin_again_edit, "8080")
        with qtbot.waitSignal(_lock(window).signed_in, timeout=WAIT_MS):
            key_click(screen.pin_again_edit, Qt.Key.Key_Return)
        actor = access.actor
        assert actor is not None
        assert (actor.name, actor.role) == ("Olivia Reyes", Role.OWNER)
    finally:
        empty.dispose()


def test_ctrl_l_switching_person_and_the_idle_lock_are_audited_under_who_was_signed_in(
    qtbot: QtBot, build_window: WindowFor, counter: tuple[CounterServices, PaymentBackend]
) -> None:
    services, _ = counter
    clock = FakeClock()
    access = AccessService(services.database, clock, idle_after=IDLE)
    access.sign_in("demo-receptionist", DEMO_PINS["demo-receptionist"])
    window = build_window(access)
    lock = _lock(window)
    lock_actions = {Audit.COUNTER_LOCKED, Audit.SIGNED_OUT, Audit.IDLE_LOCKED}

    def lock_rows() -> list[tuple[str, str]]:
        with services.database.unit_of_work(read_only=True) as uow:
            entries = uow.audit.entries(limit=10_000)
        return [(e.actor, e.action) for e in entries if e.action in lock_actions]

    key_click(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert lock.is_locked
    qtbot.waitUntil(lambda: len(lock_rows()) == 1, timeout=WAIT_MS)
    with qtbot.waitSignal(lock.signed_in, timeout=WAIT_MS):
        _sign_in(qtbot, window, "demo-receptionist", DEMO_PINS["demo-receptionist"])

    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    key_click(window, Qt.Key.Key_L, modifiers)  # Switch person
    assert lock.screen.title.text() == "Switch person"
    qtbot.waitUntil(lambda: len(lock_rows()) == 2, timeout=WAIT_MS)
    with qtbot.waitSignal(lock.signed_in, timeout=WAIT_MS):
        _sign_in(qtbot, window, "demo-staff", DEMO_PINS["demo-staff"])

    clock.advance(IDLE)  # demo-staff leaves the counter untouched
    qtbot.waitUntil(lambda: lock.is_locked, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: len(lock_rows()) == 3, timeout=WAIT_MS)
    assert lock_rows() == [
        ("demo-receptionist", Audit.COUNTER_LOCKED),
        ("demo-receptionist", Audit.SIGNED_OUT),
        ("demo-staff", Audit.IDLE_LOCKED),
    ]
