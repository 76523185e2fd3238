"""Refunds, through PayMongo or manual (cash or bank transfer with a signed slip)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pos_app.domain.errors import StorageError
from pos_app.domain.invoice import format_invoice_number
from pos_app.domain.money import Money
from pos_app.domain.refund import REFUND_TERMINAL, Refund, RefundState
from pos_app.storage.models import RefundRow, RefundSlipSeriesRow


class RefundRepository:
    """Refunds as domain objects. Runs on the caller's session; never commits."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, refund: Refund) -> None:
        row = RefundRow(id=refund.id, idempotency_key=refund.idempotency_key)
        _copy_fields(row, refund)
        self._session.add(row)
        self._session.flush()

    def get(self, refund_id: str) -> Refund | None:
        row = self._session.get(RefundRow, refund_id)
        return None if row is None else refund_from_row(row)

    def update(self, refund: Refund) -> None:
        """Persist a refund's new state; its idempotency key never changes."""
        row = self._session.get(RefundRow, refund.id)
        if row is None or row.idempotency_key != refund.idempotency_key:
            raise StorageError(
                "This refund's records do not match. Please call support.",
                detail=f"update of refund {refund.id}: unknown, or its idempotency key changed",
            )
        _copy_fields(row, refund)
        self._session.flush()

    def list_for_bill(self, bill_id: int) -> list[Refund]:
        rows = self._session.scalars(
            select(RefundRow)
            .where(RefundRow.bill_id == bill_id)
            .order_by(RefundRow.created_at, RefundRow.id)
        )
        return [refund_from_row(row) for row in rows]

    def list_open(self) -> list[Refund]:
        """Refunds not yet succeeded or failed, oldest first (what recovery drives on)."""
        terminal = sorted(state.value for state in REFUND_TERMINAL)
        rows = self._session.scalars(
            select(RefundRow)
            .where(RefundRow.state.not_in(terminal))
            .order_by(RefundRow.created_at, RefundRow.id)
        )
        return [refund_from_row(row) for row in rows]

    def list_recent(self, limit: int = 50) -> list[Refund]:
        """The newest refunds first (the refunds list and ``pos-app refund status``)."""
        rows = self._session.scalars(
            select(RefundRow).order_by(RefundRow.created_at.desc(), RefundRow.id).limit(limit)
        )
        return [refund_from_row(row) for row in rows]

    def find_by_idempotency_key(self, key: str) -> Refund | None:
        row = self._session.scalars(
            select(RefundRow).where(RefundRow.idempotency_key == key)
        ).first()
        return None if row is None else refund_from_row(row)

    def get_by_slip(self, slip_number: str) -> Refund | None:
        row = self._session.scalars(
            select(RefundRow).where(RefundRow.slip_number == slip_number)
        ).first()
        return None if row is None else refund_from_row(row)

    def next_slip_number(self, terminal_id: str, prefix: str) -> str:
        """Take the next refund slip number of ``terminal_id``'s own series, in the caller's
        transaction (the one that stores the slip on its refund, so no number is skipped).
        Locked like the invoice series: two counters never take the same number."""
        query = (
            select(RefundSlipSeriesRow)
            .where(RefundSlipSeriesRow.terminal_id == terminal_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        series = self._session.scalars(query).first()
        if series is None:
            try:
                with self._session.begin_nested():
                    self._session.add(
                        RefundSlipSeriesRow(terminal_id=terminal_id, prefix=prefix, last_sequence=0)
                    )
            except IntegrityError:
                pass
            series = self._session.scalars(query).one()
        series.last_sequence += 1
        self._session.flush()
        return format_invoice_number(series.prefix, terminal_id, series.last_sequence)

    def list_for_paymongo_payment(self, payment_id: str) -> list[Refund]:
        """Every refund of PayMongo payment ``payment_id``, whichever bill it was made from (the
        case's own bill, or the bill its money was applied to)."""
        rows = self._session.scalars(
            select(RefundRow)
            .where(RefundRow.paymongo_payment_id == payment_id)
            .order_by(RefundRow.created_at, RefundRow.id)
        )
        return [refund_from_row(row) for row in rows]

    def find_by_paymongo_id(self, paymongo_refund_id: str) -> Refund | None:
        row = self._session.scalars(
            select(RefundRow).where(RefundRow.paymongo_refund_id == paymongo_refund_id)
        ).first()
        return None if row is None else refund_from_row(row)


def _copy_fields(row: RefundRow, refund: Refund) -> None:
    row.bill_id = refund.bill_id
    row.attempt_id = refund.attempt_id
    row.amount_centavos = refund.amount.centavos
    row.reason = refund.reason
    row.state = refund.state.value
    row.paymongo_refund_id = refund.paymongo_refund_id
    row.requested_by = refund.requested_by
    row.approved_by = refund.approved_by
    row.created_at = refund.created_at
    row.manual = refund.manual
    row.notes = refund.notes
    row.paymongo_payment_id = refund.paymongo_payment_id
    row.channel = refund.channel
    row.reference = refund.reference
    row.slip_number = refund.slip_number
    row.booked_at = refund.booked_at
    row.sent_at = refund.sent_at
    row.failure = refund.failure
    row.tender_id = refund.tender_id


def refund_from_row(row: RefundRow) -> Refund:
    return Refund(
        id=row.id,
        bill_id=row.bill_id,
        attempt_id=row.attempt_id,
        amount=Money(row.amount_centavos),
        reason=row.reason,
        state=RefundState(row.state),
        paymongo_refund_id=row.paymongo_refund_id,
        idempotency_key=row.idempotency_key,
        requested_by=row.requested_by,
        approved_by=row.approved_by,
        created_at=row.created_at,
        manual=row.manual,
        notes=row.notes,
        paymongo_payment_id=row.paymongo_payment_id,
        channel=row.channel,
        reference=row.reference,
        slip_number=row.slip_number,
        booked_at=row.booked_at,
        sent_at=row.sent_at,
        failure=row.failure,
        tender_id=row.tender_id,
    )
