"""The Owner menu through the real main window: the settings window (idle time saved and
audited, a non-owner refused, a LIVE key confirmed first, no keyring explained, email receipts'
mail server with its password in the keyring and a test email to a real in-process SMTP server,
the payment-finished page) and the audit trail check. The keyring is in memory; the real one is
never touched."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from pos_app.config import load_settings
from pos_app.domain.errors import ConfigError, PermissionDenied
from pos_app.keyring_store import NO_KEYRING_FIX
from pos_app.services.collect.finished import NO_CLINIC_PAGE
from pos_app.services.counter import CounterServices, PaymentBackend
from pos_app.services.owner_tools import OwnerTools
from pos_app.storage import Database
from pos_app.ui.main_window import MainWindow
from pos_app.ui.owner_menu import OwnerMenu
from pos_app.ui.settings_email import EmailSection
from pos_app.ui.settings_window import (
    ClinicProfileSection,
    CounterSection,
    PayMongoSection,
    SettingsWindow,
)
from tests.memory_keyring import MemoryKeyring, no_keyring, using_keyring
from tests.smtp_server import free_port, smtp_server
from tests.ui.conftest import keep_shot
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
    keep_shot(window, "settings.png")
    window.tabs.setCurrentIndex(3)
    keep_shot(window, "settings-clinic.png")


def test_with_a_real_key_and_no_clinic_page_the_clinic_tab_says_patients_see_paymongos(
    qtbot: QtBot, menu: OwnerMenu, tools: OwnerTools, keyring_in_memory: MemoryKeyring
) -> None:
    tools.access.sign_in("demo-owner", "9001")
    window = _open(qtbot, menu)
    clinic = window.section(ClinicProfileSection)
    assert isinstance(clinic, ClinicProfileSection)
    window.tabs.setCurrentWidget(clinic)
    assert not clinic.finished_hint.isVisibleTo(window)  # sandbox: its own page
    row = window.key_rows["paymongo_secret_key"]
    row.entry.setText(TEST_KEY)
    row.store.click()
    hint = clinic.finished_hint
    qtbot.waitUntil(lambda: hint.isVisibleTo(window), timeout=WAIT_MS)
    assert hint.text() == NO_CLINIC_PAGE
    clinic.finished_page.setText("https://clinic.example/payment-finished")
    assert not clinic.finished_hint.isVisibleTo(window)
    clinic.finished_page.clear()
    window.close()
    menu.settings_window = None

    again = _open(qtbot, menu)  # a new window: the stored TEST key, read back
    assert again is not window
    clinic = again.section(ClinicProfileSection)
    assert isinstance(clinic, ClinicProfileSection)
    again.tabs.setCurrentWidget(clinic)
    assert clinic.finished_hint.isVisibleTo(again)
    assert clinic.finished_hint.text() == (
        "After paying by e-wallet or card on their phone, patients land on PayMongo's page, not "
        "the clinic's: to show your own, set “Page after paying by phone” in "
        "Owner → Settings… → Clinic."
    )


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
        keep_shot(window, "settings-no-keyring.png")


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


EMAIL_SETTINGS = {
    "email_receipts_enabled": "true",
    "smtp_host": "127.0.0.1",
    "smtp_security": "none",
    "smtp_user": "",
    "smtp_from": "Test Clinic <billing@clinic.example>",
}
SMTP_PASSWORD = "correct horse battery"
FINISHED_PAGE = "https://clinic.example/payment-finished"


def test_the_owner_sets_up_email_receipts_tests_the_server_and_saves_audited(
    qtbot: QtBot,
    menu: OwnerMenu,
    tools: OwnerTools,
    database: Database,
    keyring_in_memory: MemoryKeyring,
) -> None:
    tools.access.sign_in("demo-owner", "9001")
    window = _open(qtbot, menu)
    email = window.section(EmailSection)
    assert isinstance(email, EmailSection)
    assert not email.enabled.isChecked()  # off by default
    window.tabs.setCurrentWidget(email)
    port = free_port()
    email.enabled.setChecked(True)
    email.host.setText("127.0.0.1")
    email.port.setValue(port)
    email.security.setCurrentIndex(email.security.findData("none"))
    email.from_address.setText(EMAIL_SETTINGS["smtp_from"])

    row = window.key_rows["smtp_password"]
    assert row.entry.echoMode() == row.entry.EchoMode.Password
    row.entry.setText(SMTP_PASSWORD)
    row.store.click()
    qtbot.waitUntil(lambda: row.shown.text() == "stored (hidden)", timeout=WAIT_MS)
    assert keyring_in_memory.values == {("kaha-pos", "smtp_password"): SMTP_PASSWORD}
    assert row.entry.text() == ""

    email.test.click()  # nothing listens yet: said in plain words
    qtbot.waitUntil(lambda: email.result.text() != "Checking…", timeout=WAIT_MS)
    assert email.result.text() == (
        "The mail server did not take the test email: nothing answers at that address and port."
    )
    with smtp_server(port) as box:
        email.test.click()
        qtbot.waitUntil(
            lambda: email.result.text().startswith("The mail server took"), timeout=WAIT_MS
        )
        [mail] = box.wait_for(1)
    assert mail["Subject"] == f"Kaha test email from {tools.settings.settings.clinic_name}"
    assert box.recipients == [["billing@clinic.example"]]
    window.resize(760, 480)
    keep_shot(window, "settings-email.png")

    clinic = window.section(ClinicProfileSection)
    assert isinstance(clinic, ClinicProfileSection)
    clinic.finished_page.setText(FINISHED_PAGE)
    with qtbot.waitSignal(window.saved, timeout=WAIT_MS) as saved:
        window.save_button.click()
    wanted = {"email_receipts_enabled", "smtp_host", "smtp_port", "smtp_security", "smtp_from"}
    assert set(saved.args[0]) == wanted | {"payment_finished_url"}
    settings = tools.settings.settings
    reread = load_settings(
        {"POS_APP_DATA_DIR": str(settings.data_dir), "POS_APP_CONFIG_DIR": str(settings.config_dir)}
    )
    assert reread.email_receipts_enabled
    assert (reread.smtp_host, reread.smtp_port, reread.smtp_from) == (
        "127.0.0.1",
        port,
        EMAIL_SETTINGS["smtp_from"],
    )
    assert reread.smtp_security.value == "none"
    assert reread.payment_finished_url == FINISHED_PAGE
    with database.unit_of_work(read_only=True) as uow:
        entries = uow.audit.entries()
    changed = {e.subject: dict(e.details) for e in entries if e.actor == "demo-owner"}
    assert changed["setting:smtp_host"] == {"setting": "smtp_host", "from": "", "to": "127.0.0.1"}
    assert changed["setting:payment_finished_url"]["to"] == FINISHED_PAGE
    assert changed["key:smtp_password"] == {"setting": "smtp_password"}  # never the password
    assert SMTP_PASSWORD not in str([e.details for e in entries])
    settings_text = (settings.config_dir / "settings.toml").read_text(encoding="utf-8")
    assert SMTP_PASSWORD not in settings_text


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        (
            {"email_receipts_enabled": "true", "smtp_host": ""},
            "To send email receipts, type the mail server and the From address.",
        ),
        ({"smtp_from": "billing at clinic"}, "The From address doesn't look right."),
        ({"smtp_port": "0"}, "The mail server's port is a number from 1 to 65535"),
        (
            {"payment_finished_url": "http://clinic.example/done"},
            "The payment-finished page's address starts with https://.",
        ),
    ],
)
def test_wrong_email_and_page_settings_are_refused_in_plain_words(
    qtbot: QtBot, menu: OwnerMenu, tools: OwnerTools, changes: dict[str, str], said: str
) -> None:
    tools.access.sign_in("demo-owner", "9001")
    window = _open(qtbot, menu)
    email = window.section(EmailSection)
    assert isinstance(email, EmailSection)
    clinic = window.section(ClinicProfileSection)
    assert isinstance(clinic, ClinicProfileSection)
    fields = {
        "email_receipts_enabled": lambda v: email.enabled.setChecked(v == "true"),
        "smtp_host": email.host.setText,
        "smtp_from": email.from_address.setText,
        "smtp_port": lambda v: None,  # the spin box cannot hold it: the service's own check
        "payment_finished_url": clinic.finished_page.setText,
    }
    for name, value in changes.items():
        fields[name](value)
    if "smtp_port" in changes:
        with pytest.raises(ConfigError, match="port is a number"):
            tools.settings.save(changes)
        return
    window.save_button.click()
    qtbot.waitUntil(lambda: window.status.text().startswith(said), timeout=WAIT_MS)
    assert tools.settings.settings.smtp_host == ""


def test_the_test_email_is_refused_to_someone_who_may_not_change_settings(
    tools: OwnerTools,
) -> None:
    tools.access.sign_in("demo-staff", "9002")
    with pytest.raises(PermissionDenied, match="can't change settings"):
        tools.settings.test_email(EMAIL_SETTINGS | {"smtp_port": str(free_port())})


def _click(qtbot: QtBot, box: QMessageBox, label: str) -> None:
    button = next(b for b in box.buttons() if b.text() == label)
    button.click()
