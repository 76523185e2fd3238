"""Storage: SQLAlchemy models, SQLite durability, Alembic migrations, unit of work, repositories.

Callers open the database once and work through units of work; repositories hand back
domain objects only::

    db = open_database("sqlite:////path/kaha.db")
    with db.unit_of_work() as uow:
        bill = uow.bills.get(12)
        uow.commit()
"""

from pos_app.storage.database import Database, open_database
from pos_app.storage.engine import create_storage_engine, verify_sqlite_durability
from pos_app.storage.migrate import run_migrations
from pos_app.storage.repositories import (
    AttemptRepository,
    AuditEntry,
    AuditRepository,
    BillRepository,
    ChainProblem,
    InvoiceNumber,
    InvoiceRepository,
    OutboxMessage,
    OutboxRepository,
    RefundRepository,
    TenderRepository,
    WebhookEventRepository,
    next_invoice_number,
)
from pos_app.storage.unit_of_work import UnitOfWork

__all__ = [
    "AttemptRepository",
    "AuditEntry",
    "AuditRepository",
    "BillRepository",
    "ChainProblem",
    "Database",
    "InvoiceNumber",
    "InvoiceRepository",
    "OutboxMessage",
    "OutboxRepository",
    "RefundRepository",
    "TenderRepository",
    "UnitOfWork",
    "WebhookEventRepository",
    "create_storage_engine",
    "next_invoice_number",
    "open_database",
    "run_migrations",
    "verify_sqlite_durability",
]
