"""A lock noted in the last moment before the counter closes still reaches the audit trail: the
window writes lock notes on the database worker after it covers the screen, and shutdown writes
any note the worker did not get to."""

from __future__ import annotations

from pathlib import Path

from pos_app.app import build_services
from pos_app.config import Secrets, load_settings
from pos_app.domain.roles import Role
from pos_app.services.access import Audit
from pos_app.storage import open_database


def test_a_lock_noted_just_before_closing_is_in_the_audit_after_shutdown(tmp_path: Path) -> None:
    settings = load_settings(
        {"POS_APP_DATA_DIR": str(tmp_path / "data"), "POS_APP_CONFIG_DIR": str(tmp_path / "cfg")}
    )
    services = build_services(settings, Secrets())
    access = services.access
    access.add_person("Rosa Cruz", Role.RECEPTIONIST, "2580", by="test")
    access.sign_in("Rosa Cruz", "2580")
    access.lock()  # Ctrl+L, and the counter closes before the worker writes the note
    services.shutdown()

    database = open_database(services.database.engine.url.render_as_string(hide_password=False))
    try:
        with database.unit_of_work(read_only=True) as uow:
            locks = [
                (e.actor, e.action) for e in uow.audit.entries() if e.action == Audit.COUNTER_LOCKED
            ]
    finally:
        database.dispose()
    assert locks == [("Rosa Cruz", Audit.COUNTER_LOCKED)]
