"""Payment attempts, written ahead of every request to PayMongo."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from pos_app.domain.attempt import TERMINAL, AttemptState, PaymentAttempt
from pos_app.domain.errors import IllegalTransition, StorageError
from pos_app.domain.money import Money
from pos_app.domain.tender import TenderMethod
from pos_app.storage.models import (
    AttemptIdempotencyKeyRow,
    AttemptPaymongoIdRow,
    PaymentAttemptRow,
)


class AttemptRepository:
    """Attempts as domain objects. Runs on the caller's session; never commits.

    Idempotency keys are write-once: an update that would change a stored key raises
    StorageError, because a changed key on a retry is how a double charge happens.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, attempt: PaymentAttempt, *, terminal_id: str) -> None:
        """Write ``attempt`` ahead, as made by (and belonging to) counter ``terminal_id``."""
        row = PaymentAttemptRow(id=attempt.id, bill_id=attempt.bill_id, terminal_id=terminal_id)
        _copy_fields(row, attempt)
        row.idempotency_keys = [
            AttemptIdempotencyKeyRow(step=step, key=key)
            for step, key in sorted(attempt.idempotency_keys.items())
        ]
        row.paymongo_ids = [
            AttemptPaymongoIdRow(kind=kind, paymongo_id=paymongo_id)
            for kind, paymongo_id in sorted(attempt.paymongo_ids.items())
        ]
        self._session.add(row)
        self._session.flush()

    def get(self, attempt_id: str, *, terminal_id: str | None = None) -> PaymentAttempt | None:
        """The attempt; with ``terminal_id``, only if it belongs to that counter."""
        row = self._session.get(PaymentAttemptRow, attempt_id)
        if row is None or (terminal_id is not None and row.terminal_id != terminal_id):
            return None
        return attempt_from_row(row)

    def take_over(self, from_terminal: str, to_terminal: str) -> list[PaymentAttempt]:
        """Hand every open attempt of counter ``from_terminal`` to ``to_terminal`` (which then
        polls, recovers and settles them); returns them. The caller audits it."""
        terminal = sorted(state.value for state in TERMINAL)
        rows = list(
            self._session.scalars(
                select(PaymentAttemptRow)
                .where(
                    PaymentAttemptRow.terminal_id == from_terminal,
                    PaymentAttemptRow.state.not_in(terminal),
                )
                .order_by(PaymentAttemptRow.created_at, PaymentAttemptRow.id)
                .with_for_update()
            )
        )
        for row in rows:
            row.terminal_id = to_terminal
        self._session.flush()
        return [attempt_from_row(row) for row in rows]

    def update(self, attempt: PaymentAttempt) -> None:
        """Persist a transitioned attempt: state, times, failure and any new ids or keys.

        Compare-and-set: the row is written only if it still holds ``attempt.came_from``, the
        state the change was decided from. Otherwise another worker (a webhook, a second poll,
        another counter) moved it on meanwhile, and IllegalTransition is raised: a slow answer
        never puts an attempt back to an earlier state beside its tender and invoice.
        """
        expected = attempt.came_from
        if expected is None:
            raise StorageError(
                "This payment's records do not match. Please call support.",
                detail=f"attempt {attempt.id}: update without the state it moves from",
            )
        result = self._session.execute(
            update(PaymentAttemptRow)
            .where(PaymentAttemptRow.id == attempt.id, PaymentAttemptRow.state == expected.value)
            .values(_fields(attempt))
            .execution_options(synchronize_session="fetch")
        )
        assert isinstance(result, CursorResult)
        if result.rowcount != 1:
            self._refuse_stale(attempt, expected)
        row = self._session.get(PaymentAttemptRow, attempt.id)
        assert row is not None
        self._merge_keys(row, attempt)
        stored_ids = {r.kind: r for r in row.paymongo_ids}
        for kind, paymongo_id in attempt.paymongo_ids.items():
            if kind in stored_ids:
                stored_ids[kind].paymongo_id = paymongo_id
            else:
                row.paymongo_ids.append(AttemptPaymongoIdRow(kind=kind, paymongo_id=paymongo_id))
        self._session.flush()

    def _refuse_stale(self, attempt: PaymentAttempt, expected: AttemptState) -> None:
        stored = self._session.scalar(
            select(PaymentAttemptRow.state).where(PaymentAttemptRow.id == attempt.id)
        )
        if stored is None:
            raise StorageError(
                "This payment could not be found. Please call support.",
                detail=f"update of unknown attempt {attempt.id}",
            )
        raise IllegalTransition(
            detail=f"attempt {attempt.id}: stored state is {stored!r}, not {expected.value!r}; "
            f"{attempt.state.value!r} not written"
        )

    def list_open(self, *, terminal_id: str | None = None) -> list[PaymentAttempt]:
        """Attempts not in a terminal state, oldest first: counter ``terminal_id``'s (what its
        recovery drives on), or every counter's with None (staff views, tests)."""
        terminal = sorted(state.value for state in TERMINAL)
        query = select(PaymentAttemptRow).where(PaymentAttemptRow.state.not_in(terminal))
        if terminal_id is not None:
            query = query.where(PaymentAttemptRow.terminal_id == terminal_id)
        rows = self._session.scalars(
            query.order_by(PaymentAttemptRow.created_at, PaymentAttemptRow.id)
        )
        return [attempt_from_row(row) for row in rows]

    def list_in_states(self, states: Iterable[AttemptState]) -> list[PaymentAttempt]:
        """Attempts in any of ``states``, oldest first (e.g. NEEDS_REVIEW for staff)."""
        wanted = sorted(state.value for state in states)
        rows = self._session.scalars(
            select(PaymentAttemptRow)
            .where(PaymentAttemptRow.state.in_(wanted))
            .order_by(PaymentAttemptRow.created_at, PaymentAttemptRow.id)
        )
        return [attempt_from_row(row) for row in rows]

    def list_for_bill(self, bill_id: int) -> list[PaymentAttempt]:
        rows = self._session.scalars(
            select(PaymentAttemptRow)
            .where(PaymentAttemptRow.bill_id == bill_id)
            .order_by(PaymentAttemptRow.created_at, PaymentAttemptRow.id)
        )
        return [attempt_from_row(row) for row in rows]

    def find_by_paymongo_id(self, paymongo_id: str) -> PaymentAttempt | None:
        """The attempt that created or saw this PayMongo object (intent, source, payment...)."""
        row = self._session.scalars(
            select(PaymentAttemptRow)
            .join(AttemptPaymongoIdRow)
            .where(AttemptPaymongoIdRow.paymongo_id == paymongo_id)
            .order_by(PaymentAttemptRow.created_at)
        ).first()
        return None if row is None else attempt_from_row(row)

    def find_by_idempotency_key(self, key: str) -> PaymentAttempt | None:
        row = self._session.scalars(
            select(PaymentAttemptRow)
            .join(AttemptIdempotencyKeyRow)
            .where(AttemptIdempotencyKeyRow.key == key)
        ).first()
        return None if row is None else attempt_from_row(row)

    def _merge_keys(self, row: PaymentAttemptRow, attempt: PaymentAttempt) -> None:
        stored = {r.step: r.key for r in row.idempotency_keys}
        for step, key in attempt.idempotency_keys.items():
            if step not in stored:
                row.idempotency_keys.append(AttemptIdempotencyKeyRow(step=step, key=key))
            elif stored[step] != key:
                raise StorageError(
                    "This payment's records do not match. Please call support.",
                    detail=f"attempt {attempt.id}: idempotency key for {step!r} may not change",
                )


def _fields(attempt: PaymentAttempt) -> dict[str, object]:
    return {
        "method": attempt.method.value,
        "amount_centavos": attempt.amount.centavos,
        "state": attempt.state.value,
        "created_at": attempt.created_at,
        "updated_at": attempt.updated_at,
        "expires_at": attempt.expires_at,
        "failure_code": attempt.failure_code,
        "failure_message": attempt.failure_message,
    }


def _copy_fields(row: PaymentAttemptRow, attempt: PaymentAttempt) -> None:
    for name, value in _fields(attempt).items():
        setattr(row, name, value)


def attempt_from_row(row: PaymentAttemptRow) -> PaymentAttempt:
    return PaymentAttempt(
        id=row.id,
        bill_id=row.bill_id,
        method=TenderMethod(row.method),
        amount=Money(row.amount_centavos),
        state=AttemptState(row.state),
        idempotency_keys={r.step: r.key for r in row.idempotency_keys},
        paymongo_ids={r.kind: r.paymongo_id for r in row.paymongo_ids},
        created_at=row.created_at,
        updated_at=row.updated_at,
        expires_at=row.expires_at,
        failure_code=row.failure_code,
        failure_message=row.failure_message,
    )
