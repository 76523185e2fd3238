"""Test-wide set-up: offscreen Qt, an in-memory keyring, no user folders touched."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point every user folder the app might use at the test's own temporary folder."""
    monkeypatch.setenv("POS_APP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("POS_APP_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("POS_APP_DATABASE_URL", raising=False)
    monkeypatch.delenv("PAYMONGO_SECRET_KEY", raising=False)
    monkeypatch.delenv("PAYMONGO_PUBLIC_KEY", raising=False)
