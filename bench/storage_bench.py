"""Storage: loading 100,000 bills as a sync would, then searching them as a receptionist does.

Bills are written through ``BillRepository.upsert_page_from_remote`` in transactions of one
sync page (500 bills), on a SQLite file in a temporary folder with the production pragmas
(WAL, synchronous=FULL). Search times are per call of ``BillRepository.queue_rows`` (what the
bill queue runs for each search: matching bills as queue rows, without their lines) in its own
read-only unit of work, each query repeated, warm cache (the counter's steady state). The same
search returning whole ``Bill`` objects (lines included) is printed for comparison.

The p95 target is judged with the start-up objects frozen out of the garbage collector
(``gc.freeze()``), which the app should do once at start-up; without it, a full collection
every few dozen searches adds tens of milliseconds. Both figures are printed.
"""

from __future__ import annotations

import gc
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import Figure, median, percentile
from pos_app.domain.bill import Bill, BillLine, BillStatus, Patient
from pos_app.domain.money import Money
from pos_app.storage import Database, open_database

BILLS = 100_000
PAGE = 500
PATIENTS = 20_000
REPEATS = 20
SEED = 20261126
SEARCH_TARGET_MS = 20.0

# fmt: off
FIRST_NAMES = (
    "Maria", "Jose", "Juan", "Ana", "Mark", "John", "Michael", "Angelica", "Kristine", "Jennifer",
    "Christian", "Joshua", "Mary", "Grace", "Rose", "Paolo", "Carlo", "Miguel", "Andrea", "Nicole",
    "Patricia", "Ramon", "Teresita", "Rodrigo", "Lourdes", "Rogelio", "Erlinda", "Fernando",
    "Corazon", "Danilo", "Estrella", "Ricardo", "Imelda", "Antonio", "Luz", "Liza", "Jasmine",
)
LAST_NAMES = (
    "Santos", "Reyes", "Cruz", "Bautista", "Ocampo", "Garcia", "Mendoza", "Torres", "Tomas",
    "Andrada", "Castillo", "Flores", "Villanueva", "Ramos", "Castro", "Rivera", "Aquino", "Navarro",
    "Salazar", "Mercado", "Dela Cruz", "Del Rosario", "Gonzales", "Lopez", "Hernandez", "Perez",
    "Santiago", "Pascual", "Soriano", "Domingo", "Aguilar", "Peña", "Manalo", "Dizon", "Lim", "Tan",
    "Sy", "Go", "Chua", "Yap",
)
# fmt: on
SERVICES = (
    ("PROPH", "Oral prophylaxis", 150_000),
    ("COMP1", "Composite filling, 1 surface", 200_000),
    ("EXT", "Tooth extraction", 120_000),
    ("RCT", "Root canal treatment", 900_000),
    ("XRAY", "Periapical x-ray", 50_000),
)
QUERIES = (
    "sant",
    "maria santos",
    "dela cruz",
    "reyes",
    "jo",
    "B-081234",
    "81234",
    "peña",
    "garcia mar",
    "lim",
    "m",
    "zzz",
)


def _patients(rng: random.Random) -> list[Patient]:
    return [
        Patient(
            id=index + 1,
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
        )
        for index in range(PATIENTS)
    ]


def _bill(rng: random.Random, index: int, patient: Patient, start: datetime) -> Bill:
    lines = tuple(
        BillLine(code, description, 1, Money(price))
        for code, description, price in rng.sample(SERVICES, rng.randint(1, 3))
    )
    total = sum(line.total.centavos for line in lines)
    return Bill(
        id=index,
        number=f"B-{index:06d}",
        patient=patient,
        clinic_name="Dorotheo Dental Clinic - Main",
        description="; ".join(line.description for line in lines),
        lines=lines,
        amount_due=Money(total),
        amount_paid=Money(0),
        status=rng.choice(list(BillStatus)),
        updated_at=start + timedelta(minutes=index),
        remote_id=index,
    )


def _load(db: Database, rng: random.Random) -> float:
    """Write BILLS bills a page per transaction; returns seconds taken."""
    patients = _patients(rng)
    start = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
    bills = [_bill(rng, i + 1, rng.choice(patients), start) for i in range(BILLS)]
    began = time.perf_counter()
    for offset in range(0, BILLS, PAGE):
        with db.unit_of_work() as uow:
            uow.bills.upsert_page_from_remote(bills[offset : offset + PAGE])
            uow.commit()
    return time.perf_counter() - began


def _search_times_ms(db: Database, *, whole_bills: bool = False) -> tuple[list[float], int]:
    samples: list[float] = []
    found = 0
    for _ in range(REPEATS):
        for query in QUERIES:
            began = time.perf_counter()
            with db.unit_of_work(read_only=True) as uow:
                bills = uow.bills.search if whole_bills else uow.bills.queue_rows
                found += len(bills(query))
            samples.append((time.perf_counter() - began) * 1000)
    return samples, found


def _cpu_reference_ms() -> float:
    """A fixed pure-Python loop, so a slow or shared machine shows in the table."""
    began = time.perf_counter()
    sum(range(10_000_000))
    return (time.perf_counter() - began) * 1000


def run() -> list[Figure]:
    rng = random.Random(SEED)
    cpu_before = _cpu_reference_ms()
    with tempfile.TemporaryDirectory(prefix="kaha-bench-storage-") as scratch:
        db = open_database(f"sqlite:///{Path(scratch) / 'kaha.db'}")
        try:
            seconds = _load(db, rng)
            _search_times_ms(db)  # warm the page cache and SQLAlchemy's statement cache
            plain, found = _search_times_ms(db)
            # A full collection scans every long-lived object (tens of ms here); freezing
            # the objects that exist after start-up takes them out of it (see report).
            gc.collect()
            gc.freeze()
            try:
                frozen, _ = _search_times_ms(db)
                whole, _ = _search_times_ms(db, whole_bills=True)
            finally:
                gc.unfreeze()
        finally:
            db.dispose()
    p95 = percentile(frozen, 95)
    note = f"{len(QUERIES)} queries x {REPEATS}, limit 200, {found // REPEATS} bills/round"
    return [
        Figure(
            "insert 100,000 bills (sync pages of 500)",
            BILLS / seconds,
            "bills/s",
            note=f"seed {SEED}, {seconds:.1f} s",
        ),
        Figure("search p50", median(frozen), "ms", note=note),
        Figure(
            "search p95",
            p95,
            "ms",
            target=f"< {SEARCH_TARGET_MS:g} ms",
            ok=p95 < SEARCH_TARGET_MS,
            note="after gc.freeze()",
        ),
        Figure("search max", max(frozen), "ms", note="after gc.freeze()"),
        Figure("search p95 without gc.freeze()", percentile(plain, 95), "ms"),
        Figure(
            "search p95 returning whole bills with their lines",
            percentile(whole, 95),
            "ms",
            note="for comparison: the queue reads only the selected bill whole",
        ),
        Figure(
            "CPU reference: sum(range(10**7))",
            (cpu_before + _cpu_reference_ms()) / 2,
            "ms",
            note="mean of before and after; compare runs with it",
        ),
    ]


if __name__ == "__main__":
    for figure in run():
        print(figure)
