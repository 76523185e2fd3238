"""The example Django clinic site (kaha_clinic) beside the sandbox's fake clinic, each in its own
process holding the same 100,000 generated bills (seed 1): one page of 500 bills (the median of a
few GETs) and a full pull of all of them by the counter's sync into an empty counter database.

Starting each server and seeding its bills happens before the clock starts.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from bench.clinic_sync_bench import _clinic_server
from bench.common import Figure, median
from pos_app.clinic import ClinicClient
from pos_app.domain.clock import SystemClock
from pos_app.services.clinic_sync import ClinicSync
from pos_app.storage import open_database
from tests.integration.clinic.django_demo import django_demo

BILLS = 100_000
PAGE = 500
PAGE_TRIES = 7
SEED = 1


def _measure(url: str, token: str, scratch: Path) -> tuple[float, float]:
    """(ms for one page of 500, s for the counter's full pull) against the server at `url`."""
    headers = {"Authorization": f"Token {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=120) as http:
        stored = int(http.get("/api/billing/", params={"page_size": 1}).json()["count"])
        assert stored >= BILLS, stored  # the fake starts with a few demo bills of its own
        page_ms = []
        for _ in range(PAGE_TRIES):
            began = time.perf_counter()
            answer = http.get("/api/billing/", params={"page_size": PAGE})
            page_ms.append((time.perf_counter() - began) * 1000)
            assert len(answer.json()["results"]) == PAGE
    client = ClinicClient(base_url=url, token=token)
    database = open_database(f"sqlite:///{scratch / 'counter.sqlite3'}")
    sync = ClinicSync(database, client, SystemClock(), page_size=PAGE)
    began = time.perf_counter()
    report = sync.run(push=False)
    pull_s = time.perf_counter() - began
    assert report.failure is None, report.failure
    assert report.pull is not None
    assert report.pull.pulled == stored, report.pull
    client.close()
    database.dispose()
    return median(page_ms), pull_s


def _in_folder(measure: Callable[[Path], tuple[float, float]]) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="kaha-bench-django-") as folder:
        return measure(Path(folder))


def _django(scratch: Path) -> tuple[float, float]:
    token = "tok" + secrets.token_hex(16)
    with django_demo(scratch, bills=BILLS, token=token, seed=SEED) as clinic:
        return _measure(clinic.url, token, scratch)


def _fake(scratch: Path) -> tuple[float, float]:
    token = secrets.token_urlsafe(16)
    with _clinic_server(token) as url:
        with httpx.Client(base_url=url, timeout=300) as control:
            control.post("/_control/bills", json={"count": BILLS, "seed": SEED}).raise_for_status()
        return _measure(url, token, scratch)


def run() -> list[Figure]:
    django_page, django_pull = _in_folder(_django)
    fake_page, fake_pull = _in_folder(_fake)
    return [
        Figure(
            "Django clinic: a page of 500 bills, 100,000 stored (median of 7)",
            django_page,
            "ms",
            note=f"fake clinic: {fake_page:,.0f} ms",
        ),
        Figure(
            "Django clinic: counter's full pull of 100,000 bills (pos-app sync)",
            django_pull,
            "s",
            note=f"fake clinic: {fake_pull:,.1f} s",
        ),
    ]
