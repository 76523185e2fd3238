"""Storage: SQLAlchemy models, SQLite durability, Alembic migrations, unit of work, repositories.

Callers open the database once and work through units of work; repositories hand back
domain objects only::

    db = open_database("sqlite:////path/kaha.db")
    with db.unit_of_work() as uow:
        bill = uow.bills.get(12)
        uow.commit()
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pos_app.storage.database import Database, open_database
    from pos_app.storage.engine import create_storage_engine, verify_sqlite_durability
    from pos_app.storage.migrate import run_migrations
    from pos_app.storage.repositories import (
        AttemptRepository,
        AuditEntry,
        AuditRepository,
        BillRepository,
        ClinicSyncRepository,
        HeldChange,
        InvoiceNumber,
        InvoiceRepository,
        OutboxMessage,
        OutboxRepository,
        RefundRepository,
        SyncState,
        TenderRepository,
        WebhookEventRepository,
        next_invoice_number,
    )
    from pos_app.storage.unit_of_work import UnitOfWork

# Loaded on first use, not on import: ``pos_app.storage.first_paint`` must be importable without
# SQLAlchemy, so the bill queue can be painted while SQLAlchemy loads on the database worker.
_HOMES = {
    "Database": "database",
    "open_database": "database",
    "create_storage_engine": "engine",
    "verify_sqlite_durability": "engine",
    "run_migrations": "migrate",
    "UnitOfWork": "unit_of_work",
}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_HOMES.get(name, 'repositories')}")
    value = getattr(module, name)
    globals()[name] = value
    return value


__all__ = [
    "AttemptRepository",
    "AuditEntry",
    "AuditRepository",
    "BillRepository",
    "ClinicSyncRepository",
    "Database",
    "HeldChange",
    "InvoiceNumber",
    "InvoiceRepository",
    "OutboxMessage",
    "OutboxRepository",
    "RefundRepository",
    "SyncState",
    "TenderRepository",
    "UnitOfWork",
    "WebhookEventRepository",
    "create_storage_engine",
    "next_invoice_number",
    "open_database",
    "run_migrations",
    "verify_sqlite_durability",
]
