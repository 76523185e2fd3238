"""applied refunds: a refund of money applied from an overpayment case names that tender

Revision ID: applied_refunds
Revises: z_marks
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "applied_refunds"
down_revision: str | None = "z_marks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tender_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_refunds_tender_id"), ["tender_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_refunds_tender_id_tenders"), "tenders", ["tender_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_refunds_tender_id_tenders"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_refunds_tender_id"))
        batch_op.drop_column("tender_id")
