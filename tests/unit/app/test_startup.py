from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pos_app.app import NO_DISPLAY_MESSAGE, display_problem


def test_no_display_is_reported_with_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert display_problem() == NO_DISPLAY_MESSAGE
    assert "xvfb-run" in NO_DISPLAY_MESSAGE
    assert "QT_QPA_PLATFORM=offscreen" in NO_DISPLAY_MESSAGE


def test_offscreen_or_a_display_is_fine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert display_problem() is None
    monkeypatch.delenv("QT_QPA_PLATFORM")
    monkeypatch.setenv("DISPLAY", ":99")
    assert display_problem() is None


def _run_app(tmp_path: Path, *args: str, **env_extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env.update(POS_APP_DATA_DIR=str(tmp_path / "data"), POS_APP_CONFIG_DIR=str(tmp_path / "config"))
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "pos_app", *args],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_app_without_a_display_exits_with_the_message_not_a_qt_abort(tmp_path: Path) -> None:
    result = _run_app(tmp_path)
    assert result.returncode == 3
    assert "needs a screen" in result.stderr


def test_a_bad_settings_file_stops_start_up_with_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "settings.toml").write_text('vat_registration = "sometimes"\n')
    result = _run_app(tmp_path, QT_QPA_PLATFORM="offscreen")
    assert result.returncode == 2
    assert "vat_registration" in result.stderr
    assert "Traceback" not in result.stderr


def test_smoke_test_prints_smoke_ok(tmp_path: Path) -> None:
    result = _run_app(tmp_path, "--smoke-test")
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip().splitlines()[-1]
    assert line.startswith("smoke ok: ")
    assert "sandbox mode" in line
    assert "authorized on the test page" in line
    assert "invoice MAIN-01-000001" in line
    # the smoke test used its own temporary folder, not ours
    assert not (tmp_path / "data").exists()


def test_a_used_counter_shows_its_queue_before_opening_the_database(tmp_path: Path) -> None:
    # First start on a new counter: nothing to paint early; migrates and seeds the demo bills.
    first = _run_app(tmp_path, "--startup-probe", QT_QPA_PLATFORM="offscreen")
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[-2:] == ["ready", "working"]
    log_file = tmp_path / "data" / "logs" / "kaha.log"
    assert "first paint" not in log_file.read_text()
    # Every later start: the queue is read with plain sqlite3 and shown while the rest opens.
    second = _run_app(tmp_path, "--startup-probe", QT_QPA_PLATFORM="offscreen")
    assert second.returncode == 0, second.stderr
    # drawn first; working (database open, keys read, mode on the banner) after
    assert second.stdout.splitlines()[-2:] == ["ready", "working"]
    assert "Traceback" not in second.stderr
    log = log_file.read_text()
    assert "first paint:" in log
    assert "start-up failed" not in log


def test_a_database_that_cannot_be_opened_stops_start_up_with_the_reason(tmp_path: Path) -> None:
    # e.g. a shared PostgreSQL server that is off: one plain message, exit 1, no hang
    result = _run_app(
        tmp_path,
        QT_QPA_PLATFORM="offscreen",
        POS_APP_DATABASE_URL="postgresql://kaha@127.0.0.1:1/kaha",
        POS_APP_PRACTICE_DATABASE_URL="postgresql://kaha@127.0.0.1:1/kaha",  # sandbox mode
    )
    assert result.returncode == 1
    assert "cannot be reached" in result.stderr
    assert "Traceback" not in result.stderr


# Loaded after the window is drawn on a used counter: the keyring (finding its backend takes
# ~0.2 s), the log file's handler, SQLAlchemy, the PayMongo client, the printing code and the
# payment screens.
LOADED_LATER = (
    "keyring",
    "logging.handlers",
    "sqlalchemy",
    "alembic",
    "httpx",
    "pos_app.printing",
    "pos_app.paymongo.client",
    "pos_app.ui.payment_panel",
    "pos_app.ui.customer_display",
)
SHOW_WATCHER = f"""
import builtins, sys
from PySide6 import QtCore
from pos_app.ui.main_window import MainWindow
shown = MainWindow.show
def show(self):
    early = sorted(m for m in sys.modules if m.startswith({LOADED_LATER!r}))
    print("loaded when the window was shown:", early, flush=True)
    print("Qt namespace built when shown:", "Qt" in vars(QtCore), flush=True)
    print("whole bill classes loaded when shown:", "pos_app.domain.bill" in sys.modules, flush=True)
    shown(self)
    print("style:", self.style().name(), flush=True)
MainWindow.show = show
say = builtins.print
def print_(*words, **how):
    if words == ("ready",):  # PySide builds its Qt namespace on first use: not for the first paint
        say("Qt namespace built when drawn:", "Qt" in vars(QtCore), flush=True)
    say(*words, **how)
builtins.print = print_
from pos_app.app import main
sys.exit(main(["--startup-probe"]))
"""


def _on_a_used_counter(tmp_path: Path, *python_args: str) -> subprocess.CompletedProcess[str]:
    """Python run with ``python_args`` (offscreen) on a counter that has started once before."""
    first = _run_app(tmp_path, "--startup-probe", QT_QPA_PLATFORM="offscreen")
    assert first.returncode == 0, first.stderr
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.update(POS_APP_DATA_DIR=str(tmp_path / "data"), POS_APP_CONFIG_DIR=str(tmp_path / "config"))
    return subprocess.run(
        [sys.executable, *python_args],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_used_counter_draws_its_window_before_the_heavy_parts_load(tmp_path: Path) -> None:
    result = _on_a_used_counter(tmp_path, "-c", SHOW_WATCHER)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "loaded when the window was shown: []" in lines, lines
    # naming anything in PySide's Qt namespace builds its 94 Python enums (~40 ms): after paint
    assert "Qt namespace built when shown: False" in lines
    assert "Qt namespace built when drawn: False" in lines
    # the queue's rows need BillSummary only (domain/bill_summary.py), not Bill and its lines
    assert "whole bill classes loaded when shown: False" in lines
    assert "style: fusion" in lines  # chosen on Qt's command line, not with setStyle()
    assert lines[-2:] == ["ready", "working"]


def test_the_paint_probe_ends_at_the_first_paint(tmp_path: Path) -> None:
    """bench.paint_probe (valgrind counts instructions to the first paint with it): the probe's
    own start, ended the moment the queue is painted, with no fallback timer standing in."""
    result = _on_a_used_counter(tmp_path, "-m", "bench.paint_probe")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["ready"]
    assert "Traceback" not in result.stderr
