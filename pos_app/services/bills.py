"""Reading the bill queue from the local database.

Threading contract: every method opens its own unit of work and blocks on the database; call it from
the task runner's database worker, never from the GUI thread.
"""

from __future__ import annotations

from typing import Protocol

from pos_app.domain.bill import Bill, BillStatus, BillSummary
from pos_app.domain.errors import NotFound
from pos_app.storage import Database

QUEUE_LIMIT = 200


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
