from __future__ import annotations

from pathlib import Path

import pytest

from pos_app.config import (
    Mode,
    PrinterKind,
    Secrets,
    VatRegistration,
    load_secrets,
    load_settings,
    mode_for_key,
)
from pos_app.domain.errors import ConfigError


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "POS_APP_DATA_DIR": str(tmp_path / "data"),
        "POS_APP_CONFIG_DIR": str(tmp_path / "config"),
        **extra,
    }


def _write_settings(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "config"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_keep_data_in_the_data_folder_not_the_working_directory(tmp_path: Path) -> None:
    settings = load_settings(_env(tmp_path))
    assert settings.data_dir == tmp_path / "data"
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'kaha.sqlite3'}"
    assert settings.log_dir == tmp_path / "data" / "logs"
    assert settings.printer_kind is PrinterKind.PDF


def test_settings_file_overrides_defaults_and_environment_overrides_the_file(
    tmp_path: Path,
) -> None:
    _write_settings(
        tmp_path, 'terminal_id = "03"\nvat_registration = "vat"\nidle_lock_minutes = 9\n'
    )
    settings = load_settings(_env(tmp_path, POS_APP_IDLE_LOCK_MINUTES="2"))
    assert settings.terminal_id == "03"
    assert settings.vat_registration is VatRegistration.VAT
    assert settings.idle_lock_minutes == 2


def test_database_url_from_environment(tmp_path: Path) -> None:
    url = "postgresql+psycopg://counter@db/kaha"
    assert load_settings(_env(tmp_path, POS_APP_DATABASE_URL=url)).database_url == url


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('idle_lock_minutes = "soon"\n', ["idle_lock_minutes", "whole number"]),
        ('vat_registration = "maybe"\n', ["vat_registration", "'vat'", "'non_vat'"]),
        ('keyed_card_enabled = "perhaps"\n', ["keyed_card_enabled", "true or false"]),
        ("connect_timeout_s = -1\n", ["connect_timeout_s", "positive number"]),
        ('termnal_id = "02"\n', ["termnal_id", "spelling"]),
        ("terminal_id = \n", ["could not be understood"]),
        ('paymongo_secret_key = "sk_test_x"\n', ["secret", "must not be kept in a file"]),
    ],
)
def test_bad_settings_give_one_clear_message_naming_the_setting_and_the_file(
    tmp_path: Path, text: str, words: list[str]
) -> None:
    path = _write_settings(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(_env(tmp_path))
    message = caught.value.user_message
    assert str(path) in message
    for word in words:
        assert word in message


def test_bad_environment_value_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(_env(tmp_path, POS_APP_WEBHOOK_RECEIVER_PORT="eighty"))
    assert "POS_APP_WEBHOOK_RECEIVER_PORT" in caught.value.user_message


@pytest.mark.parametrize(
    ("key", "mode"),
    [
        (None, Mode.SANDBOX),
        ("", Mode.SANDBOX),
        ("sk_test_abc", Mode.TEST),
        ("sk_live_abc", Mode.LIVE),
    ],
)
def test_mode_follows_the_key(key: str | None, mode: Mode) -> None:
    assert mode_for_key(key) is mode


def test_a_key_with_an_unknown_prefix_is_refused() -> None:
    with pytest.raises(ConfigError):
        mode_for_key("pk_test_abc")


def test_secrets_come_from_the_environment_and_never_show_in_repr() -> None:
    key = "sk_test_Zq8Lr2Vn5Xc0Hp3Ty7Ud"
    secrets = load_secrets({"PAYMONGO_SECRET_KEY": key, "CLINIC_TOKEN": "tok-123"})
    assert secrets.paymongo_secret_key == key
    assert secrets.mode is Mode.TEST
    assert key not in repr(secrets)
    assert "tok-123" not in repr(secrets)
    assert repr(Secrets()) == (
        "Secrets({'paymongo_secret_key': 'unset', 'paymongo_public_key': 'unset', "
        "'paymongo_webhook_secret': 'unset', 'clinic_token': 'unset', 'smtp_password': 'unset'})"
    )
