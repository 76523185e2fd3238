"""Reading the bill queue from the local database.

Threading contract: every method opens its own unit of work and blocks on the database; call it from
the task runner's database worker, never from the GUI thread.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Protocol

from pos_app.domain.bill_summary import BillStatus, BillSummary
from pos_app.domain.errors import Cancelled, NotFound, StorageError

if TYPE_CHECKING:  # the whole bill's classes load after the first paint
    from pos_app.domain.bill import Bill
    from pos_app.storage import Database

QUEUE_LIMIT = 200
OPEN_STATUSES = (BillStatus.PENDING, BillStatus.PARTIALLY_PAID)
"""What the queue shows when the counter starts: the bills still owing money."""


class BillQueue:
    """The bills the receptionist picks from: the most recent first, searchable."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def find(
        self, text: str = "", status: BillStatus | None = None, limit: int = QUEUE_LIMIT
    ) -> list[BillSummary]:
        """Bills whose patient name or bill number matches ``text`` (all bills when it is blank),
        newest first, as queue rows; ``get`` reads the whole bill."""
        with self._database.unit_of_work(read_only=True) as uow:
            return uow.bills.queue_rows(text, status, limit)

    def get(self, bill_id: int) -> Bill:
        with self._database.unit_of_work(read_only=True) as uow:
            bill = uow.bills.get(bill_id)
        if bill is None:
            raise NotFound(
                "That bill is no longer on this counter. Refresh the list and pick it again."
            )
        return bill


class BillFinder(Protocol):
    """What the bill queue view needs; ``BillQueue`` is the real one, tests may pass a fake."""

    def find(
        self, text: str = "", status: BillStatus | None = None, limit: int = QUEUE_LIMIT
    ) -> list[BillSummary]: ...

    def get(self, bill_id: int) -> Bill: ...


class StartingBillFinder:
    """The bill finder while start-up still opens the database, on the database worker.

    The window shows at once with the first rows read by ``storage.first_paint``; the task that
    opens the database runs first on the (single) database worker and ends by attaching the real
    ``BillQueue`` here, so every later search or bill read on that worker finds it ready. If
    opening failed, every read raises ``Cancelled`` (which views show nothing for): start-up
    shows the failure itself, once, and closes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._target: BillFinder | None = None
        self._failure: BaseException | None = None

    def attach(self, target: BillFinder) -> None:
        with self._lock:
            self._target = target

    def fail(self, failure: BaseException) -> None:
        with self._lock:
            self._failure = failure

    def find(
        self, text: str = "", status: BillStatus | None = None, limit: int = QUEUE_LIMIT
    ) -> list[BillSummary]:
        return self._ready().find(text, status, limit)

    def get(self, bill_id: int) -> Bill:
        return self._ready().get(bill_id)

    def _ready(self) -> BillFinder:
        with self._lock:
            if self._target is not None:
                return self._target
            if self._failure is not None:
                # start-up already tells the receptionist, once, and closes: no second box
                raise Cancelled(detail=f"database did not open: {self._failure!r}")
        raise StorageError(
            "The bills are still being opened. Please try again in a moment.",
            detail="bill read before the database was opened",
        )
