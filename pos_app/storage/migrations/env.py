"""Alembic environment: runs on the connection that ``run_migrations`` hands over.

Batch mode is on so that ALTERs work on SQLite (table copy-and-move); on PostgreSQL batch
operations turn into plain ALTER statements.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from pos_app.storage.engine import create_storage_engine
from pos_app.storage.models import Base

target_metadata = Base.metadata


def _run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_online() -> None:
    connection = context.config.attributes.get("connection")
    if isinstance(connection, Connection):
        _run_on(connection)
        return
    # Only the developer's command line gets here (``alembic -x url=... revision``).
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise RuntimeError("pass the database with -x url=sqlite:///path.db")
    engine = create_storage_engine(url)
    try:
        with engine.connect() as own_connection:
            _run_on(own_connection)
            own_connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported; run them from code")
_run_online()
