"""Bills: pulled from the clinic server, walk-ins opened at the counter, queue and search."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pos_app.domain.bill import Bill, BillStatus, BillSummary
from pos_app.domain.errors import NotFound
from pos_app.domain.money import Money
from pos_app.storage.models import BillRow
from pos_app.storage.repositories.bill_loading import load_bills, load_summaries
from pos_app.storage.repositories.bill_search import matching_bill_ids
from pos_app.storage.repositories.bill_tokens import copy_sort_keys
from pos_app.storage.repositories.bill_writing import insert_bills, upsert_page
from pos_app.storage.search import query_words

DEFAULT_LIMIT = 200


class BillRepository:
    """Bills as domain objects. Runs on the caller's session; never commits."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, bill_id: int) -> Bill | None:
        found = load_bills(self._session, [bill_id])
        return found[0] if found else None

    def get_for_update(self, bill_id: int) -> Bill | None:
        """The bill, row-locked until commit on PostgreSQL (SQLite already holds the write lock).

        Collecting a payment at one counter uses this so another counter waits instead of
        collecting the same balance twice.
        """
        self._session.execute(select(BillRow.id).where(BillRow.id == bill_id).with_for_update())
        return self.get(bill_id)

    def add(self, bill: Bill) -> Bill:
        """Store a new bill (a walk-in, or one the server has not seen); ``bill.id`` is ignored.

        Returns the stored bill with its local id.
        """
        (bill_id,) = insert_bills(self._session, [bill])
        return self._reload(bill_id)

    def upsert_page_from_remote(self, remote_bills: Sequence[Bill]) -> list[int]:
        """Insert or refresh a page of bills from the clinic server; their local ids, in order.

        The server's id of each is ``remote_id`` (or ``id`` when that is None). The bill's
        content (patient, lines, amount, description) belongs to the server and is
        overwritten. Payment fields belong to the counter: once anything was collected here
        (amount paid > 0) the local status and amount paid are kept; before that, the
        server's are taken (a bill cancelled or paid elsewhere). The local discount is kept.
        """
        if not remote_bills:
            return []
        return upsert_page(self._session, remote_bills)

    def set_payment_state(
        self, bill_id: int, *, amount_paid: Money, status: BillStatus, at: datetime
    ) -> Bill:
        """Record what the counter collected on a bill (in the transaction that collected it)."""
        self._update(
            bill_id, amount_paid_centavos=amount_paid.centavos, status=status.value, updated_at=at
        )
        copy_sort_keys(self._session, bill_id, updated_at=at, status=status.value)
        return self._reload(bill_id)

    def set_discount(
        self, bill_id: int, *, discount: Money, amount_due: Money, at: datetime
    ) -> Bill:
        """Record a senior/PWD or promo discount and the amount due after it."""
        self._update(
            bill_id,
            discount_centavos=discount.centavos,
            amount_due_centavos=amount_due.centavos,
            updated_at=at,
        )
        bill = self._reload(bill_id)
        copy_sort_keys(self._session, bill_id, updated_at=at, status=bill.status.value)
        return bill

    def list_queue(
        self, status: BillStatus | None = None, limit: int = DEFAULT_LIMIT
    ) -> list[Bill]:
        """The bill queue, most recently updated first."""
        return load_bills(self._session, self._newest_ids(status, limit))

    def search(
        self, text: str, status: BillStatus | None = None, limit: int = DEFAULT_LIMIT
    ) -> list[Bill]:
        """Bills whose patient name or number has a word starting with each word of ``text``.

        Case- and accent-insensitive ("sant" finds "Maria Santos"; "812" and "B-000812" find
        bill B-000812); most recently updated first. An empty query gives the queue.
        """
        words = query_words(text)
        if not words:
            return self.list_queue(status, limit)
        ids = matching_bill_ids(self._session, words, status, limit)
        return load_bills(self._session, ids)

    def queue_rows(
        self, text: str = "", status: BillStatus | None = None, limit: int = DEFAULT_LIMIT
    ) -> list[BillSummary]:
        """What the bill queue shows: the same bills as ``search``, as light rows."""
        words = query_words(text)
        if words:
            ids = matching_bill_ids(self._session, words, status, limit)
        else:
            ids = self._newest_ids(status, limit)
        return load_summaries(self._session, ids)

    def _newest_ids(self, status: BillStatus | None, limit: int) -> list[int]:
        query = select(BillRow.id).order_by(BillRow.updated_at.desc(), BillRow.id.desc())
        if status is not None:
            query = query.where(BillRow.status == status.value)
        return list(self._session.scalars(query.limit(limit)))

    def _reload(self, bill_id: int) -> Bill:
        self._session.flush()
        return load_bills(self._session, [bill_id])[0]

    def _update(self, bill_id: int, **values: object) -> None:
        result = self._session.execute(
            update(BillRow).where(BillRow.id == bill_id).values(**values)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise NotFound(detail=f"bill {bill_id}")
