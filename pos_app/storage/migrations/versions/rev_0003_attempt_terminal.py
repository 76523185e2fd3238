"""each payment attempt belongs to its terminal (several counters on one database)

Revision ID: attempt_terminal
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "attempt_terminal"
down_revision: str | None = "reconcile"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Attempts made before counters were told apart were made by a single counter: the default
# terminal ("01"). A counter that ran under another id takes them with `pos-app takeover 01`.
EARLIER_TERMINAL = "01"


def upgrade() -> None:
    with op.batch_alter_table("payment_attempts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "terminal_id",
                sa.String(length=40),
                nullable=False,
                server_default=EARLIER_TERMINAL,
            )
        )
        batch_op.create_index(
            batch_op.f("ix_payment_attempts_terminal_id"), ["terminal_id"], unique=False
        )
    with op.batch_alter_table("payment_attempts", schema=None) as batch_op:
        batch_op.alter_column("terminal_id", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("payment_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_attempts_terminal_id"))
        batch_op.drop_column("terminal_id")
