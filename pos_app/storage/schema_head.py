"""The newest schema revision, importable without SQLAlchemy or Alembic (for the first paint)."""

from typing import Final

SCHEMA_HEAD: Final = "applied_refunds"
"""The newest revision in migrations/versions. A test checks it against Alembic's own view, so a
new migration that forgets to update it fails CI. It lets a counter whose database is already
current start without importing Alembic, and paint its bill queue before SQLAlchemy is loaded."""
