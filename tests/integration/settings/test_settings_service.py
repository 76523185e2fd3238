"""The settings service: the file the app reads, keys only in the keyring, every change audited
under the signed-in person, the role checked here and not only in the window."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from pos_app.app import main
from pos_app.config import Settings, load_secrets, load_settings
from pos_app.domain.clock import FakeClock
from pos_app.domain.errors import ConfigError, PermissionDenied
from pos_app.keyring_store import NO_KEYRING_FIX, KeyringUnavailable
from pos_app.services.access import AccessService
from pos_app.services.settings_service import LiveKeyNotConfirmed, SettingsService
from pos_app.storage import Database
from pos_app.storage.repositories.audit import AuditEntry
from pos_app.storage.repositories.audit_breaks import first_break
from pos_sandbox.server import SandboxServer
from tests.memory_keyring import MemoryKeyring, no_keyring, using_keyring

LIVE_KEY = "sk_live_" + "Zq81vLmT0aXcR4p2Wn7yUb3e"
TEST_KEY = "sk_test_" + "hY6tQe2LkP9sVb4mNc1xRw8d"


def _audit(database: Database) -> list[AuditEntry]:
    with database.unit_of_work(read_only=True) as uow:
        assert first_break(uow.session) is None
        return [e for e in uow.audit.entries() if not e.actor.startswith("system:")]


def test_the_owner_changes_idle_minutes_saved_for_the_next_start_and_audited(
    service: SettingsService, access: AccessService, database: Database, settings: Settings
) -> None:
    access.sign_in("demo-owner", "9001")
    assert service.save({"idle_lock_minutes": "12", "clinic_tin": settings.clinic_tin}) == [
        "idle_lock_minutes"
    ]
    assert (
        load_settings(
            {
                "POS_APP_DATA_DIR": str(settings.data_dir),
                "POS_APP_CONFIG_DIR": str(settings.config_dir),
            }
        ).idle_lock_minutes
        == 12
    )
    assert service.settings.idle_lock_minutes == 12
    changed = [e for e in _audit(database) if e.action == "settings_changed"]
    assert [(e.actor, e.subject, dict(e.details)) for e in changed] == [
        (
            "demo-owner",
            "setting:idle_lock_minutes",
            {"setting": "idle_lock_minutes", "from": "5", "to": "12"},
        )
    ]
    assert service.save({"idle_lock_minutes": "12"}) == []  # nothing changed: nothing audited


def test_the_owners_comments_in_the_settings_file_are_kept(
    service: SettingsService, access: AccessService
) -> None:
    service.settings_file.parent.mkdir(parents=True)
    service.settings_file.write_text('# set up by Jun, 2026-11\nterminal_id = "02"\n')
    access.sign_in("demo-owner", "9001")
    service.save({"printer_kind": "escpos_network", "printer_address": "192.168.1.50:9100"})
    text = service.settings_file.read_text()
    assert text.startswith('# set up by Jun, 2026-11\nterminal_id = "02"\n')
    assert 'printer_kind = "escpos_network"' in text


@pytest.mark.parametrize("who", [None, ("demo-staff", "9002"), ("demo-receptionist", "9003")])
def test_only_someone_allowed_may_read_or_change_settings(
    service: SettingsService,
    access: AccessService,
    memory_keyring: MemoryKeyring,
    who: tuple[str, str] | None,
) -> None:
    if who is not None:
        access.sign_in(*who)
    for attempt in (
        service.snapshot,
        lambda: service.save({"idle_lock_minutes": "1"}),
        lambda: service.store_key("paymongo_secret_key", TEST_KEY),
        lambda: service.test_paymongo(TEST_KEY),
        lambda: service.print_test_page("pdf", ""),
    ):
        with pytest.raises(PermissionDenied, match="change settings"):
            attempt()
    assert not service.settings_file.exists()
    assert memory_keyring.values == {}


def test_wrong_values_are_refused_in_plain_words(
    service: SettingsService, access: AccessService
) -> None:
    access.sign_in("demo-owner", "9001")
    with pytest.raises(ConfigError, match="0 to 240 minutes"):
        service.save({"idle_lock_minutes": "999"})
    with pytest.raises(ConfigError, match="should be a whole number"):
        service.save({"idle_lock_minutes": "ten"})
    with pytest.raises(ConfigError, match="starts with https://"):
        service.save({"clinic_base_url": "records.clinic"})
    with pytest.raises(ConfigError, match="cannot be changed here"):
        service.save({"database_url": "sqlite://"})
    assert not service.settings_file.exists()


def test_keys_go_to_the_keyring_only_and_are_never_shown_or_audited_in_full(
    service: SettingsService,
    access: AccessService,
    database: Database,
    memory_keyring: MemoryKeyring,
) -> None:
    access.sign_in("demo-owner", "9001")
    assert service.store_key("paymongo_secret_key", f"  {TEST_KEY} ") == "sk_test_…Rw8d"
    assert memory_keyring.values == {("kaha-pos", "paymongo_secret_key"): TEST_KEY}
    assert load_secrets({}).paymongo_secret_key == TEST_KEY
    assert service.snapshot().keys["paymongo_secret_key"] == "sk_test_…Rw8d"
    assert service.snapshot().keys["clinic_token"] == "not set"
    stored = [e for e in _audit(database) if e.action == "key_stored"]
    assert [(e.actor, dict(e.details)) for e in stored] == [
        ("demo-owner", {"setting": "paymongo_secret_key", "mode": "test"})
    ]
    with database.engine.connect() as connection:
        dumped = "".join(str(row) for row in connection.exec_driver_sql("SELECT * FROM audit_log"))
    assert TEST_KEY[8:] not in dumped
    assert not service.settings_file.exists()
    with pytest.raises(ConfigError, match="should start with pk_test_ or pk_live_"):
        service.store_key("paymongo_public_key", TEST_KEY)


def test_a_live_key_needs_the_owners_confirmation(
    service: SettingsService, access: AccessService, memory_keyring: MemoryKeyring
) -> None:
    access.sign_in("demo-owner", "9001")
    assert service.needs_live_confirmation("paymongo_secret_key", LIVE_KEY)
    with pytest.raises(LiveKeyNotConfirmed, match="real money"):
        service.store_key("paymongo_secret_key", LIVE_KEY)
    assert memory_keyring.values == {}
    assert (
        service.store_key("paymongo_secret_key", LIVE_KEY, live_confirmed=True) == "sk_live_…Ub3e"
    )
    assert load_secrets({}).mode.value == "live"


@pytest.mark.parametrize("backend", [no_keyring(), MemoryKeyring()])
def test_without_a_usable_keyring_nothing_is_stored_and_one_sentence_says_why(
    service: SettingsService, access: AccessService, database: Database, backend: object
) -> None:
    if isinstance(backend, MemoryKeyring):  # keyrings.alt's kind: keys in a plain-text file
        backend = type("PlaintextKeyring", (MemoryKeyring,), {})()
    access.sign_in("demo-owner", "9001")
    with using_keyring(backend):  # type: ignore[arg-type]
        assert service.snapshot().keyring_problem == NO_KEYRING_FIX
        with pytest.raises(KeyringUnavailable) as refused:
            service.store_key("paymongo_secret_key", TEST_KEY)
    assert refused.value.user_message == NO_KEYRING_FIX
    assert NO_KEYRING_FIX.count(". ") == 0
    assert NO_KEYRING_FIX.endswith(".")
    assert [e.action for e in _audit(database)] == ["signed_in"]  # nothing stored, nothing audited


def test_set_secret_without_a_keyring_says_how_to_fix_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("getpass.getpass", lambda _prompt: TEST_KEY)
    with using_keyring(no_keyring()):
        code = main(["--set-secret", "paymongo_secret_key"])
    said = capsys.readouterr()
    assert code != 0
    assert said.err == NO_KEYRING_FIX + "\n"
    assert "Traceback" not in said.err + said.out
    assert TEST_KEY not in said.err + said.out


def test_set_secret_stores_in_a_working_keyring(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("getpass.getpass", lambda _prompt: TEST_KEY)
    with using_keyring(MemoryKeyring()) as backend:
        assert main(["--set-secret", "paymongo_secret_key"]) == 0
    assert isinstance(backend, MemoryKeyring)
    assert backend.values == {("kaha-pos", "paymongo_secret_key"): TEST_KEY}
    assert capsys.readouterr().out == "Stored paymongo_secret_key in the keyring.\n"


@pytest.fixture
def sandbox(settings: Settings) -> Iterator[SandboxServer]:
    server = SandboxServer(data_path=settings.data_dir / "sandbox-state.json")
    server.start()
    yield server
    server.stop()


def test_test_connection_asks_paymongo_and_the_clinic_server_in_plain_words(
    settings: Settings,
    database: Database,
    access: AccessService,
    sandbox: SandboxServer,
    memory_keyring: MemoryKeyring,
) -> None:
    here = dataclasses.replace(settings, paymongo_base_url=sandbox.paymongo_url)
    service = SettingsService(here, database, access, FakeClock())
    access.sign_in("demo-owner", "9001")
    assert not service.test_paymongo("").ok  # nothing typed, nothing stored
    answer = service.test_paymongo(TEST_KEY)
    assert answer.ok, answer.message
    assert answer.message.startswith("PayMongo answered: the key works (TEST mode).")
    assert "GCash" in answer.message
    clinic = service.test_clinic(sandbox.clinic_url, sandbox.clinic_token)
    assert clinic.ok, clinic.message
    assert clinic.message.startswith("The clinic server answered: it has ")
    refused = service.test_clinic(sandbox.clinic_url, "not-the-token")
    assert not refused.ok
    assert refused.message.startswith("The clinic server did not answer as it should:")


def test_print_test_page_as_pdf(service: SettingsService, access: AccessService) -> None:
    access.sign_in("demo-owner", "9001")
    page = service.print_test_page("pdf", "")
    assert page.ok
    assert (service.settings.data_dir / "receipts" / "test-page.pdf").stat().st_size > 0
    thermal = service.print_test_page(
        "escpos_file", str(service.settings.data_dir / "nope" / "lp0")
    )
    assert not thermal.ok
