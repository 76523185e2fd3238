"""document prints: how often each invoice and acknowledgement receipt was printed

Revision ID: document_prints
Revises: clinic_sync
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "document_prints"
down_revision: str | None = "staff"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "document_prints",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("bill_id", sa.Integer(), nullable=False),
        sa.Column("first_printed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_printed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reprint_count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "reprint_count >= 0", name=op.f("ck_document_prints_reprint_count_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["bill_id"], ["bills.id"], name=op.f("fk_document_prints_bill_id_bills")
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_document_prints")),
    )
    with op.batch_alter_table("document_prints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_prints_bill_id"), ["bill_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("document_prints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_prints_bill_id"))
    op.drop_table("document_prints")
