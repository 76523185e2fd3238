"""database facts: which books a database holds (practice or real), written at creation

Revision ID: database_facts
Revises: e_journal
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "database_facts"
down_revision: str | None = "e_journal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "database_facts",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_database_facts")),
    )


def downgrade() -> None:
    op.drop_table("database_facts")
