"""z marks: the Z-reading that counted each tender, invoice, refund and closed shift

Revision ID: z_marks
Revises: overpayment_resolutions
Create Date: 2026-12-07

Existing rows are marked with the stored Z-reading whose period held them (by the rules that
Z-reading was taken with), so the first Z-reading after the upgrade counts only what no earlier
one did.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "z_marks"
down_revision: str | None = "overpayment_resolutions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("tenders", "invoices", "refunds", "shifts")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("z_reading_id", sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_z_reading_id"), ["z_reading_id"])
    _mark_what_stored_z_readings_counted()


def downgrade() -> None:
    for table in reversed(_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_z_reading_id"))
            batch_op.drop_column("z_reading_id")


def _mark_what_stored_z_readings_counted() -> None:
    """Each stored Z-reading counted its terminal's rows in [period_start, period_end)."""
    bind = op.get_bind()
    z = sa.table(
        "z_readings",
        sa.column("id"),
        sa.column("terminal_id"),
        sa.column("period_start"),
        sa.column("period_end"),
    )
    tenders = sa.table(
        "tenders",
        sa.column("bill_id"),
        sa.column("terminal_id"),
        sa.column("attempt_id"),
        sa.column("recorded_at"),
        sa.column("z_reading_id"),
    )
    attempts = sa.table("payment_attempts", sa.column("id"), sa.column("terminal_id"))
    invoices = sa.table(
        "invoices",
        sa.column("terminal_id"),
        sa.column("bill_id"),
        sa.column("issued_at"),
        sa.column("z_reading_id"),
    )
    refunds = sa.table(
        "refunds",
        sa.column("bill_id"),
        sa.column("state"),
        sa.column("created_at"),
        sa.column("z_reading_id"),
    )
    shifts = sa.table(
        "shifts", sa.column("terminal_id"), sa.column("closed_at"), sa.column("z_reading_id")
    )
    for z_id, terminal, start, end in bind.execute(
        sa.select(z.c.id, z.c.terminal_id, z.c.period_start, z.c.period_end)
    ).all():
        attempts_here = sa.select(attempts.c.id).where(attempts.c.terminal_id == terminal)
        bind.execute(
            tenders.update()
            .where(
                tenders.c.z_reading_id.is_(None),
                tenders.c.recorded_at >= start,
                tenders.c.recorded_at < end,
                sa.or_(
                    tenders.c.terminal_id == terminal,
                    tenders.c.terminal_id.is_(None)
                    & sa.or_(
                        tenders.c.attempt_id.is_(None), tenders.c.attempt_id.in_(attempts_here)
                    ),
                ),
            )
            .values(z_reading_id=z_id)
        )
        bind.execute(
            invoices.update()
            .where(
                invoices.c.z_reading_id.is_(None),
                invoices.c.terminal_id == terminal,
                invoices.c.issued_at >= start,
                invoices.c.issued_at < end,
            )
            .values(z_reading_id=z_id)
        )
        invoiced_here = sa.select(invoices.c.bill_id).where(invoices.c.terminal_id == terminal)
        paid_here = sa.select(tenders.c.bill_id).where(tenders.c.terminal_id == terminal)
        bind.execute(
            refunds.update()
            .where(
                refunds.c.z_reading_id.is_(None),
                refunds.c.state == "succeeded",
                refunds.c.created_at >= start,
                refunds.c.created_at < end,
                sa.or_(
                    refunds.c.bill_id.in_(invoiced_here),
                    refunds.c.bill_id.not_in(sa.select(invoices.c.bill_id))
                    & refunds.c.bill_id.in_(paid_here),
                ),
            )
            .values(z_reading_id=z_id)
        )
        bind.execute(
            shifts.update()
            .where(
                shifts.c.z_reading_id.is_(None),
                shifts.c.terminal_id == terminal,
                shifts.c.closed_at >= start,
                shifts.c.closed_at < end,
            )
            .values(z_reading_id=z_id)
        )
