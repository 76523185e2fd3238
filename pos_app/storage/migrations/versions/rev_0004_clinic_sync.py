"""clinic sync: the pull cursor, held changes, and the outbox's next try and stop

Revision ID: clinic_sync
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "clinic_sync"
down_revision: str | None = "attempt_terminal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "clinic_sync_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("cursor_updated_at", sa.String(length=64), nullable=True),
        sa.Column("cursor_updated_us", sa.BigInteger(), nullable=True),
        sa.Column("cursor_bill_id", sa.Integer(), nullable=True),
        sa.Column("first_sync_done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_pull_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("offline_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinic_sync_state")),
    )
    op.create_table(
        "clinic_held_changes",
        sa.Column("bill_id", sa.Integer(), nullable=False),
        sa.Column("payload_json", sa.Text(), nullable=False),
        sa.Column("old_amount_centavos", sa.Integer(), nullable=False),
        sa.Column("new_amount_centavos", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bill_id"], ["bills.id"], name=op.f("fk_clinic_held_changes_bill_id_bills")
        ),
        sa.PrimaryKeyConstraint("bill_id", name=op.f("pk_clinic_held_changes")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("stop_reason", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("stop_reason")
        batch_op.drop_column("stopped_at")
        batch_op.drop_column("next_try_at")
    op.drop_table("clinic_held_changes")
    op.drop_table("clinic_sync_state")
