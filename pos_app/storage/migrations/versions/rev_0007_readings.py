"""readings: shifts, stored Z-readings, each terminal's accumulated grand total, and the
terminal that took each tender

Revision ID: readings
Revises: document_prints
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "readings"
down_revision: str | None = "document_prints"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("terminal_id", sa.String(length=40), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(length=100), nullable=False),
        sa.Column("opening_float_centavos", sa.Integer(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=100), nullable=True),
        sa.Column("counted_centavos", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "counted_centavos IS NULL OR counted_centavos >= 0",
            name=op.f("ck_shifts_counted_ok"),
        ),
        sa.CheckConstraint(
            "opening_float_centavos >= 0", name=op.f("ck_shifts_float_not_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shifts")),
    )
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_shifts_terminal_id_closed_at", ["terminal_id", "closed_at"], unique=False
        )
    op.create_table(
        "z_readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("terminal_id", sa.String(length=40), nullable=False),
        sa.Column("business_date", sa.String(length=10), nullable=False),
        sa.Column("z_counter", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_by", sa.String(length=100), nullable=False),
        sa.Column("figures_json", sa.Text(), nullable=False),
        sa.Column("print_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_z_readings")),
        sa.UniqueConstraint(
            "terminal_id", "business_date", name=op.f("uq_z_readings_terminal_id_business_date")
        ),
        sa.UniqueConstraint(
            "terminal_id", "z_counter", name=op.f("uq_z_readings_terminal_id_z_counter")
        ),
    )
    op.create_table(
        "grand_totals",
        sa.Column("terminal_id", sa.String(length=40), nullable=False),
        sa.Column("accumulated_centavos", sa.BigInteger(), nullable=False),
        sa.Column("z_counter", sa.Integer(), nullable=False),
        sa.Column("reset_counter", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "accumulated_centavos >= 0", name=op.f("ck_grand_totals_never_negative")
        ),
        sa.PrimaryKeyConstraint("terminal_id", name=op.f("pk_grand_totals")),
    )
    with op.batch_alter_table("tenders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("terminal_id", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tenders", schema=None) as batch_op:
        batch_op.drop_column("terminal_id")
    op.drop_table("grand_totals")
    op.drop_table("z_readings")
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.drop_index("ix_shifts_terminal_id_closed_at")
    op.drop_table("shifts")
