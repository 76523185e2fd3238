"""Pulling bills from the clinic server into the counter's database, page by page.

Each page is stored with the cursor (the last bill's ``updated_at`` and id) in one transaction,
so a pull killed halfway, even the first full load of 100,000 bills, resumes after the last page
it stored. A first load commits without waiting for the disk (``first_load_writer``): a power cut
may lose its last pages, each with its cursor, and they are pulled again. A bill with a payment
open at the counter is never changed under the receptionist: a change of its amount (or its
cancellation) is held and shown, and applied once accepted.

Threading contract: blocking; run on a worker thread, never the GUI thread. One pull at a time
per database (ClinicSync holds the lock); `progress` is called on the pulling thread.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass

from pos_app.clinic import BillPage, ClinicClient, Cursor, RemoteBill
from pos_app.clinic.wire import parse_bill
from pos_app.domain.bill import Bill, BillStatus
from pos_app.domain.clock import Clock
from pos_app.storage import Database, UnitOfWork
from pos_app.storage.first_load import first_load_writer


@dataclass(frozen=True, slots=True)
class PullProgress:
    """How far a pull is: "12,400 of 100,000 bills"."""

    done: int
    total: int
    first_sync: bool

    def describe(self) -> str:
        what = "Loading bills from the clinic" if self.first_sync else "Updating bills"
        return f"{what}: {self.done:,} of {self.total:,} bills"


@dataclass(frozen=True, slots=True)
class PullResult:
    pulled: int  # bills stored (new or changed)
    held: int  # changes kept back because a payment is open on the bill
    removed: int  # bills the server no longer has (a full pull only)
    pages: int
    first_sync_done: bool


ProgressListener = Callable[[PullProgress], None]


def pull_bills(
    database: Database,
    client: ClinicClient,
    clock: Clock,
    *,
    page_size: int,
    pages_per_commit: int = 1,
    full: bool = False,
    progress: ProgressListener | None = None,
) -> PullResult:
    """Pull every bill changed since the stored cursor (all of them when `full`)."""
    with database.unit_of_work() as uow:
        if full:
            uow.clinic_sync.reset_cursor()
            uow.commit()
        state = uow.clinic_sync.state()
    first_sync = state.first_sync_done_at is None
    cursor = _cursor(state.cursor_updated_at, state.cursor_updated_us, state.cursor_bill_id)
    done = pulled = held = pages = 0
    seen: set[int] | None = set() if full else None
    # Pages are asked for while earlier ones are stored (the server's time and ours overlap), and
    # the pages already here, up to `pages_per_commit`, are stored with the cursor in one
    # transaction. A first load stores pages the server can send again without waiting for the
    # disk on each commit.
    writer = first_load_writer(database) if first_sync else nullcontext(database)
    with (
        writer as pages_to,
        ThreadPoolExecutor(1, thread_name_prefix="clinic-prefetch") as pool,
    ):
        ahead = _PagesAhead(client, cursor, page_size, pages_per_commit, pool)
        try:
            while batch := ahead.next_batch():
                pages += len(batch)
                bills = [bill for page in batch for bill in page.bills]
                if bills:
                    stored, kept = store_page(pages_to, clock, bills)
                    pulled += stored
                    held += kept
                    if seen is not None:
                        seen.update(remote.cursor.bill_id for remote in bills)
                done += len(bills)
                last = batch[-1]
                if progress is not None:
                    progress(PullProgress(done, done + last.count - len(last.bills), first_sync))
        finally:
            ahead.stop()
    removed = _remove_unseen(database, clock, seen) if seen is not None else 0
    with database.unit_of_work() as uow:
        uow.clinic_sync.pulled(clock.now(), caught_up=True)
        uow.commit()
    return PullResult(pulled, held, removed, pages, first_sync_done=True)


class _PagesAhead:
    """Fetches pages on `pool`, one after another, up to `depth` ahead of the caller."""

    def __init__(
        self,
        client: ClinicClient,
        cursor: Cursor | None,
        page_size: int,
        depth: int,
        pool: ThreadPoolExecutor,
    ) -> None:
        self._fetched: queue.Queue[BillPage | BaseException] = queue.Queue(maxsize=depth)
        self._depth = depth
        self._stopped = threading.Event()
        self._failure: BaseException | None = None
        self._finished = False
        pool.submit(self._fetch, client, cursor, page_size)

    def next_batch(self) -> list[BillPage]:
        """The next page (waiting for it) and those already fetched after it, up to `depth`;
        empty once the last page was handed out. Raises the fetch's error after the pages
        fetched before it."""
        if self._failure is not None:
            raise self._failure
        batch: list[BillPage] = []
        while not self._finished and len(batch) < self._depth:
            try:
                item = self._fetched.get(block=not batch)
            except queue.Empty:
                break
            if isinstance(item, BaseException):
                self._failure = item
                if not batch:
                    raise item
                break
            batch.append(item)
            self._finished = not (item.has_next and item.bills)
        return batch

    def stop(self) -> None:
        self._stopped.set()

    def _fetch(self, client: ClinicClient, cursor: Cursor | None, page_size: int) -> None:
        try:
            while not self._stopped.is_set():
                page = client.bills_after(cursor, page_size)
                self._hand_over(page)
                if not (page.has_next and page.bills):
                    return
                cursor = page.bills[-1].cursor
        except BaseException as failure:  # handed to the caller, raised there (it waits on it)
            self._hand_over(failure)

    def _hand_over(self, item: BillPage | BaseException) -> None:
        while not self._stopped.is_set():
            try:
                self._fetched.put(item, timeout=0.1)
                return
            except queue.Full:
                continue


def _cursor(updated_at: str | None, updated_us: int | None, bill_id: int | None) -> Cursor | None:
    if updated_at is None or updated_us is None or bill_id is None:
        return None
    return Cursor(updated_us, bill_id, updated_at)


def store_page(database: Database, clock: Clock, remote: Sequence[RemoteBill]) -> tuple[int, int]:
    """Store the bills of one or more pages and the cursor after them in one transaction;
    (bills stored, changes held)."""
    now = clock.now()
    with database.unit_of_work() as uow:
        to_hold = _changes_to_hold(uow, remote)
        for remote_bill, local in to_hold:
            uow.clinic_sync.hold(
                local.id,
                json.dumps(remote_bill.raw, separators=(",", ":")),
                local.amount_due + local.discount,
                remote_bill.bill.amount_due,
                at=now,
            )
        held_ids = {remote_bill.cursor.bill_id for remote_bill, _ in to_hold}
        bills = [r.bill for r in remote if r.cursor.bill_id not in held_ids]
        uow.bills.upsert_page_from_remote(bills)
        last = remote[-1].cursor
        uow.clinic_sync.save_cursor(last.updated_at, last.updated_at_us, last.bill_id)
        uow.commit()
    return len(bills), len(to_hold)


def _changes_to_hold(
    uow: UnitOfWork, remote: Iterable[RemoteBill]
) -> list[tuple[RemoteBill, Bill]]:
    """The pulled bills that would change the amount (or cancel) a bill with a payment open."""
    open_bill_ids = {attempt.bill_id for attempt in uow.attempts.list_open()}
    if not open_bill_ids:
        return []
    paying = {}  # the bills with a payment open, by their clinic id (a handful at most)
    for bill_id in open_bill_ids:
        bill = uow.bills.get(bill_id)
        if bill is not None and bill.remote_id is not None:
            paying[bill.remote_id] = bill
    held = []
    for remote_bill in remote:
        local = paying.get(remote_bill.cursor.bill_id)
        if local is not None and _changes_what_is_collected(local, remote_bill.bill):
            held.append((remote_bill, local))
    return held


def _changes_what_is_collected(local: Bill, remote: Bill) -> bool:
    amount_before = local.amount_due + local.discount
    cancelled = remote.status is BillStatus.CANCELLED and local.status is not BillStatus.CANCELLED
    return remote.amount_due != amount_before or cancelled


def accept_held_change(database: Database, bill_id: int) -> Bill | None:
    """Apply the change the clinic made to `bill_id` while a payment was open; the new bill."""
    with database.unit_of_work() as uow:
        change = uow.clinic_sync.held(bill_id)
        if change is None:
            return uow.bills.get(bill_id)
        remote = parse_bill(json.loads(change.payload_json))
        uow.bills.upsert_page_from_remote([remote.bill])
        uow.clinic_sync.release(bill_id)
        bill = uow.bills.get(bill_id)
        uow.commit()
    return bill


def _remove_unseen(database: Database, clock: Clock, seen: set[int]) -> int:
    """After a full pull: bills the server no longer lists leave the queue (nothing collected)."""
    with database.unit_of_work() as uow:
        known = uow.clinic_sync.remote_bill_ids()
        gone = [local for remote_id, local in known.items() if remote_id not in seen]
        removed = uow.clinic_sync.mark_removed(gone, at=clock.now())
        uow.commit()
    return removed
