"""The owner's settings: the settings file, keys in the keyring, and the checks that go with them.

Non-secret settings (clinic profile, clinic server address, printer, idle time, the
payment-finished page, the mail server for email receipts) are written to
the settings file the app reads at start (config.load_settings), keeping any comments the owner
wrote there. Keys and tokens go only to the operating system's keyring (keyring_store): never
to the file, the database, the audit or a log. Every change is audited under the signed-in
person's name with the setting's name (and, for what is not secret, the old and new value).
Every use case calls ``access.require(CHANGE_SETTINGS)`` itself.

Threading contract: every method except ``mask``, ``needs_live_confirmation`` and ``settings``
blocks (the database, the keyring, a file or the network): call it from a worker.
"""

from __future__ import annotations

import dataclasses
import os
import smtplib
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from enum import Enum
from pathlib import Path
from typing import Final

import tomlkit

from pos_app.config import (
    KEY_PREFIXES,
    KEYRING_SERVICE,
    SETTINGS_FILE_NAME,
    Mode,
    PrinterKind,
    Settings,
    SmtpSecurity,
    mode_for_key,
    parse_setting,
    store_secret,
)
from pos_app.domain.clinic_time import wall_clock, zone_named
from pos_app.domain.clock import Clock
from pos_app.domain.errors import ConfigError, PosError, UserFacingError
from pos_app.domain.roles import Permission
from pos_app.http_policy import Timeouts
from pos_app.keyring_store import keyring_problem, read_secret
from pos_app.services.access import AccessService
from pos_app.storage import Database

__all__ = [
    "EDITABLE",
    "KEY_LABELS",
    "Check",
    "LiveKeyNotConfirmed",
    "SettingsService",
    "SettingsSnapshot",
]

SETTINGS_CHANGED: Final = "settings_changed"  # audit action for a setting in the file
KEY_STORED: Final = "key_stored"  # audit action for a key put in the keyring (never its value)

# What the window edits, each written to the settings file (other settings stay file-only)
EDITABLE: Final = (
    "clinic_name",
    "clinic_registered_name",
    "clinic_tin",
    "clinic_address",
    "vat_registration",
    "clinic_base_url",
    "printer_kind",
    "printer_address",
    "idle_lock_minutes",
    "payment_finished_url",
    "email_receipts_enabled",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_user",
    "smtp_from",
)
KEY_LABELS: Final[Mapping[str, str]] = {
    "paymongo_secret_key": "PayMongo secret key",
    "paymongo_public_key": "PayMongo public key",
    "paymongo_webhook_secret": "PayMongo webhook secret",
    "clinic_token": "Clinic server token",
    "smtp_password": "Mail server password",
}
PASSWORDS: Final = frozenset({"smtp_password"})  # shown only as stored / not set, never a part
_MAX_IDLE_MINUTES: Final = 240


class LiveKeyNotConfirmed(UserFacingError):
    """A LIVE key was given without the owner confirming that real money will move."""

    default_message = (
        "This is a LIVE PayMongo key: patients will pay real money. Please confirm before "
        "Kaha uses it."
    )


@dataclass(frozen=True, slots=True)
class Check:
    """The answer of a "Test connection" or "Print test page", in plain words."""

    ok: bool
    message: str


@dataclass(frozen=True, slots=True)
class SettingsSnapshot:
    values: Mapping[str, str]  # EDITABLE setting -> its value as text
    keys: Mapping[str, str]  # key name -> how it is shown: masked, or "not set"
    mode: Mode  # what the stored secret key means (sandbox when none)
    keyring_problem: str | None  # one sentence with the fix, when keys cannot be stored
    settings_file: Path


class SettingsService:
    """Read and change the counter's settings and keys, for someone allowed to."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        access: AccessService,
        clock: Clock,
        *,
        timeouts: Timeouts | None = None,
    ) -> None:
        self._settings = settings
        self._database = database
        self._access = access
        self._clock = clock
        self._timeouts = timeouts or Timeouts()

    @property
    def settings(self) -> Settings:
        """The settings as last saved (start-up's, until the owner saves)."""
        return self._settings

    @property
    def settings_file(self) -> Path:
        return self._settings.settings_file or self._settings.config_dir / SETTINGS_FILE_NAME

    # --- reading -------------------------------------------------------------------------------

    def snapshot(self) -> SettingsSnapshot:
        self._access.require(Permission.CHANGE_SETTINGS)
        values = {name: _as_text(getattr(self._settings, name)) for name in EDITABLE}
        stored = {name: _secret(name) for name in KEY_LABELS}
        shown = {
            name: _shown(name, value) if value else "not set" for name, value in stored.items()
        }
        try:
            mode = mode_for_key(stored["paymongo_secret_key"])
        except ConfigError:
            mode = Mode.SANDBOX
        return SettingsSnapshot(values, shown, mode, keyring_problem(), self.settings_file)

    # --- changing ------------------------------------------------------------------------------

    def save(self, changes: Mapping[str, str]) -> list[str]:
        """Write the changed settings to the file, audited; the names that changed."""
        person = self._access.require(Permission.CHANGE_SETTINGS)
        parsed = {name: _checked(name, text) for name, text in changes.items()}
        _check_email_complete(self._settings, parsed)
        changed = {
            name: value for name, value in parsed.items() if getattr(self._settings, name) != value
        }
        if not changed:
            return []
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            for name, value in changed.items():
                uow.audit.append(
                    at=now,
                    actor=person.name,
                    action=SETTINGS_CHANGED,
                    subject=f"setting:{name}",
                    details={
                        "setting": name,
                        "from": _as_text(getattr(self._settings, name)),
                        "to": _as_text(value),
                    },
                )
            self._write_file(changed)
            uow.commit()
        self._settings = dataclasses.replace(self._settings, **changed)  # type: ignore[arg-type]
        return list(changed)

    def needs_live_confirmation(self, name: str, value: str) -> bool:
        return name == "paymongo_secret_key" and value.strip().startswith("sk_live_")

    def store_key(self, name: str, value: str, *, live_confirmed: bool = False) -> str:
        """Put a key into the keyring, audited without its value; how it is shown from now on.

        ``KeyringUnavailable`` (nothing stored) without a usable keyring; ``LiveKeyNotConfirmed``
        for a LIVE secret key unless ``live_confirmed``."""
        person = self._access.require(Permission.CHANGE_SETTINGS)
        if name not in KEY_LABELS:
            raise ConfigError(f"'{name}' is not a key Kaha keeps.")
        value = value.strip()
        if self.needs_live_confirmation(name, value) and not live_confirmed:
            raise LiveKeyNotConfirmed()
        with self._database.unit_of_work() as uow:
            details: dict[str, str] = {"setting": name}
            if name == "paymongo_secret_key" and value.startswith(("sk_test_", "sk_live_")):
                details["mode"] = mode_for_key(value).value
            uow.audit.append(
                at=self._clock.now(),
                actor=person.name,
                action=KEY_STORED,
                subject=f"key:{name}",
                details=details,
            )
            store_secret(name, value)  # checks the prefix and the keyring; raises before commit
            uow.commit()
        return _shown(name, value)

    # --- checks --------------------------------------------------------------------------------

    def test_paymongo(self, secret_key: str = "") -> Check:
        """One cheap request with ``secret_key`` (the stored one when empty)."""
        self._access.require(Permission.CHANGE_SETTINGS)
        from pos_app.domain.account_methods import AccountMethods
        from pos_app.domain.tender import TenderMethod
        from pos_app.paymongo import PayMongoClient

        key = secret_key.strip() or _secret("paymongo_secret_key")
        if not key:
            return Check(False, "No PayMongo key is stored yet: type the secret key first.")
        if not key.startswith(KEY_PREFIXES["paymongo_secret_key"]):
            return Check(False, "A PayMongo secret key starts with sk_test_ or sk_live_.")
        client = PayMongoClient(
            secret_key=key, base_url=self._settings.paymongo_base_url, timeouts=self._timeouts
        )
        try:
            methods = AccountMethods.from_capabilities(client.payment_method_capabilities())
        except PosError as exc:
            return Check(False, f"PayMongo did not accept it: {exc.user_message}")
        finally:
            client.close()
        offered = [
            m.label for m in TenderMethod if m is not TenderMethod.CASH and methods.offers(m)
        ]
        mode = mode_for_key(key).value.upper()
        return Check(
            True,
            f"PayMongo answered: the key works ({mode} mode). The account takes "
            f"{', '.join(offered) or 'no online payments yet'}.",
        )

    def test_clinic(self, base_url: str, token: str = "") -> Check:
        """One cheap request to the clinic server with ``token`` (the stored one when empty)."""
        self._access.require(Permission.CHANGE_SETTINGS)
        from pos_app.clinic import ClinicClient

        url = _checked("clinic_base_url", base_url)
        token = token.strip() or _secret("clinic_token") or ""
        if not url or not token:
            return Check(False, "Type the clinic server's address and its token first.")
        client = ClinicClient(base_url=str(url), token=token, timeouts=self._timeouts)
        try:
            count = client.check()
        except PosError as exc:
            return Check(
                False, f"The clinic server did not answer as it should: {exc.user_message}"
            )
        finally:
            client.close()
        return Check(True, f"The clinic server answered: it has {count} bills.")

    def print_test_page(self, kind: str, address: str) -> Check:
        """A short page on the printer as chosen in the window (saved or not yet)."""
        self._access.require(Permission.CHANGE_SETTINGS)
        from pos_app.printing import encode_escpos, save_pdf, send_to_printer
        from pos_app.printing.document import ReceiptDocument, TextBlock, TitleBlock

        printer = _checked("printer_kind", kind)
        assert isinstance(printer, PrinterKind)
        when = wall_clock(self._clock.now(), zone_named(self._settings.clinic_time_zone))
        page = ReceiptDocument(
            (
                TitleBlock("TEST PAGE"),
                TextBlock(self._settings.clinic_name),
                TextBlock(f"Counter {self._settings.terminal_id}, {when}"),
                TextBlock("If you can read this, Kaha can print here."),
            ),
            name="test-page",
        )
        try:
            if printer is PrinterKind.PDF:
                path = save_pdf(page, self._settings.data_dir / "receipts" / "test-page.pdf")
                return Check(True, f"Saved a test page as PDF: {path}")
            send_to_printer(encode_escpos(page), printer, address.strip())
        except PosError as exc:
            return Check(False, exc.user_message)
        return Check(True, "Sent a test page to the receipt printer.")

    def test_email(self, values: Mapping[str, str], password: str = "") -> Check:
        """A short email to the From address through the mail server as typed in the window
        (saved or not yet), with ``password`` (the stored one when empty); the same sending
        code as email receipts."""
        self._access.require(Permission.CHANGE_SETTINGS)
        from pos_app.services.email_receipts import (
            MailServer,
            mail_trouble,
            send_mail,
            trial_message,
        )

        host = str(_checked("smtp_host", values.get("smtp_host", "")))
        sender = str(_checked("smtp_from", values.get("smtp_from", "")))
        if not host or not sender:
            return Check(False, "Type the mail server and the From address first.")
        port = _checked("smtp_port", values.get("smtp_port", "587"))
        security = _checked("smtp_security", values.get("smtp_security", "starttls"))
        assert isinstance(port, int)
        assert isinstance(security, SmtpSecurity)
        server = MailServer(
            host=host,
            port=port,
            security=security,
            sender=sender,
            user=str(_checked("smtp_user", values.get("smtp_user", ""))),
            password=password or _secret("smtp_password"),
            timeout_s=self._timeouts.total_s,
        )
        try:
            send_mail(server, trial_message(sender, self._settings.clinic_name))
        except (OSError, smtplib.SMTPException) as exc:
            return Check(False, f"The mail server did not take the test email: {mail_trouble(exc)}")
        return Check(True, f"The mail server took a test email to {sender}: look in its inbox.")

    # --- the file ------------------------------------------------------------------------------

    def _write_file(self, changed: Mapping[str, object]) -> None:
        """Rewrite the settings file with ``changed``, keeping everything else in it; atomic."""
        path = self.settings_file
        document = (
            tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
        )
        for name, value in changed.items():
            document[name] = _as_toml(value)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".toml")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(tomlkit.dumps(document))
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def mask(value: str) -> str:
    """A key as the window shows it: its known prefix and last four characters only."""
    prefix = next(
        (p for kind in KEY_PREFIXES.values() for p in kind if value.startswith(p)),
        "",
    )
    return f"{prefix}…{value[-4:]}" if len(value) > len(prefix) + 8 else f"{prefix}…"


def _shown(name: str, value: str) -> str:
    """How a stored secret is shown: a key by ``mask``, a password only as stored."""
    return "stored (hidden)" if name in PASSWORDS else mask(value)


def _check_email_complete(current: Settings, parsed: Mapping[str, object]) -> None:
    """Email receipts turned on need a mail server and a From address."""

    def now(name: str) -> object:
        return parsed.get(name, getattr(current, name))

    if now("email_receipts_enabled") is True and not (now("smtp_host") and now("smtp_from")):
        raise ConfigError("To send email receipts, type the mail server and the From address.")


def _secret(name: str) -> str | None:
    return os.environ.get(name.upper()) or read_secret(KEYRING_SERVICE, name)


def _checked(name: str, text: str) -> object:
    """The setting's value from the window's text; ConfigError in plain words if it is wrong."""
    if name not in EDITABLE:
        raise ConfigError(f"'{name}' cannot be changed here.")
    value = parse_setting(name, text.strip())
    if name == "idle_lock_minutes" and not 0 <= int(str(value)) <= _MAX_IDLE_MINUTES:
        raise ConfigError(
            f"The idle time is 0 to {_MAX_IDLE_MINUTES} minutes (0: never lock by itself)."
        )
    if name == "clinic_base_url" and value and not str(value).startswith(("http://", "https://")):
        raise ConfigError("The clinic server's address starts with https:// (or http://).")
    if name == "payment_finished_url" and value and not str(value).startswith("https://"):
        raise ConfigError("The payment-finished page's address starts with https://.")
    if name == "smtp_port" and not 1 <= int(str(value)) <= 65535:
        raise ConfigError("The mail server's port is a number from 1 to 65535 (often 587).")
    if name == "smtp_from" and value:
        _checked_sender(str(value))
    if name in ("clinic_name", "clinic_registered_name", "clinic_tin") and not value:
        raise ConfigError("The clinic's name and TIN cannot be empty: they print on invoices.")
    return value


def _checked_sender(text: str) -> None:
    """A From address, plain (billing@clinic.ph) or with a name (Clinic <billing@clinic.ph>)."""
    _, address = parseaddr(text)
    if "@" not in address or "." not in address.rpartition("@")[2]:
        raise ConfigError(
            "The From address doesn't look right. Type it like billing@clinic.ph "
            "or Clinic <billing@clinic.ph>."
        )


def _as_text(value: object) -> str:
    return str(getattr(value, "value", value))


def _as_toml(value: object) -> object:
    return value.value if isinstance(value, Enum) else value
