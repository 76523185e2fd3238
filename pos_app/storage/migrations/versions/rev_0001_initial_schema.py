"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("approver", sa.String(length=100), nullable=True),
        sa.Column("details_json", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_log_hash")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_action"), ["action"], unique=False)

    op.create_table(
        "invoice_series",
        sa.Column("terminal_id", sa.String(length=40), nullable=False),
        sa.Column("prefix", sa.String(length=20), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("terminal_id", name=op.f("pk_invoice_series")),
    )
    op.create_table(
        "patients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("remote_id", sa.Integer(), nullable=True),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("senior_pwd_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
        sa.UniqueConstraint("remote_id", name=op.f("uq_patients_remote_id")),
    )
    op.create_table(
        "webhook_events",
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("event_type", sa.String(length=60), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_webhook_events")),
    )
    op.create_table(
        "bills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("remote_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("clinic_name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("amount_due_centavos", sa.Integer(), nullable=False),
        sa.Column("amount_paid_centavos", sa.Integer(), nullable=False),
        sa.Column("discount_centavos", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "amount_due_centavos >= 0", name=op.f("ck_bills_amount_due_not_negative")
        ),
        sa.CheckConstraint(
            "amount_paid_centavos >= 0", name=op.f("ck_bills_amount_paid_not_negative")
        ),
        sa.CheckConstraint("discount_centavos >= 0", name=op.f("ck_bills_discount_not_negative")),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_bills_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bills")),
        sa.UniqueConstraint("number", name=op.f("uq_bills_number")),
        sa.UniqueConstraint("remote_id", name=op.f("uq_bills_remote_id")),
    )
    with op.batch_alter_table("bills", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bills_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index("ix_bills_status_updated_at", ["status", "updated_at"], unique=False)
        batch_op.create_index("ix_bills_updated_at", ["updated_at"], unique=False)

    op.create_table(
        "bill_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bill_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_centavos", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_bill_lines_quantity_positive")),
        sa.CheckConstraint(
            "unit_price_centavos >= 0", name=op.f("ck_bill_lines_unit_price_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["bill_id"], ["bills.id"], name=op.f("fk_bill_lines_bill_id_bills"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bill_lines")),
        sa.UniqueConstraint("bill_id", "position", name=op.f("uq_bill_lines_bill_id_position")),
    )
    op.create_table(
        "bill_search_tokens",
        sa.Column(
            "token",
            sa.String(length=64).with_variant(sa.String(length=64, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("bill_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["bill_id"],
            ["bills.id"],
            name=op.f("fk_bill_search_tokens_bill_id_bills"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token", "bill_id", name=op.f("pk_bill_search_tokens")),
    )
    with op.batch_alter_table("bill_search_tokens", schema=None) as batch_op:
        batch_op.create_index(
            "ix_bill_search_tokens_bill_id_token", ["bill_id", "token"], unique=False
        )
        batch_op.create_index(
            "ix_bill_search_tokens_newest",
            ["token", "updated_at", "bill_id", "status"],
            unique=False,
        )

    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("terminal_id", sa.String(length=40), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("bill_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("total_centavos", sa.Integer(), nullable=False),
        sa.CheckConstraint("sequence > 0", name=op.f("ck_invoices_sequence_positive")),
        sa.CheckConstraint("total_centavos >= 0", name=op.f("ck_invoices_total_not_negative")),
        sa.ForeignKeyConstraint(["bill_id"], ["bills.id"], name=op.f("fk_invoices_bill_id_bills")),
        sa.ForeignKeyConstraint(
            ["terminal_id"],
            ["invoice_series.terminal_id"],
            name=op.f("fk_invoices_terminal_id_invoice_series"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("bill_id", name=op.f("uq_invoices_bill_id")),
        sa.UniqueConstraint("number", name=op.f("uq_invoices_number")),
        sa.UniqueConstraint(
            "terminal_id", "sequence", name=op.f("uq_invoices_terminal_id_sequence")
        ),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invoices_issued_at"), ["issued_at"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bill_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("payload_json", sa.Text(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["bill_id"], ["bills.id"], name=op.f("fk_outbox_bill_id_bills")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_outbox_idempotency_key")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_bill_id"), ["bill_id"], unique=False)
        batch_op.create_index("ix_outbox_sent_at_id", ["sent_at", "id"], unique=False)

    op.create_table(
        "payment_attempts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("bill_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("amount_centavos", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failure_code", sa.String(length=100), nullable=True),
        sa.Column("failure_message", sa.Text(), nullable=True),
        sa.CheckConstraint("amount_centavos > 0", name=op.f("ck_payment_attempts_amount_positive")),
        sa.ForeignKeyConstraint(
            ["bill_id"], ["bills.id"], name=op.f("fk_payment_attempts_bill_id_bills")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_attempts")),
    )
    with op.batch_alter_table("payment_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_attempts_bill_id"), ["bill_id"], unique=False)
        batch_op.create_index("ix_payment_attempts_state", ["state"], unique=False)

    op.create_table(
        "attempt_idempotency_keys",
        sa.Column("attempt_id", sa.String(length=64), nullable=False),
        sa.Column("step", sa.String(length=30), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["payment_attempts.id"],
            name=op.f("fk_attempt_idempotency_keys_attempt_id_payment_attempts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("attempt_id", "step", name=op.f("pk_attempt_idempotency_keys")),
        sa.UniqueConstraint("key", name=op.f("uq_attempt_idempotency_keys_key")),
    )
    op.create_table(
        "attempt_paymongo_ids",
        sa.Column("attempt_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("paymongo_id", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["payment_attempts.id"],
            name=op.f("fk_attempt_paymongo_ids_attempt_id_payment_attempts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("attempt_id", "kind", name=op.f("pk_attempt_paymongo_ids")),
    )
    with op.batch_alter_table("attempt_paymongo_ids", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attempt_paymongo_ids_paymongo_id"), ["paymongo_id"], unique=False
        )

    op.create_table(
        "refunds",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("bill_id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.String(length=64), nullable=True),
        sa.Column("amount_centavos", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("paymongo_refund_id", sa.String(length=100), nullable=True),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.Column("approved_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("manual", sa.Boolean(), nullable=False),
        sa.CheckConstraint("amount_centavos > 0", name=op.f("ck_refunds_amount_positive")),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["payment_attempts.id"],
            name=op.f("fk_refunds_attempt_id_payment_attempts"),
        ),
        sa.ForeignKeyConstraint(["bill_id"], ["bills.id"], name=op.f("fk_refunds_bill_id_bills")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_refunds_idempotency_key")),
        sa.UniqueConstraint("paymongo_refund_id", name=op.f("uq_refunds_paymongo_refund_id")),
    )
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refunds_attempt_id"), ["attempt_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_refunds_bill_id"), ["bill_id"], unique=False)
        batch_op.create_index("ix_refunds_state", ["state"], unique=False)

    op.create_table(
        "tenders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bill_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("amount_centavos", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.String(length=64), nullable=True),
        sa.Column("cash_tendered_centavos", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_centavos > 0", name=op.f("ck_tenders_amount_positive")),
        sa.CheckConstraint(
            "cash_tendered_centavos IS NULL OR cash_tendered_centavos >= amount_centavos",
            name=op.f("ck_tenders_cash_covers_amount"),
        ),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["payment_attempts.id"],
            name=op.f("fk_tenders_attempt_id_payment_attempts"),
        ),
        sa.ForeignKeyConstraint(["bill_id"], ["bills.id"], name=op.f("fk_tenders_bill_id_bills")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenders")),
        sa.UniqueConstraint("attempt_id", name=op.f("uq_tenders_attempt_id")),
    )
    with op.batch_alter_table("tenders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tenders_bill_id"), ["bill_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tenders_recorded_at"), ["recorded_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tenders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tenders_recorded_at"))
        batch_op.drop_index(batch_op.f("ix_tenders_bill_id"))

    op.drop_table("tenders")
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_index("ix_refunds_state")
        batch_op.drop_index(batch_op.f("ix_refunds_bill_id"))
        batch_op.drop_index(batch_op.f("ix_refunds_attempt_id"))

    op.drop_table("refunds")
    with op.batch_alter_table("attempt_paymongo_ids", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attempt_paymongo_ids_paymongo_id"))

    op.drop_table("attempt_paymongo_ids")
    op.drop_table("attempt_idempotency_keys")
    with op.batch_alter_table("payment_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_attempts_state")
        batch_op.drop_index(batch_op.f("ix_payment_attempts_bill_id"))

    op.drop_table("payment_attempts")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_sent_at_id")
        batch_op.drop_index(batch_op.f("ix_outbox_bill_id"))

    op.drop_table("outbox")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoices_issued_at"))

    op.drop_table("invoices")
    with op.batch_alter_table("bill_search_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_bill_search_tokens_newest")
        batch_op.drop_index("ix_bill_search_tokens_bill_id_token")

    op.drop_table("bill_search_tokens")
    op.drop_table("bill_lines")
    with op.batch_alter_table("bills", schema=None) as batch_op:
        batch_op.drop_index("ix_bills_updated_at")
        batch_op.drop_index("ix_bills_status_updated_at")
        batch_op.drop_index(batch_op.f("ix_bills_patient_id"))

    op.drop_table("bills")
    op.drop_table("webhook_events")
    op.drop_table("patients")
    op.drop_table("invoice_series")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_action"))

    op.drop_table("audit_log")
    op.drop_table("audit_head")
