"""reconciliation with PayMongo: payments seen, flags, cursors

Revision ID: reconcile
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "reconcile"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reconcile_marks",
        sa.Column("terminal_id", sa.String(length=40), nullable=False),
        sa.Column("payments_cursor", sa.String(length=100), nullable=True),
        sa.Column("refunds_cursor", sa.String(length=100), nullable=True),
        sa.Column("covered_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("terminal_id", name=op.f("pk_reconcile_marks")),
    )
    op.create_table(
        "reconcile_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("bill_id", sa.Integer(), nullable=True),
        sa.Column("amount_centavos", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bill_id"], ["bills.id"], name=op.f("fk_reconcile_flags_bill_id_bills")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconcile_flags")),
        sa.UniqueConstraint("kind", "subject", name=op.f("uq_reconcile_flags_kind_subject")),
    )
    op.create_table(
        "reconciled_payments",
        sa.Column("payment_id", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("amount_centavos", sa.Integer(), nullable=False),
        sa.Column("fee_centavos", sa.Integer(), nullable=False),
        sa.Column("net_centavos", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=30), nullable=False),
        sa.Column("intent_id", sa.String(length=100), nullable=True),
        sa.Column("source_id", sa.String(length=100), nullable=True),
        sa.Column("payout_id", sa.String(length=100), nullable=True),
        sa.Column("paymongo_created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("attempt_id", sa.String(length=64), nullable=True),
        sa.Column("bill_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["payment_attempts.id"],
            name=op.f("fk_reconciled_payments_attempt_id_payment_attempts"),
        ),
        sa.ForeignKeyConstraint(
            ["bill_id"], ["bills.id"], name=op.f("fk_reconciled_payments_bill_id_bills")
        ),
        sa.PrimaryKeyConstraint("payment_id", name=op.f("pk_reconciled_payments")),
    )
    with op.batch_alter_table("reconciled_payments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reconciled_payments_attempt_id"), ["attempt_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reconciled_payments_intent_id"), ["intent_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reconciled_payments_outcome"), ["outcome"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reconciled_payments_paymongo_created_at"),
            ["paymongo_created_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_reconciled_payments_payout_id"), ["payout_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("reconciled_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reconciled_payments_payout_id"))
        batch_op.drop_index(batch_op.f("ix_reconciled_payments_paymongo_created_at"))
        batch_op.drop_index(batch_op.f("ix_reconciled_payments_outcome"))
        batch_op.drop_index(batch_op.f("ix_reconciled_payments_intent_id"))
        batch_op.drop_index(batch_op.f("ix_reconciled_payments_attempt_id"))

    op.drop_table("reconciled_payments")
    op.drop_table("reconcile_flags")
    op.drop_table("reconcile_marks")
