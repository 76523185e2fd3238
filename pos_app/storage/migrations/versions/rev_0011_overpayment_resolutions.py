"""overpayment resolutions: how staff closed each overpayment case (refund or applied)

Revision ID: overpayment_resolutions
Revises: refund_slips
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "overpayment_resolutions"
down_revision: str | None = "refund_slips"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "overpayment_resolutions",
        sa.Column("attempt_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount_centavos", sa.Integer(), nullable=False),
        sa.Column("refund_id", sa.String(length=64), nullable=True),
        sa.Column("applied_bill_id", sa.Integer(), nullable=True),
        sa.Column("tender_id", sa.Integer(), nullable=True),
        sa.Column("resolved_by", sa.String(length=100), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "amount_centavos > 0", name=op.f("ck_overpayment_resolutions_amount_positive")
        ),
        sa.CheckConstraint(
            "kind IN ('refund', 'applied')", name=op.f("ck_overpayment_resolutions_kind_known")
        ),
        sa.ForeignKeyConstraint(
            ["applied_bill_id"],
            ["bills.id"],
            name=op.f("fk_overpayment_resolutions_applied_bill_id_bills"),
        ),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["payment_attempts.id"],
            name=op.f("fk_overpayment_resolutions_attempt_id_payment_attempts"),
        ),
        sa.ForeignKeyConstraint(
            ["refund_id"], ["refunds.id"], name=op.f("fk_overpayment_resolutions_refund_id_refunds")
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["tenders.id"], name=op.f("fk_overpayment_resolutions_tender_id_tenders")
        ),
        sa.PrimaryKeyConstraint("attempt_id", name=op.f("pk_overpayment_resolutions")),
        sa.UniqueConstraint("refund_id", name=op.f("uq_overpayment_resolutions_refund_id")),
        sa.UniqueConstraint("tender_id", name=op.f("uq_overpayment_resolutions_tender_id")),
    )


def downgrade() -> None:
    op.drop_table("overpayment_resolutions")
