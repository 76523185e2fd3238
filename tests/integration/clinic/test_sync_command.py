"""``pos-app sync`` as a person runs it: a separate process against a clinic server."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from tests.integration.clinic.conftest import ClinicServer


def _sync(
    tmp_path: Path, url: str, token: str, *args: str, key: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "POS_APP_DATA_DIR": str(tmp_path / "data"),
        "POS_APP_CONFIG_DIR": str(tmp_path / "config"),
        "POS_APP_CLINIC_BASE_URL": url,
        "CLINIC_TOKEN": token,
        "POS_APP_REQUEST_DEADLINE_S": "3",
        "POS_APP_CONNECT_TIMEOUT_S": "1",
    }
    env.pop("POS_APP_DATABASE_URL", None)
    env.pop("PAYMONGO_SECRET_KEY", None)
    if key is not None:
        env["PAYMONGO_SECRET_KEY"] = key
    return subprocess.run(
        [sys.executable, "-m", "pos_app", "sync", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_sync_once_fills_an_empty_counter_then_reports_nothing_new(
    server: ClinicServer, tmp_path: Path
) -> None:
    total = len(server.state.bill_ids())
    first = _sync(tmp_path, server.url, server.token, "--once")
    assert first.returncode == 0, first.stderr
    assert f"Pulled {total:,} bills from the clinic server." in first.stdout
    again = _sync(tmp_path, server.url, server.token, "--once")
    assert again.returncode == 0, again.stderr
    assert "No new or changed bills on the clinic server." in again.stdout
    assert "No changes waiting to be sent." in again.stdout


def test_sync_against_a_stopped_server_exits_with_one_plain_sentence(tmp_path: Path) -> None:
    result = _sync(tmp_path, "http://127.0.0.1:9", "whatever", "--once")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "The clinic server cannot be reached. The counter keeps working from what it has; "
        "changes wait and are sent when the server is back."
    )
    assert result.stdout == ""


def test_sync_with_a_refused_token_says_so(server: ClinicServer, tmp_path: Path) -> None:
    result = _sync(tmp_path, server.url, "wrong-token", "--once")
    assert result.returncode == 1
    assert "refused this counter's token" in result.stderr
    assert "wrong-token" not in result.stderr + result.stdout


def test_sync_without_a_clinic_server_set_up_says_how(tmp_path: Path) -> None:
    made_up_test_key = "sk_test_" + secrets.token_hex(12)  # TEST mode: no stand-in to fall back on
    result = _sync(tmp_path, "", "", "--once", key=made_up_test_key)
    assert result.returncode == 2
    assert "No clinic server is set up" in result.stderr


def test_sync_in_sandbox_mode_pulls_the_demo_bills_from_the_embedded_stand_in(
    tmp_path: Path,
) -> None:
    """As the window does in sandbox mode: no clinic server set up, no PayMongo key."""
    result = _sync(tmp_path, "", "", "--once")
    assert result.returncode == 0, result.stderr
    assert "Pulled " in result.stdout
    assert "bills from the clinic server." in result.stdout
