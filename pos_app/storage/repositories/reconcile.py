"""What reconciliation with PayMongo found: payments seen, flags raised, and where it got to."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.domain.attempt import PaymentAttempt
from pos_app.domain.money import Money
from pos_app.domain.reconciliation import (
    Flag,
    FlagKind,
    PaymentOutcome,
    ReconcileMark,
    SeenPayment,
)
from pos_app.domain.tender import Tender
from pos_app.storage.models import (
    AttemptPaymongoIdRow,
    PaymentAttemptRow,
    ReconciledPaymentRow,
    ReconcileFlagRow,
    ReconcileMarkRow,
    RefundRow,
    TenderRow,
)
from pos_app.storage.repositories.attempts import attempt_from_row
from pos_app.storage.repositories.tenders import tender_from_row

_CHUNK = 500  # ids per IN (...) query: well under SQLite's and PostgreSQL's parameter limits


class ReconcileRepository:
    """Runs on the caller's session (``ReconcileRepository(uow.session)``); never commits."""

    def __init__(self, session: Session) -> None:
        self._session = session

    # -- where the last run got to ---------------------------------------------------------------

    def mark(self, terminal_id: str) -> ReconcileMark:
        row = self._session.get(ReconcileMarkRow, terminal_id)
        if row is None:
            return ReconcileMark()
        return ReconcileMark(
            row.payments_cursor, row.refunds_cursor, row.covered_since, row.last_run_at
        )

    def save_mark(self, terminal_id: str, mark: ReconcileMark) -> None:
        row = self._session.get(ReconcileMarkRow, terminal_id)
        if row is None:
            row = ReconcileMarkRow(terminal_id=terminal_id)
            self._session.add(row)
        row.payments_cursor = mark.payments_cursor
        row.refunds_cursor = mark.refunds_cursor
        row.covered_since = mark.covered_since
        row.last_run_at = mark.last_run_at
        self._session.flush()

    # -- payments --------------------------------------------------------------------------------

    def seen(self, payment_ids: Collection[str]) -> dict[str, SeenPayment]:
        found: dict[str, SeenPayment] = {}
        for chunk in _chunks(payment_ids):
            rows = self._session.scalars(
                select(ReconciledPaymentRow).where(ReconciledPaymentRow.payment_id.in_(chunk))
            )
            found.update((row.payment_id, _seen_from_row(row)) for row in rows)
        return found

    def record(self, seen: SeenPayment, *, at: datetime) -> None:
        self.record_many([seen], at=at)

    def record_many(self, seens: Sequence[SeenPayment], *, at: datetime) -> None:
        """Store what each payment turned out to be (one query for the rows already there)."""
        existing: dict[str, ReconciledPaymentRow] = {}
        for chunk in _chunks([s.payment_id for s in seens]):
            query = select(ReconciledPaymentRow).where(ReconciledPaymentRow.payment_id.in_(chunk))
            existing.update((row.payment_id, row) for row in self._session.scalars(query))
        for seen in seens:
            row = existing.get(seen.payment_id)
            if row is None:
                row = existing[seen.payment_id] = ReconciledPaymentRow(payment_id=seen.payment_id)
                self._session.add(row)
            _copy_seen(row, seen, at)
        self._session.flush()

    def unsettled(self) -> list[SeenPayment]:
        """Payments a run must look at again (pending at PayMongo, or their attempt still open)."""
        wanted = [PaymentOutcome.OPEN.value, PaymentOutcome.PENDING.value]
        rows = self._session.scalars(
            select(ReconciledPaymentRow).where(ReconciledPaymentRow.outcome.in_(wanted))
        )
        return [_seen_from_row(row) for row in rows]

    def cases(self) -> list[SeenPayment]:
        """Payments set aside for staff: late, double or unknown money."""
        wanted = [PaymentOutcome.CASE.value, PaymentOutcome.UNMATCHED.value]
        rows = self._session.scalars(
            select(ReconciledPaymentRow)
            .where(ReconciledPaymentRow.outcome.in_(wanted))
            .order_by(ReconciledPaymentRow.paymongo_created_at)
        )
        return [_seen_from_row(row) for row in rows]

    def for_attempts(self, attempt_ids: Collection[str]) -> list[SeenPayment]:
        found = []
        for chunk in _chunks(attempt_ids):
            rows = self._session.scalars(
                select(ReconciledPaymentRow).where(ReconciledPaymentRow.attempt_id.in_(chunk))
            )
            found += [_seen_from_row(row) for row in rows]
        return found

    # -- the attempts and tenders behind them ----------------------------------------------------

    def attempts_by_paymongo_id(
        self, paymongo_ids: Collection[str], *, terminal_id: str | None = None
    ) -> dict[str, PaymentAttempt]:
        """Every attempt that created or saw one of ``paymongo_ids``, keyed by that id: counter
        ``terminal_id``'s only, or every counter's with None (payouts are the clinic's)."""
        found: dict[str, PaymentAttempt] = {}
        for chunk in _chunks(paymongo_ids):
            query = (
                select(AttemptPaymongoIdRow.paymongo_id, PaymentAttemptRow)
                .join(PaymentAttemptRow, PaymentAttemptRow.id == AttemptPaymongoIdRow.attempt_id)
                .where(AttemptPaymongoIdRow.paymongo_id.in_(chunk))
            )
            if terminal_id is not None:
                query = query.where(PaymentAttemptRow.terminal_id == terminal_id)
            rows = self._session.execute(query)
            for paymongo_id, row in rows:
                found.setdefault(paymongo_id, attempt_from_row(row))
        return found

    def attempts(
        self, attempt_ids: Collection[str], *, terminal_id: str | None = None
    ) -> dict[str, PaymentAttempt]:
        """These attempts by id: counter ``terminal_id``'s only, or every counter's with None."""
        found: dict[str, PaymentAttempt] = {}
        for chunk in _chunks(attempt_ids):
            query = select(PaymentAttemptRow).where(PaymentAttemptRow.id.in_(chunk))
            if terminal_id is not None:
                query = query.where(PaymentAttemptRow.terminal_id == terminal_id)
            rows = self._session.scalars(query)
            found.update((row.id, attempt_from_row(row)) for row in rows)
        return found

    def tendered(self, attempt_ids: Collection[str]) -> set[str]:
        """Which of these attempts have a tender on their bill."""
        found: set[str] = set()
        for chunk in _chunks(attempt_ids):
            query = select(TenderRow.attempt_id).where(TenderRow.attempt_id.in_(chunk))
            found.update(a for a in self._session.scalars(query) if a is not None)
        return found

    def tender_times(self, attempt_ids: Collection[str]) -> dict[str, datetime]:
        """When each of these attempts' tender was recorded (attempts with none are left out)."""
        found: dict[str, datetime] = {}
        for chunk in _chunks(attempt_ids):
            rows = self._session.execute(
                select(TenderRow.attempt_id, TenderRow.recorded_at).where(
                    TenderRow.attempt_id.in_(chunk)
                )
            )
            found.update((a, at) for a, at in rows if a is not None)
        return found

    def attempts_created_since(self, moment: datetime) -> bool:
        query = select(PaymentAttemptRow.id).where(PaymentAttemptRow.created_at >= moment)
        return self._session.scalars(query.limit(1)).first() is not None

    def refund_key_known(self, idempotency_key: str) -> bool:
        query = select(RefundRow.id).where(RefundRow.idempotency_key == idempotency_key)
        return self._session.scalars(query.limit(1)).first() is not None

    def paymongo_tenders_since(self, since: datetime) -> list[tuple[Tender, datetime]]:
        """Tenders paid through PayMongo recorded at or after ``since``, with when."""
        rows = self._session.scalars(
            select(TenderRow)
            .where(TenderRow.attempt_id.is_not(None), TenderRow.recorded_at >= since)
            .order_by(TenderRow.id)
        )
        return [(tender_from_row(row), row.recorded_at) for row in rows]

    # -- flags -----------------------------------------------------------------------------------

    def raise_flag(self, flag: Flag) -> bool:
        """Store the flag unless the same (kind, subject) is already raised; True if new."""
        existing = self._session.scalars(
            select(ReconcileFlagRow.id).where(
                ReconcileFlagRow.kind == flag.kind.value, ReconcileFlagRow.subject == flag.subject
            )
        ).first()
        if existing is not None:
            return False
        self._session.add(
            ReconcileFlagRow(
                kind=flag.kind.value,
                subject=flag.subject,
                bill_id=flag.bill_id,
                amount_centavos=flag.amount.centavos,
                note=flag.note,
                raised_at=flag.raised_at,
            )
        )
        self._session.flush()
        return True

    def flags(self) -> list[Flag]:
        rows = self._session.scalars(select(ReconcileFlagRow).order_by(ReconcileFlagRow.id))
        return [
            Flag(
                kind=FlagKind(row.kind),
                subject=row.subject,
                amount=Money(row.amount_centavos),
                note=row.note,
                raised_at=row.raised_at,
                bill_id=row.bill_id,
            )
            for row in rows
        ]


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    batch: list[str] = []
    for value in values:
        batch.append(value)
        if len(batch) == _CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _seen_from_row(row: ReconciledPaymentRow) -> SeenPayment:
    return SeenPayment(
        payment_id=row.payment_id,
        status=row.status,
        amount=Money(row.amount_centavos),
        fee=Money(row.fee_centavos),
        net=Money(row.net_centavos),
        method=row.method,
        intent_id=row.intent_id,
        source_id=row.source_id,
        payout_id=row.payout_id,
        created_at=row.paymongo_created_at,
        outcome=PaymentOutcome(row.outcome),
        attempt_id=row.attempt_id,
        bill_id=row.bill_id,
        note=row.note,
    )


def _copy_seen(row: ReconciledPaymentRow, seen: SeenPayment, at: datetime) -> None:
    row.status = seen.status
    row.amount_centavos = seen.amount.centavos
    row.fee_centavos = seen.fee.centavos
    row.net_centavos = seen.net.centavos
    row.method = seen.method
    row.intent_id = seen.intent_id
    row.source_id = seen.source_id
    row.payout_id = seen.payout_id
    row.paymongo_created_at = seen.created_at
    row.outcome = seen.outcome.value
    row.attempt_id = seen.attempt_id
    row.bill_id = seen.bill_id
    row.note = seen.note
    row.seen_at = at
