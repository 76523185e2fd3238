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

APP_DIR_NAME = "Kaha"
SETTINGS_FILE_NAME = "settings.toml"
ENV_PREFIX = "POS_APP_"
SECRET_SETTING_NAMES = frozenset(
    {"paymongo_secret_key", "paymongo_public_key", "paymongo_webhook_secret", "clinic_token"}
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
    paymongo_base_url: str = "https://api.paymongo.com"
    clinic_base_url: str = ""
    clinic_sync_interval_s: float = 30.0  # how often bills are pulled and changes sent
    terminal_id: str = "01"
    invoice_prefix: str = "MAIN"
    clinic_name: str = "Dorotheo Dental Clinic - Main"
    clinic_registered_name: str = "Dorotheo Dental Clinic"
    clinic_tin: str = "000-000-000-00000"
    clinic_address: str = "Manila, Philippines"
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
    # GCash and GrabPay through PayMongo's older Sources flow, for accounts where e-wallets are
    # not activated on Payment Intents; Maya always uses Payment Intents (Sources has no Maya)
    wallet_sources: bool = False
    webhook_receiver_enabled: bool = False
    webhook_receiver_port: int = 8765
    printer_kind: PrinterKind = PrinterKind.PDF
    printer_address: str = ""
    idle_lock_minutes: int = 5
    log_level: str = "INFO"
    settings_file: Path | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not self.database_url:
            db_path = self.data_dir / "kaha.sqlite3"
            object.__setattr__(self, "database_url", f"sqlite:///{db_path}")

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"


class Secrets(typing.NamedTuple):  # not a dataclass: this module loads before the first paint
    """Keys and tokens; repr never shows them."""

    paymongo_secret_key: str | None = None
    paymongo_public_key: str | None = None
    paymongo_webhook_secret: str | None = None
    clinic_token: str | None = None

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


def default_config_dir() -> Path:
    return Path(
        os.environ.get(ENV_PREFIX + "CONFIG_DIR") or platformdirs.user_config_dir(APP_DIR_NAME)
    )


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Defaults, then the settings file, then ``POS_APP_*`` environment variables."""
    env = os.environ if environ is None else environ
    config_dir = Path(
        env.get(ENV_PREFIX + "CONFIG_DIR") or platformdirs.user_config_dir(APP_DIR_NAME)
    )
    data_dir = Path(env.get(ENV_PREFIX + "DATA_DIR") or platformdirs.user_data_dir(APP_DIR_NAME))
    settings_file = config_dir / SETTINGS_FILE_NAME
    values: dict[str, object] = {}
    if settings_file.exists():
        values.update(_read_settings_file(settings_file))
    for name in _field_types():
        env_value = env.get(ENV_PREFIX + name.upper())
        if env_value is not None and name not in ("data_dir", "config_dir"):
            values[name] = _coerce(
                name, env_value, f"environment variable {ENV_PREFIX}{name.upper()}"
            )
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


def _read_settings_file(path: Path) -> dict[str, object]:
    where = f"the settings file {path}"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Kaha could not read {where}.", detail=str(exc)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"Kaha could not understand {where}: {exc}. Fix that line or remove the file.",
            detail=str(exc),
        ) from exc
    known = _field_types()
    values: dict[str, object] = {}
    for name, value in raw.items():
        if name in SECRET_SETTING_NAMES:
            raise ConfigError(
                f"The setting '{name}' in {where} is a secret and must not be kept in a file. "
                "Remove it and store it with: pos-app --set-secret " + name
            )
        if name not in known:
            raise ConfigError(
                f"Kaha doesn't know the setting '{name}' in {where}. Check its spelling."
            )
        values[name] = _coerce(name, value, where)
    return values


def _coerce(name: str, value: object, where: str) -> object:
    target = _field_types()[name]
    if isinstance(target, types.UnionType):  # "X | None": only Path | None here
        target = next(arg for arg in typing.get_args(target) if arg is not type(None))
    try:
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
    except ValueError as exc:
        expected = _describe_type(target)
        raise ConfigError(
            f"The setting '{name}' in {where} has the value {value!r}, "
            f"but it should be {expected}.",
            detail=f"{name}={value!r}",
        ) from exc


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


def load_secrets(environ: Mapping[str, str] | None = None) -> Secrets:
    """Secrets from the environment first (CI), then the keyring; missing ones stay None."""
    env = os.environ if environ is None else environ
    found: dict[str, str | None] = {}
    for name in SECRET_SETTING_NAMES:
        found[name] = env.get(name.upper()) or _from_keyring(name)
    secrets = Secrets(**found)
    mode_for_key(secrets.paymongo_secret_key)  # refuses a malformed key early
    return secrets


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
    """Store a secret in the operating system's keyring."""
    if name not in SECRET_SETTING_NAMES:
        raise ConfigError(
            f"'{name}' is not a secret Kaha knows. Use one of: "
            + ", ".join(sorted(SECRET_SETTING_NAMES))
        )
    import keyring

    keyring.set_password(KEYRING_SERVICE, name, value)


def configure_logging(settings: Settings, *, verbose: bool = False) -> Path:
    """A rotating log file in the data folder (and the console with --verbose); returns its path."""
    import logging.handlers  # socket, pickle, queue...: loaded when the log is opened

    settings.log_dir.mkdir(parents=True, exist_ok=True)
    log_path = settings.log_dir / "kaha.log"
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else settings.log_level.upper())
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
    file_handler = logging.handlers.RotatingFileHandler(
        log_path, maxBytes=5_000_000, backupCount=5, encoding="utf-8"
    )
    file_handler.setFormatter(formatter)
    root.addHandler(file_handler)
    if verbose:
        console = logging.StreamHandler()
        console.setFormatter(formatter)
        root.addHandler(console)
    return log_path
