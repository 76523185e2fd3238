"""The Owner menu through the real main window: the settings window (idle time saved and
audited, a non-owner refused, a LIVE key confirmed first, no keyring explained) and the audit
trail check. The keyring is in memory; the real one is never touched."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from pos_app.config import load_settings
from pos_app.keyring_store import NO_KEYRING_FIX
from pos_app.services.counter import CounterServices, PaymentBackend
from pos_app.services.owner_tools import OwnerTools
from pos_app.storage import Database
from pos_app.ui.main_window import MainWindow
from pos_app.ui.owner_menu import OwnerMenu
from pos_app.ui.settings_window import CounterSection, PayMongoSection, SettingsWindow
from tests.memory_keyring import MemoryKeyring, no_keyring, using_keyring
from tests.ui.payments.conftest import WAIT_MS

LIVE_KEY = "sk_live_" + "Pw3nX8rTq1ZcV6bLm0Ke4sYd"
TEST_KEY = "sk_test_" + "Ab5cD7eF9gH1jK3mN5pQ7rS9"


@pytest.fixture
def keyring_in_memory() -> Iterator[MemoryKeyring]:
    with using_keyring(MemoryKeyring()) as backend:
        assert isinstance(backend, MemoryKeyring)
        yield backend


@pytest.fixture
def tools(counter: tuple[CounterServices, PaymentBackend]) -> OwnerTools:
    services, _ = counter
    assert services.owner is not None
    return services.owner


@pytest.fixture
def database(counter: tuple[CounterServices, PaymentBackend]) -> Database:
    return counter[0].database


@pytest.fixture
def menu(window: MainWindow, tools: OwnerTools) -> OwnerMenu:
    return window.add_owner_menu(tools)


def _shot(widget: QWidget, name: str) -> None:
    """Keep a picture when KAHA_SHOTS names a folder (how the docs' screenshots were taken)."""
    folder = os.environ.get("KAHA_SHOTS")
    if folder:
        widget.grab().save(str(Path(folder) / name))


def _open(qtbot: QtBot, menu: OwnerMenu) -> SettingsWindow:
    menu.settings_action.trigger()
    qtbot.waitUntil(lambda: menu.settings_window is not None, timeout=WAIT_MS)
    assert menu.settings_window is not None
    qtbot.addWidget(menu.settings_window)
    return menu.settings_window


def _answer(qtbot: QtBot, menu: OwnerMenu) -> str:
    qtbot.waitUntil(lambda: menu.message is not None, timeout=WAIT_MS)
    assert menu.message is not None
    said = menu.message.text()
    menu.message.done(0)
    menu.message = None
    return said


def test_the_owner_changes_the_idle_time_saved_and_audited(
    qtbot: QtBot,
    menu: OwnerMenu,
    tools: OwnerTools,
    database: Database,
    keyring_in_memory: MemoryKeyring,
) -> None:
    tools.access.sign_in("demo-owner", "9001")
    window = _open(qtbot, menu)
    idle = window.section(CounterSection)
    assert isinstance(idle, CounterSection)
    assert idle.idle.value() == 5
    idle.idle.setValue(12)
    with qtbot.waitSignal(window.saved, timeout=WAIT_MS) as saved:
        window.save_button.click()
    assert saved.args == [["idle_lock_minutes"]]
    assert window.status.text() == "Saved."
    settings = tools.settings.settings
    reread = load_settings(
        {"POS_APP_DATA_DIR": str(settings.data_dir), "POS_APP_CONFIG_DIR": str(settings.config_dir)}
    )
    assert reread.idle_lock_minutes == 12
    with database.unit_of_work(read_only=True) as uow:
        last = uow.audit.entries()[-1]
    assert (last.actor, last.action, last.subject) == (
        "demo-owner",
        "settings_changed",
        "setting:idle_lock_minutes",
    )
    assert dict(last.details) == {"setting": "idle_lock_minutes", "from": "5", "to": "12"}


@pytest.mark.parametrize("who", [("demo-receptionist", "9003"), ("demo-staff", "9002")])
def test_someone_who_is_not_the_owner_is_refused(
    qtbot: QtBot, menu: OwnerMenu, tools: OwnerTools, who: tuple[str, str]
) -> None:
    tools.access.sign_in(*who)
    menu.settings_action.trigger()
    said = _answer(qtbot, menu)
    assert said.startswith("Your account can't change settings.")
    assert menu.settings_window is None


def test_a_live_key_is_stored_only_after_the_owner_confirms(
    qtbot: QtBot, menu: OwnerMenu, tools: OwnerTools, keyring_in_memory: MemoryKeyring
) -> None:
    tools.access.sign_in("demo-owner", "9001")
    window = _open(qtbot, menu)
    row = window.key_rows["paymongo_secret_key"]
    assert row.shown.text() == "not set"
    assert row.entry.echoMode() == row.entry.EchoMode.Password

    row.entry.setText(LIVE_KEY)
    row.store.click()
    question = window.question
    assert question is not None
    assert "LIVE PayMongo key" in question.text()
    assert "real money" in question.text()
    _click(qtbot, question, "Cancel")
    assert window.status.text() == "The LIVE key was not stored."
    assert keyring_in_memory.values == {}

    row.store.click()
    question = window.question
    assert question is not None
    _click(qtbot, question, "Use the LIVE key")
    qtbot.waitUntil(lambda: row.shown.text() == "sk_live_…4sYd", timeout=WAIT_MS)
    assert keyring_in_memory.values == {("kaha-pos", "paymongo_secret_key"): LIVE_KEY}
    assert row.entry.text() == ""
    assert window.status.text() == "PayMongo secret key stored in the keyring."


def test_a_test_key_needs_no_confirmation(
    qtbot: QtBot, menu: OwnerMenu, tools: OwnerTools, keyring_in_memory: MemoryKeyring
) -> None:
    tools.access.sign_in("demo-owner", "9001")
    window = _open(qtbot, menu)
    row = window.key_rows["paymongo_secret_key"]
    row.entry.setText(TEST_KEY)
    row.store.click()
    assert window.question is None
    qtbot.waitUntil(lambda: row.shown.text() == "sk_test_…7rS9", timeout=WAIT_MS)
    window.resize(760, 440)
    assert window.section(PayMongoSection).mode.text().startswith("TEST ")  # type: ignore[attr-defined]
    _shot(window, "settings.png")
    window.tabs.setCurrentIndex(3)
    _shot(window, "settings-clinic.png")


def test_without_a_keyring_the_window_says_how_to_fix_it_and_stores_nothing(
    qtbot: QtBot, menu: OwnerMenu, tools: OwnerTools
) -> None:
    tools.access.sign_in("demo-owner", "9001")
    with using_keyring(no_keyring()):
        window = _open(qtbot, menu)
        assert window.keyring_line.isVisibleTo(window)
        assert window.keyring_line.text() == NO_KEYRING_FIX
        for row in window.key_rows.values():
            assert not row.store.isEnabled()
            assert not row.entry.isEnabled()
        window.resize(760, 480)
        _shot(window, "settings-no-keyring.png")


def test_the_owner_checks_the_audit_trail_from_the_menu(
    qtbot: QtBot, menu: OwnerMenu, tools: OwnerTools, database: Database
) -> None:
    tools.access.sign_in("demo-owner", "9001")
    menu.audit_action.trigger()
    assert _answer(qtbot, menu).startswith("The audit trail is intact: ")
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2"))
    menu.audit_action.trigger()
    said = _answer(qtbot, menu)
    assert said.startswith("The audit trail is broken at entry 2 (")
    assert "mallory" in said
    assert said.endswith("): this entry was edited after it was written.")


def _click(qtbot: QtBot, box: QMessageBox, label: str) -> None:
    button = next(b for b in box.buttons() if b.text() == label)
    button.click()
