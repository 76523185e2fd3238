"""Settings: where data lives, which mode we run in, the URLs, timeouts and the counter's identity.

Defaults live here; a TOML settings file in the user's config folder overrides them; environment
variables (``POS_APP_<NAME>``) override both. Secrets (PayMongo keys, the clinic token) never come
from the settings file: they come from the operating system's keyring or, for CI, the environment.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import logging
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from pos_app.domain.errors import ConfigError

if typing.TYPE_CHECKING:  # made only when something is wrong: not on the way to the first paint
    from pos_app.settings_problems import SettingProblem

APP_DIR_NAME = "Kaha"
SETTINGS_FILE_NAME = "settings.toml"
ENV_PREFIX = "POS_APP_"
SECRET_SETTING_NAMES = frozenset(
    {
        "paymongo_secret_key",
        "paymongo_public_key",
        "paymongo_webhook_secret",
        "clinic_token",
        "smtp_password",  # the clinic's mail server, for email receipts
    }
)
KEYRING_SERVICE = "kaha-pos"

log = logging.getLogger(__name__)


class Mode(enum.StrEnum):
    """Which PayMongo we talk to; it follows the key, never a separate switch."""

    SANDBOX = "sandbox"  # no key: the embedded pos_sandbox stands in for PayMongo
    TEST = "test"  # sk_test_ key: PayMongo's test mode, no real money
    LIVE = "live"  # sk_live_ key: real money


class VatRegistration(enum.StrEnum):
    VAT = "vat"
    NON_VAT = "non_vat"


class SmtpSecurity(enum.StrEnum):
    """How the connection to the clinic's mail server is protected."""

    STARTTLS = "starttls"  # plain connection upgraded to TLS (usually port 587)
    SSL = "ssl"  # TLS from the start (usually port 465)
    NONE = "none"  # no TLS: only for a mail server on this computer or the clinic's network


class PrinterKind(enum.StrEnum):
    PDF = "pdf"  # a PDF file per receipt in the data folder (and the system print dialog)
    ESCPOS_NETWORK = "escpos_network"  # thermal printer on the LAN, printer_address = host[:port]
    ESCPOS_USB = "escpos_usb"  # printer_address = "vendor_id:product_id" in hex
    ESCPOS_FILE = "escpos_file"  # printer_address = device path such as /dev/usb/lp0


@dataclass(frozen=True)
class Settings:
    """Everything the app is configured with, apart from secrets (see ``Secrets``)."""

    data_dir: Path
    config_dir: Path
    database_url: str = ""
    # sandbox mode's own database (default: kaha.sqlite3 in the data folder's "practice" folder):
    # practice never takes an invoice number, a grand total or a reading from the real books
    practice_database_url: str = ""
    paymongo_base_url: str = "https://api.paymongo.com"
    clinic_base_url: str = ""
    clinic_sync_interval_s: float = 30.0  # how often bills are pulled and changes sent
    terminal_id: str = "01"
    invoice_prefix: str = "MAIN"
    clinic_name: str = "Dorotheo Dental Clinic - Main"
    clinic_registered_name: str = "Dorotheo Dental Clinic"
    clinic_tin: str = "000-000-000-00000"
    clinic_address: str = "Manila, Philippines"
    clinic_time_zone: str = "Asia/Manila"  # an IANA name: walk-in bill numbers use its clock
    vat_registration: VatRegistration = VatRegistration.NON_VAT
    # BIR POS details printed on every invoice, per terminal
    permit_to_use_number: str = "PTU-SANDBOX-0000"
    machine_id: str = "MIN-SANDBOX-01"
    machine_serial_number: str = "SN-SANDBOX-01"
    accreditation_number: str = "ACC-SANDBOX-0000"
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 15.0
    request_deadline_s: float = 30.0
    keyed_card_enabled: bool = False
    # the page the patient's phone lands on after paying by e-wallet or card checkout (the
    # clinic's own; default: the sandbox's, else the clinic server's; docs/payment-finished.md)
    payment_finished_url: str = ""
    # GCash and GrabPay through PayMongo's older Sources flow, for accounts where e-wallets are
    # not activated on Payment Intents; Maya always uses Payment Intents (Sources has no Maya)
    wallet_sources: bool = False
    webhook_receiver_enabled: bool = False
    webhook_receiver_port: int = 8765
    printer_kind: PrinterKind = PrinterKind.PDF
    printer_address: str = ""
    idle_lock_minutes: int = 5
    # how often PayMongo's payments are reconciled while the counter takes PayMongo payments
    reconcile_minutes: int = 5
    # SQLite backups (pos_app.storage.backup): daily and after each Z-reading, into this folder
    # (default: "backups" in the data folder); those older than backup_keep_days are deleted,
    # but never the newest backup_keep_at_least
    backup_dir: Path | None = None
    backup_keep_days: int = 30
    backup_keep_at_least: int = 3
    # email receipts (off by default; docs/email-receipts.md): the invoice PDF through the
    # clinic's own mail server; its password is the secret smtp_password, in the keyring
    email_receipts_enabled: bool = False
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: SmtpSecurity = SmtpSecurity.STARTTLS
    smtp_user: str = ""
    smtp_from: str = ""  # the sender address patients see, e.g. "Clinic <billing@clinic.ph>"
    log_level: str = "INFO"
    settings_file: Path | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not self.database_url:
            db_path = self.data_dir / "kaha.sqlite3"
            object.__setattr__(self, "database_url", f"sqlite:///{db_path}")
        if self.backup_dir is None:
            object.__setattr__(self, "backup_dir", self.data_dir / "backups")

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def backups(self) -> Path:
        """Where SQLite backups go (``backup_dir``, set by ``__post_init__`` when not given)."""
        return self.backup_dir or self.data_dir / "backups"


PRACTICE_FOLDER_NAME = "practice"
LAST_BOOKS_FILE_NAME = "books-last-opened.txt"  # "practice" or "real": which one to paint first


def practice_settings(settings: Settings) -> Settings:
    """Sandbox mode's books: the database, receipts and backups in the data folder's "practice"
    folder (or ``practice_database_url``), apart from the real ones (docs/practice.md)."""
    return dataclasses.replace(
        settings,
        data_dir=settings.data_dir / PRACTICE_FOLDER_NAME,
        database_url=settings.practice_database_url,
        backup_dir=None,
    )


def books_settings(settings: Settings, mode: Mode) -> Settings:
    """The settings of the books a mode writes in: practice for sandbox, else the real ones."""
    return practice_settings(settings) if mode is Mode.SANDBOX else settings


def first_paint_settings(settings: Settings) -> Settings:
    """The books opened last time: the first paint reads them before the keys (and so the mode)
    are known; if the mode changed since, the queue is read again once the books are open."""
    try:
        last = (settings.data_dir / LAST_BOOKS_FILE_NAME).read_text(encoding="utf-8").strip()
    except OSError:
        return settings
    return practice_settings(settings) if last == PRACTICE_FOLDER_NAME else settings


class Secrets(typing.NamedTuple):  # not a dataclass: this module loads before the first paint
    """Keys and tokens; repr never shows them."""

    paymongo_secret_key: str | None = None
    paymongo_public_key: str | None = None
    paymongo_webhook_secret: str | None = None
    clinic_token: str | None = None
    smtp_password: str | None = None

    def __repr__(self) -> str:
        shown = {name: "set" if value else "unset" for name, value in self._asdict().items()}
        return f"Secrets({shown})"

    @property
    def mode(self) -> Mode:
        return mode_for_key(self.paymongo_secret_key)


def mode_for_key(secret_key: str | None) -> Mode:
    """The mode follows the key: none means sandbox, sk_test_ test, sk_live_ live."""
    if not secret_key:
        return Mode.SANDBOX
    if secret_key.startswith("sk_test_"):
        return Mode.TEST
    if secret_key.startswith("sk_live_"):
        return Mode.LIVE
    raise ConfigError(
        "The PayMongo secret key doesn't look right. It should start with sk_test_ or sk_live_.",
        detail="paymongo_secret_key has an unknown prefix",
    )


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Defaults, then the settings file, then ``POS_APP_*`` environment variables.

    Raises ``StartupProblems`` naming every bad setting at once, each with where it came from."""
    env = os.environ if environ is None else environ
    config_dir = Path(
        env.get(ENV_PREFIX + "CONFIG_DIR") or platformdirs.user_config_dir(APP_DIR_NAME)
    )
    data_dir = Path(env.get(ENV_PREFIX + "DATA_DIR") or platformdirs.user_data_dir(APP_DIR_NAME))
    settings_file = config_dir / SETTINGS_FILE_NAME
    values: dict[str, object] = {}
    problems: list[SettingProblem] = []
    if settings_file.exists():
        values.update(_read_settings_file(settings_file, problems))
    for name in _field_types():
        variable = ENV_PREFIX + name.upper()
        env_value = env.get(variable)
        if env_value is not None and name not in ("data_dir", "config_dir"):
            source = f"the environment variable {variable}"
            fix = f"set {variable} to {_describe_type(_target(name))}, or unset it"
            coerced = _coerce(name, env_value, source, fix, problems)
            if coerced is not _BAD:
                values[name] = coerced
    if problems:
        from pos_app.settings_problems import StartupProblems

        raise StartupProblems(problems)
    values.pop("data_dir", None)
    values.pop("config_dir", None)
    return Settings(
        data_dir=data_dir,
        config_dir=config_dir,
        settings_file=settings_file,
        **values,  # type: ignore[arg-type]
    )


@functools.cache
def _field_types() -> Mapping[str, object]:
    hints = typing.get_type_hints(Settings)
    return {
        f.name: hints[f.name] for f in dataclasses.fields(Settings) if f.name != "settings_file"
    }


def _problem(name: str, problem: str, source: str, fix: str) -> SettingProblem:
    from pos_app.settings_problems import SettingProblem

    return SettingProblem(name, problem, source, fix)


def _read_settings_file(path: Path, problems: list[SettingProblem]) -> dict[str, object]:
    where = f"the settings file {path}"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(
            _problem(
                "settings file",
                f"could not be read ({exc})",
                where,
                "let Kaha's user read the file, save it as UTF-8 text, or remove it",
            )
        )
        return {}
    except tomllib.TOMLDecodeError as exc:
        problems.append(
            _problem(
                "settings file",
                f"could not be understood: {exc}",
                where,
                "fix that line (name = value, text in double quotes) or remove the file",
            )
        )
        return {}
    known = _field_types()
    values: dict[str, object] = {}
    for name, value in raw.items():
        if name in SECRET_SETTING_NAMES:
            problems.append(
                _problem(
                    name,
                    "is a secret and must not be kept in a file",
                    where,
                    f"remove the line and store it in the keyring: pos-app --set-secret {name}",
                )
            )
        elif name not in known:
            problems.append(
                _problem(
                    f"'{name}'",
                    "is not a setting Kaha knows",
                    where,
                    "check its spelling, or remove the line",
                )
            )
        else:
            fix = f"change the line to {name} = {_example(name)}, or remove it for the default"
            coerced = _coerce(name, value, where, fix, problems)
            if coerced is not _BAD:
                values[name] = coerced
    return values


_BAD = object()  # a value _coerce refused (the problem is in the list)


def _target(name: str) -> object:
    target = _field_types()[name]
    if isinstance(target, types.UnionType):  # "X | None": only Path | None here
        target = next(arg for arg in typing.get_args(target) if arg is not type(None))
    return target


def _example(name: str) -> str:
    """The setting's default written as it goes in the TOML file."""
    default = next(f.default for f in dataclasses.fields(Settings) if f.name == name)
    if isinstance(default, bool):
        return "true" if default else "false"
    if isinstance(default, (int, float)):
        return str(default)
    if isinstance(default, enum.Enum):
        return f'"{default.value}"'
    return f'"{default}"'


def _coerce(
    name: str, value: object, where: str, fix: str, problems: list[SettingProblem]
) -> object:
    target = _target(name)
    try:
        return _convert(target, value)
    except ValueError:
        problems.append(
            _problem(
                name,
                f"has the value {value!r}, but it should be {_describe_type(target)}",
                where,
                fix,
            )
        )
        return _BAD


def parse_setting(name: str, text: str) -> object:
    """Setting ``name``'s value from ``text`` as the settings file would give it;
    ``ConfigError`` in plain words when it is not a value of that kind."""
    problems: list[SettingProblem] = []
    value = _coerce(name, text, "", "", problems)
    if value is _BAD:
        raise ConfigError(
            f"{name.replace('_', ' ').capitalize()} should be {_describe_type(_target(name))}."
        )
    return value


def _convert(target: object, value: object) -> object:
    if target is bool:
        return _to_bool(value)
    if target is int:
        if isinstance(value, bool):
            raise ValueError(value)
        return int(str(value))
    if target is float:
        if isinstance(value, bool):
            raise ValueError(value)
        result = float(str(value))
        if result <= 0:
            raise ValueError(value)
        return result
    if target is Path:
        return Path(str(value))
    if isinstance(target, type) and issubclass(target, enum.Enum):
        return target(str(value))
    if not isinstance(value, str):
        raise ValueError(value)
    return value


def _to_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ValueError(value)


def _describe_type(target: object) -> str:
    if target is bool:
        return "true or false"
    if target is int:
        return "a whole number"
    if target is float:
        return "a positive number"
    if isinstance(target, type) and issubclass(target, enum.Enum):
        return "one of " + ", ".join(repr(member.value) for member in target)
    return "text"


# What each key or secret starts with, from PayMongo's dashboard (Developers → API keys, Webhooks)
KEY_PREFIXES: Mapping[str, tuple[str, ...]] = {
    "paymongo_secret_key": ("sk_test_", "sk_live_"),
    "paymongo_public_key": ("pk_test_", "pk_live_"),
    "paymongo_webhook_secret": ("whsk_",),
}


def load_secrets(environ: Mapping[str, str] | None = None) -> Secrets:
    """Secrets from the environment first (CI), then the keyring; missing ones stay None.

    Raises ``StartupProblems`` naming every key with the wrong prefix and where it came from."""
    secrets, problems = _read_secrets(environ)
    if problems:
        from pos_app.settings_problems import StartupProblems

        raise StartupProblems(problems)
    return secrets


def secret_problems(environ: Mapping[str, str] | None = None) -> list[SettingProblem]:
    """The bad keys, without raising: added to the settings' problems so that one message says
    everything that is wrong (never the keys' values, only their first characters)."""
    return _read_secrets(environ)[1]


def _read_secrets(environ: Mapping[str, str] | None) -> tuple[Secrets, list[SettingProblem]]:
    env = os.environ if environ is None else environ
    found: dict[str, str | None] = {}
    problems: list[SettingProblem] = []
    for name in sorted(SECRET_SETTING_NAMES):
        variable = name.upper()
        value = env.get(variable)
        source = f"the environment variable {variable}"
        fix = f"set {variable} to the right key from the PayMongo dashboard, or unset it"
        if not value:
            value = _from_keyring(name)
            source = f"the keyring (service {KEYRING_SERVICE!r}, name {name!r})"
            fix = f"store the right key with: pos-app --set-secret {name}"
        found[name] = value
        prefixes = KEY_PREFIXES.get(name)
        if value and prefixes and not value.startswith(prefixes):
            problems.append(_problem(name, _wrong_prefix(value, prefixes), source, fix))
    return Secrets(**found), problems


def _wrong_prefix(value: str, prefixes: tuple[str, ...]) -> str:
    """Says what the key looks like by its known prefix only: nothing more of it is shown."""
    wanted = " or ".join(prefixes)
    every = [prefix for kind in KEY_PREFIXES.values() for prefix in kind]
    known = [prefix for prefix in every if value.startswith(prefix)]
    if known:
        return f"starts with {known[0]}, but it should start with {wanted} (a swapped key?)"
    return f"does not start with {wanted}"


def _from_keyring(name: str) -> str | None:
    try:
        import keyring
        import keyring.errors

        value = keyring.get_password(KEYRING_SERVICE, name)
    except Exception:  # no keyring backend on this machine: secrets must come from the environment
        log.debug("no keyring available for %s", name)
        return None
    return value if isinstance(value, str) and value else None


def store_secret(name: str, value: str) -> None:
    """Store a secret in the operating system's keyring; ``ConfigError`` (in one sentence, with
    the fix) when the value is not a key of that kind or there is no usable keyring."""
    if name not in SECRET_SETTING_NAMES:
        raise ConfigError(
            f"'{name}' is not a secret Kaha knows. Use one of: "
            + ", ".join(sorted(SECRET_SETTING_NAMES))
        )
    prefixes = KEY_PREFIXES.get(name)
    if not value:
        raise ConfigError(f"Nothing was stored: the {name} given was empty.")
    if prefixes and not value.startswith(prefixes):
        raise ConfigError(f"Nothing was stored: {name} {_wrong_prefix(value, prefixes)}.")
    from pos_app.keyring_store import write_secret

    write_secret(KEYRING_SERVICE, name, value)  # KeyringUnavailable, never a plain-text file
