"""refund slips: the refund's notes, channel, reference and slip number; the slip series

Revision ID: refund_slips
Revises: database_facts
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "refund_slips"
down_revision: str | None = "database_facts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "refund_slip_series",
        sa.Column("terminal_id", sa.String(length=40), nullable=False),
        sa.Column("prefix", sa.String(length=20), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("terminal_id", name=op.f("pk_refund_slip_series")),
    )
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("notes", sa.String(length=255), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("paymongo_payment_id", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("channel", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("reference", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("slip_number", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("booked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("failure", sa.String(length=400), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_refunds_slip_number"), ["slip_number"])


def downgrade() -> None:
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_refunds_slip_number"), type_="unique")
        batch_op.drop_column("failure")
        batch_op.drop_column("sent_at")
        batch_op.drop_column("booked_at")
        batch_op.drop_column("slip_number")
        batch_op.drop_column("reference")
        batch_op.drop_column("channel")
        batch_op.drop_column("paymongo_payment_id")
        batch_op.drop_column("notes")
    op.drop_table("refund_slip_series")
