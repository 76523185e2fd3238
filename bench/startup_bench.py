"""Start-up time: process start to the bill queue shown (offscreen), against a bare PySide6 window.

Both are started the same way in the same run: a fresh interpreter, timed from spawn until it prints
its ready line once its window has been painted (the app: with the queue's rows), with Python's
bytecode cache on (the default, and what a counter has after its first start). The app prints
``ready`` once its queue is drawn, then ``working`` once the database is open, the keys are read
and the banner shows the mode (search and payments work from then).
The app runs against a data folder prepared once (database migrated and seeded), as on a counter
that has been used before; the first run on a new machine is reported separately.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Figure, median

RUNS = 21  # this shared machine's speed wanders: a median of 11 pairs moved by ±0.1x
# as on a clinic's counter: its details in settings.toml (read and checked at every start)
CLINIC_SETTINGS = """\
terminal_id = "02"
invoice_prefix = "MAIN"
clinic_name = "Ngiti Dental Clinic"
clinic_registered_name = "Ngiti Dental Care Services Inc."
clinic_tin = "123-456-789-00000"
clinic_address = "12 Mabini St., Barangay San Roque, Quezon City"
vat_registration = "vat"
printer_kind = "pdf"
log_level = "INFO"
"""
# "ready" once the label has been painted, as the app says it once its queue has been (both
# with the same event filter: Qt paints a window a few milliseconds after show(), later than a
# zero-time timer queued at show() runs)
BARE_WINDOW = """
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
w = QLabel("bare")
class AfterPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, lambda: (print("ready", flush=True), app.quit()))
        return False
painted = AfterPaint(w)
w.installEventFilter(painted)
w.show()
app.exec()
"""
# for counting instructions: the process ends the moment it is painted, as bench.paint_probe
# ends the app's (quitting Qt and Python properly would add ~35 M instructions to the bare only)
BARE_WINDOW_STOPPED = "import os\n" + BARE_WINDOW.replace("app.quit()", "os._exit(0)")


def _time_until(command: list[str], env: dict[str, str], *lines: str) -> list[float]:
    """Seconds from spawn until each of ``lines`` is printed, in that order."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, env=env, text=True)
    assert proc.stdout is not None
    times: list[float] = []
    for line in proc.stdout:
        if len(times) < len(lines) and line.strip() == lines[len(times)]:
            times.append(time.perf_counter() - started)
    proc.wait(timeout=30)
    if len(times) < len(lines):
        raise RuntimeError(f"{command} exited {proc.returncode} without printing {lines}")
    return times


CACHEGRIND = ("valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null")


def _instructions(command: list[str], env: dict[str, str]) -> int:
    """Instructions the process runs until it exits, counted by valgrind (cachegrind): the
    same count on every run, whatever else the machine is doing."""
    counted = subprocess.run(
        [*CACHEGRIND, *command],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", counted.stderr)
    if counted.returncode != 0 or found is None:
        raise RuntimeError(f"valgrind {command} failed: {counted.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def _work_ratio(env: dict[str, str]) -> list[Figure]:
    """The same comparison as CPU work rather than time: instructions up to the first paint."""
    if shutil.which("valgrind") is None:
        return [Figure("start-up / bare window, instructions", 0.0, "x", note="no valgrind")]
    app = _instructions([sys.executable, "-m", "bench.paint_probe"], env)
    bare = _instructions([sys.executable, "-c", BARE_WINDOW_STOPPED], env)
    ratio = app / bare
    return [
        Figure("instructions to bill queue painted (valgrind)", app / 1e6, "M"),
        Figure("instructions to bare window painted (valgrind)", bare / 1e6, "M"),
        Figure("start-up / bare window, instructions", ratio, "x", "<= 1.5x", ratio <= 1.5),
    ]


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="kaha-bench-start-") as scratch:
        config_dir = Path(scratch) / "config"
        config_dir.mkdir()
        (config_dir / "settings.toml").write_text(CLINIC_SETTINGS, encoding="utf-8")
        env = dict(os.environ)
        # As on a counter: Python keeps compiled bytecode (.pyc) beside the sources after the
        # first start. This machine's environment turns that off for every process, which would
        # measure compiling Kaha's modules from source on every start instead.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.update(
            QT_QPA_PLATFORM="offscreen",
            POS_APP_DATA_DIR=str(Path(scratch) / "data"),
            POS_APP_CONFIG_DIR=str(config_dir),
        )
        app_cmd = [sys.executable, "-m", "pos_app", "--startup-probe"]
        bare_cmd = [sys.executable, "-c", BARE_WINDOW]
        first_run = _time_until(app_cmd, env, "ready", "working")[1]
        app_times, working_times, bare_times = [], [], []
        for _ in range(RUNS):
            bare_times.extend(_time_until(bare_cmd, env, "ready"))
            ready, working = _time_until(app_cmd, env, "ready", "working")
            app_times.append(ready)
            working_times.append(working)
        work = _work_ratio(env)
    app_s, bare_s = median(app_times), median(bare_times)
    ratio = app_s / bare_s
    return [
        Figure("start-up to bill queue shown (median)", app_s, "s", "< 1.5 s", app_s < 1.5),
        Figure("bare PySide6 window (median)", bare_s, "s"),
        Figure("start-up / bare window", ratio, "x", "<= 1.5x", ratio <= 1.5),
        Figure("start-up to database open and mode known (median)", median(working_times), "s"),
        Figure("first start on a new machine (migrate + seed)", first_run, "s"),
        *work,
    ]
