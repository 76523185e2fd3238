"""e-journal: a copy of every printout, in order per terminal, never updated or deleted

Revision ID: e_journal
Revises: readings
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e_journal"
down_revision: str | None = "readings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REFUSAL = "the e-journal keeps every printout: rows are never changed or deleted"

# SQLite and PostgreSQL refuse changes to the e-journal in the database itself, so not even a
# stray DELETE from another tool removes a printout (the repository has no delete either).
_SQLITE_TRIGGERS = [
    f"CREATE TRIGGER e_journal_no_{verb.lower()} BEFORE {verb} ON e_journal "
    f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END"
    for verb in ("UPDATE", "DELETE")
]
_POSTGRES_TRIGGERS = [
    "CREATE FUNCTION e_journal_refuse_change() RETURNS trigger AS $$ "
    f"BEGIN RAISE EXCEPTION '{_REFUSAL}'; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER e_journal_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON e_journal "
    "FOR EACH STATEMENT EXECUTE FUNCTION e_journal_refuse_change()",
]


def upgrade() -> None:
    op.create_table(
        "e_journal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("terminal_id", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("document_number", sa.String(length=80), nullable=False),
        sa.Column("reprint_number", sa.Integer(), nullable=False),
        sa.Column("printed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("person", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "reprint_number >= 0", name=op.f("ck_e_journal_reprint_number_not_negative")
        ),
        sa.CheckConstraint("seq > 0", name=op.f("ck_e_journal_seq_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_e_journal")),
        sa.UniqueConstraint("terminal_id", "seq", name=op.f("uq_e_journal_terminal_id_seq")),
    )
    with op.batch_alter_table("e_journal", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_e_journal_document_number"), ["document_number"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_e_journal_printed_at"), ["printed_at"], unique=False)
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": _SQLITE_TRIGGERS, "postgresql": _POSTGRES_TRIGGERS}.get(
        dialect, []
    ):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS e_journal_no_change ON e_journal")
        op.execute("DROP FUNCTION IF EXISTS e_journal_refuse_change()")
    with op.batch_alter_table("e_journal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_e_journal_printed_at"))
        batch_op.drop_index(batch_op.f("ix_e_journal_document_number"))
    op.drop_table("e_journal")
