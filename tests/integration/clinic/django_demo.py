"""The example Django clinic site (`python -m kaha_clinic.demo`) as a real process, and reads of
its SQLite database from the outside, as a clinic's staff would see it.

Shared by the end-to-end test and `make bench`; the process's request log goes to a file beside
the database, so a busy run never blocks on a full pipe.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DjangoDemo:
    url: str
    token: str
    db: Path


@contextmanager
def django_demo(folder: Path, *, bills: int, token: str, seed: int = 0) -> Iterator[DjangoDemo]:
    """The demo on a free port, `bills` bills in `folder`/clinic.sqlite3; stopped after."""
    db = folder / "clinic.sqlite3"
    command = [sys.executable, "-m", "kaha_clinic.demo", "--port", "0", "--token", token,
               "--bills", str(bills), "--seed", str(seed), "--db", str(db)]  # fmt: skip
    with (
        (folder / "clinic-requests.log").open("w") as log,
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True) as demo,
    ):
        try:
            assert demo.stdout is not None
            first = demo.stdout.readline()  # printed once migrated, seeded and listening
            if not first.startswith("Clinic server:"):
                raise RuntimeError(f"the demo did not start: {first!r}, exit {demo.poll()}")
            yield DjangoDemo(first.split()[2], token, db)
        finally:
            demo.terminate()
            demo.wait(timeout=30)


def query(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    """Rows from the clinic's database (read-only), e.g. payment fields the counter wrote."""
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)) as connection:
        return list(connection.execute(sql, params))
