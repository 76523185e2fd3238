"""The GUI thread's stalls while the window's clinic sync makes a first load of 100,000 bills.

The sync runs as the window runs it (ClinicSyncDriver on the task runner's network pool, progress
through a Qt signal, the garbage collector set as the window sets it once started); a 5 ms QTimer
on the GUI thread records the gaps between its ticks.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.clinic_sync_bench import BILLS, PAGE, _clinic_server
from bench.common import Figure, percentile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

LIMIT_S = 300.0


def run() -> list[Figure]:
    """Measured in a child process: PySide's last garbage collection at interpreter exit can
    crash after Qt worker threads ran (not Kaha's code), and must not take the table with it."""
    child = subprocess.run(
        [sys.executable, "-m", "bench.clinic_stall_bench"],
        capture_output=True,
        text=True,
        timeout=LIMIT_S + 120,
        check=True,
    )
    gaps: list[float] = json.loads(child.stdout.strip().splitlines()[-1])["gaps_ms"]
    seconds = json.loads(child.stdout.strip().splitlines()[-1])["seconds"]
    p99 = percentile(gaps, 99)
    return [
        Figure(
            "GUI stall p99 during a first sync of 100,000 bills",
            p99,
            "ms",
            "< 50 ms",
            p99 < 50,
            note=f"worst {max(gaps):.0f} ms, sync {seconds:.0f} s",
        )
    ]


def _measure() -> tuple[list[float], float]:
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from pos_app.app import settle_memory
    from pos_app.clinic import ClinicClient
    from pos_app.domain.clock import SystemClock
    from pos_app.services.clinic_sync import ClinicSync
    from pos_app.storage import open_database
    from pos_app.ui.clinic_sync_view import ClinicSyncDriver
    from pos_app.ui.tasks import TaskRunner

    app = QApplication.instance() or QApplication([])
    token = secrets.token_urlsafe(16)
    with (
        tempfile.TemporaryDirectory(prefix="kaha-bench-stall-") as folder,
        _clinic_server(token) as url,
    ):
        httpx.post(f"{url}/_control/bills", json={"count": BILLS, "seed": 2}, timeout=120)
        database = open_database(f"sqlite:///{Path(folder) / 'counter.sqlite3'}")
        client = ClinicClient(base_url=url, token=token)
        sync = ClinicSync(database, client, SystemClock(), page_size=PAGE)
        runner = TaskRunner()
        driver = ClinicSyncDriver(sync, runner)
        settle_memory()  # as the window does once its services are built (app.frozen_for_the_day)
        gaps: list[float] = []
        clock = QElapsedTimer()
        clock.start()
        last = [clock.nsecsElapsed()]

        def tick() -> None:
            now = clock.nsecsElapsed()
            gaps.append((now - last[0]) / 1e6)
            last[0] = now

        probe = QTimer()
        probe.setInterval(5)
        probe.timeout.connect(tick)
        loop = QEventLoop()

        def check(status: object) -> None:
            if status is not None and getattr(status, "first_sync_done", False):
                loop.quit()

        driver.status_changed.connect(check)
        limit = QTimer()
        limit.setSingleShot(True)
        limit.timeout.connect(loop.quit)
        limit.start(int(LIMIT_S * 1000))
        began = time.perf_counter()
        probe.start()
        driver.start()
        loop.exec()
        probe.stop()
        limit.stop()
        seconds = time.perf_counter() - began
        driver.stop()
        driver.status_changed.disconnect(check)
        runner.wait_for_done()
        app.processEvents()
        client.close()
        database.dispose()
    app.processEvents()
    return gaps, seconds


if __name__ == "__main__":
    measured, took = _measure()
    print(json.dumps({"gaps_ms": measured, "seconds": took}), flush=True)
    os._exit(0)  # skip the interpreter's final collection (see run)
