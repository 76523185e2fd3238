"""Start-up time: process start to the bill queue shown (offscreen), against a bare PySide6 window.

Both are started the same way in the same run: a fresh interpreter, timed from spawn until it prints
its ready line, with Python's bytecode cache on (the default, and what a counter has after its first
start). The app runs against a data folder prepared once (database migrated and seeded), as
on a counter that has been used before; the first run on a new machine is reported separately.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Figure, median

RUNS = 7
BARE_WINDOW = """
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
w = QLabel("bare")
w.show()
QTimer.singleShot(0, lambda: (print("ready", flush=True), app.quit()))
app.exec()
"""


def _time_until_ready(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, env=env, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip() == "ready":
            elapsed = time.perf_counter() - started
            proc.wait(timeout=30)
            return elapsed
    proc.wait(timeout=30)
    raise RuntimeError(f"{command} exited {proc.returncode} without printing ready")


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="kaha-bench-start-") as scratch:
        env = dict(os.environ)
        # As on a counter: Python keeps compiled bytecode (.pyc) beside the sources after the
        # first start. This machine's environment turns that off for every process, which would
        # measure compiling Kaha's modules from source on every start instead.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.update(
            QT_QPA_PLATFORM="offscreen",
            POS_APP_DATA_DIR=str(Path(scratch) / "data"),
            POS_APP_CONFIG_DIR=str(Path(scratch) / "config"),
        )
        app_cmd = [sys.executable, "-m", "pos_app", "--startup-probe"]
        bare_cmd = [sys.executable, "-c", BARE_WINDOW]
        first_run = _time_until_ready(app_cmd, env)
        app_times, bare_times = [], []
        for _ in range(RUNS):
            bare_times.append(_time_until_ready(bare_cmd, env))
            app_times.append(_time_until_ready(app_cmd, env))
    app_s, bare_s = median(app_times), median(bare_times)
    ratio = app_s / bare_s
    return [
        Figure("start-up to bill queue shown (median)", app_s, "s", "< 1.5 s", app_s < 1.5),
        Figure("bare PySide6 window (median)", bare_s, "s"),
        Figure("start-up / bare window", ratio, "x", "<= 1.5x", ratio <= 1.5),
        Figure("first start on a new machine (migrate + seed)", first_run, "s"),
    ]
