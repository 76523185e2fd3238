"""The audit chain verifies when untouched, and its first break shows every kind of direct
tampering (``pos-app audit verify`` words it: tests/integration/audit/test_audit_verify.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from pos_app.storage import Database
from pos_app.storage.repositories.audit_breaks import BreakKind, first_break
from tests.integration.storage.conftest import T0, minutes

ACTIONS = ["login", "patient_lookup", "refund", "void", "settings_changed"]


@pytest.fixture
def audited(db: Database) -> Database:
    with db.unit_of_work() as uow:
        for index, action in enumerate(ACTIONS):
            uow.audit.append(
                at=T0 + minutes(index),
                actor="ana",
                action=action,
                subject=f"bill:{800 + index}",
                approver="boss" if action == "refund" else None,
                details={"amount": "500.00", "index": index},
            )
        uow.commit()
    return db


def _tamper(db: Database, *statements: str) -> None:
    with db.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def _first_break(db: Database) -> tuple[BreakKind, int | None] | None:
    """What the first break looks like and the entry it shows at; None for an intact chain."""
    with db.unit_of_work(read_only=True) as uow:
        broken = first_break(uow.session)
    if broken is None:
        return None
    return broken.kind, None if broken.entry is None else broken.entry.seq


def test_untouched_chain_verifies(audited: Database) -> None:
    assert _first_break(audited) is None
    with audited.unit_of_work(read_only=True) as uow:
        entries = uow.audit.entries()
    assert [e.action for e in entries] == ACTIONS
    assert entries[2].approver == "boss"
    assert entries[1].prev_hash == entries[0].hash
    assert entries[0].details == {"amount": "500.00", "index": 0}
    assert entries[4].occurred_at == T0 + minutes(4)


def test_empty_chain_verifies(db: Database) -> None:
    assert _first_break(db) is None


def test_edited_row_is_detected(audited: Database) -> None:
    _tamper(audited, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3")
    assert _first_break(audited) == (BreakKind.EDITED, 3)


def test_edited_details_are_detected(audited: Database) -> None:
    _tamper(audited, "UPDATE audit_log SET details_json = '{}' WHERE seq = 2")
    assert _first_break(audited) == (BreakKind.EDITED, 2)


def test_deleted_row_is_detected(audited: Database) -> None:
    _tamper(audited, "DELETE FROM audit_log WHERE seq = 2")
    assert _first_break(audited) == (BreakKind.MISSING, 3)


def test_deleted_last_row_is_detected(audited: Database) -> None:
    _tamper(audited, "DELETE FROM audit_log WHERE seq = 5")
    assert _first_break(audited) == (BreakKind.MISSING, 4)  # the head row says 5 were written


def test_inserted_row_is_detected(audited: Database) -> None:
    _tamper(
        audited,
        "UPDATE audit_log SET seq = seq + 100 WHERE seq >= 3",
        "UPDATE audit_log SET seq = seq - 99 WHERE seq >= 103",
        "INSERT INTO audit_log (seq, occurred_at, actor, action, subject, approver, details_json,"
        " prev_hash, hash) SELECT 3, occurred_at, 'mallory', 'refund', 'bill:1', NULL, '{}',"
        " hash, 'f00d' FROM audit_log WHERE seq = 2",
    )
    assert _first_break(audited) == (BreakKind.INSERTED, 3)


def test_reordered_rows_are_detected(audited: Database) -> None:
    _tamper(
        audited,
        "UPDATE audit_log SET seq = 100 WHERE seq = 2",
        "UPDATE audit_log SET seq = 2 WHERE seq = 3",
        "UPDATE audit_log SET seq = 3 WHERE seq = 100",
    )
    assert _first_break(audited) == (BreakKind.OUT_OF_ORDER, 2)


def test_appending_continues_the_chain_after_commit(audited: Database) -> None:
    with audited.unit_of_work() as uow:
        entry = uow.audit.append(at=T0 + minutes(9), actor="ana", action="logout", subject="ana")
        uow.commit()
    assert entry.seq == 6
    assert _first_break(audited) is None
