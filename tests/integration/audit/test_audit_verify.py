"""``pos-app audit verify`` finds tampering done straight in the database with SQL (an entry
edited, deleted, inserted, or two swapped), on SQLite and on PostgreSQL, and names the first
broken entry and what happened to it in plain words."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from pos_app import commands
from pos_app.domain.clock import FakeClock
from pos_app.domain.roles import Role
from pos_app.services.access import AccessService
from pos_app.storage import Database, open_database
from pos_app.storage.models import AuditRow
from pos_app.storage.repositories.audit import entry_hash
from tests.integration.staff.conftest import FAST_KDF

T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # 09:00 in Manila
PEOPLE = ["demo-owner", "ana", "ben", "ana", "demo-owner"]
ACTIONS = ["signed_in", "refund", "reprint", "signed_in", "settings_changed"]


@pytest.fixture
def counter_db(migrated_db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """The counter's database (the one ``pos-app`` opens) with five audit entries."""
    monkeypatch.setenv("POS_APP_DATABASE_URL", migrated_db_url)
    # no key here means sandbox mode, whose commands open the practice books: the same database
    monkeypatch.setenv("POS_APP_PRACTICE_DATABASE_URL", migrated_db_url)
    database = open_database(migrated_db_url)
    with database.unit_of_work() as uow:
        for index, (actor, action) in enumerate(zip(PEOPLE, ACTIONS, strict=True)):
            uow.audit.append(
                at=T0 + timedelta(minutes=index),
                actor=actor,
                action=action,
                subject=f"bill:{800 + index}",
                details={"index": index},
            )
        uow.commit()
    yield database
    database.dispose()


def _sql(database: Database, *statements: str) -> None:
    with database.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def _verify(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = commands.run(["audit", "verify"])
    captured = capsys.readouterr()
    return code, (captured.out + captured.err).strip()


def test_an_untouched_trail_passes_with_one_line(
    counter_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    code, said = _verify(capsys)
    assert code == 0
    assert said == (
        "The audit trail is intact: 5 entries, the last one "
        "entry 5 (2026-12-07 09:04, demo-owner, settings_changed)."
    )


def test_an_edited_entry_is_named(counter_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    _sql(counter_db, "UPDATE audit_log SET details_json = '{\"index\": 99}' WHERE seq = 2")
    code, said = _verify(capsys)
    assert code == 1
    assert said == (
        "The audit trail is broken at entry 2 (2026-12-07 09:01, ana, refund): "
        "this entry was edited after it was written."
    )


def test_an_edited_actor_is_named(counter_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    _sql(counter_db, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3")
    code, said = _verify(capsys)
    assert code == 1
    assert "entry 3 (2026-12-07 09:02, mallory, reprint)" in said
    assert said.endswith("this entry was edited after it was written.")


def test_a_deleted_entry_is_found(counter_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    _sql(counter_db, "DELETE FROM audit_log WHERE seq = 2")
    code, said = _verify(capsys)
    assert code == 1
    assert said == (
        "The audit trail is broken at entry 3 (2026-12-07 09:02, ben, reprint): "
        "entry 2 is missing before it (deleted)."
    )


def test_deleted_entries_renumbered_to_hide_the_gap_are_found(
    counter_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    _sql(
        counter_db,
        "DELETE FROM audit_log WHERE seq IN (2, 3)",
        "UPDATE audit_log SET seq = seq - 2 WHERE seq > 3",
        "UPDATE audit_head SET last_seq = 3",
    )
    code, said = _verify(capsys)
    assert code == 1
    assert said.endswith("entries 2 to 3 are missing before it (deleted).")


def test_the_newest_entry_deleted_is_found(
    counter_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    _sql(counter_db, "DELETE FROM audit_log WHERE seq = 5")
    code, said = _verify(capsys)
    assert code == 1
    assert said == (
        "The audit trail is broken at entry 4 (2026-12-07 09:03, ana, signed_in): "
        "entry 5 is missing after it (deleted)."
    )


def test_an_inserted_entry_is_found(
    counter_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    _sql(
        counter_db,
        "UPDATE audit_log SET seq = seq + 100 WHERE seq >= 3",
        "UPDATE audit_log SET seq = seq - 99 WHERE seq >= 103",
        "INSERT INTO audit_log (seq, occurred_at, actor, action, subject, approver, details_json,"
        " prev_hash, hash) SELECT 3, occurred_at, 'mallory', 'refund', 'bill:1', NULL, '{}',"
        " hash, 'f00d' FROM audit_log WHERE seq = 2",
    )
    code, said = _verify(capsys)
    assert code == 1
    assert said == (
        "The audit trail is broken at entry 3 (2026-12-07 09:01, mallory, refund): "
        "this entry was inserted by hand; Kaha did not write it there."
    )


def test_an_entry_added_at_the_end_is_found(
    counter_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    _sql(
        counter_db,
        "INSERT INTO audit_log (seq, occurred_at, actor, action, subject, approver, details_json,"
        " prev_hash, hash) SELECT 6, occurred_at, 'mallory', 'refund', 'bill:1', NULL, '{}',"
        " hash, 'f00d' FROM audit_log WHERE seq = 5",
    )
    code, said = _verify(capsys)
    assert code == 1
    assert "entry 6 (2026-12-07 09:04, mallory, refund)" in said
    assert said.endswith("this entry was inserted by hand; Kaha did not write it there.")


def test_swapped_entries_are_found_out_of_order(
    counter_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    _sql(
        counter_db,
        "UPDATE audit_log SET seq = 100 WHERE seq = 2",
        "UPDATE audit_log SET seq = 2 WHERE seq = 3",
        "UPDATE audit_log SET seq = 3 WHERE seq = 100",
    )
    code, said = _verify(capsys)
    assert code == 1
    assert said == (
        "The audit trail is broken at entry 2 (2026-12-07 09:02, ben, reprint): "
        "this entry was written as entry 3: entries were moved out of order."
    )


def test_the_list_shows_entries_from_a_day(
    counter_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert commands.run(["audit", "list", "--since", "2026-12-07"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "entry 1 (2026-12-07 09:00, demo-owner, signed_in) bill:800"
    assert len(lines) == 5
    assert commands.run(["audit", "list", "--since", "2026-12-08"]) == 0
    assert capsys.readouterr().out == ""


def test_an_entry_edited_with_its_own_hash_made_to_fit_is_found(
    counter_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    """Someone who knows the hash recomputes it for the edited entry: the next one no longer
    follows it."""
    with counter_db.unit_of_work() as uow:
        row = uow.session.get(AuditRow, 3)
        assert row is not None
        row.actor = "mallory"
        row.hash = entry_hash(
            seq=row.seq,
            occurred_at=row.occurred_at,
            actor=row.actor,
            action=row.action,
            subject=row.subject,
            approver=row.approver,
            details_json=row.details_json,
            prev_hash=row.prev_hash,
        )
        uow.commit()
    code, said = _verify(capsys)
    assert code == 1
    assert said == (
        "The audit trail is broken at entry 3 (2026-12-07 09:02, mallory, reprint): "
        "this entry was edited after it was written."
    )


def test_the_list_says_in_plain_words_who_left_the_counter_and_how(
    counter_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    """Locking by hand, the idle lock and switching person: after them the chain holds."""
    clock = FakeClock(T0 + timedelta(hours=1))
    access = AccessService(counter_db, clock, kdf=FAST_KDF, idle_after=timedelta(minutes=5))
    access.add_person("Ana", Role.OWNER, "1357", by="test")
    access.add_person("Ben", Role.STAFF, "2468", by="test")
    access.sign_in("Ana", "1357")
    access.lock()
    access.sign_in("Ana", "1357")
    access.lock(switching=True)
    access.sign_in("Ben", "2468")
    clock.advance(timedelta(minutes=5))
    access.lock_if_idle()
    assert access.record_locks() == 3

    assert commands.run(["audit", "list", "--since", "2026-12-07"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(": ", 1)[1] for line in lines if ": " in line] == [
        "Ana locked the counter",
        "Ana signed out for someone else to sign in",
        "the counter locked itself after 5 minutes unused; Ben was signed in",
    ]
    assert lines[-1].startswith("entry 13 (2026-12-07 10:05, Ben, idle_locked) person:")
    assert lines[0] == "entry 1 (2026-12-07 09:00, demo-owner, signed_in) bill:800"
    code, said = _verify(capsys)
    assert code == 0, said
