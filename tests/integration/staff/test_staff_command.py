"""``pos-app staff add/list/disable`` and ``pos-app takeover --as`` run through ``run(argv)``, the
PIN on standard input (not a terminal), against the counter's own database."""

from __future__ import annotations

import io

import pytest

from pos_app import commands
from pos_app.app import open_counter_database
from pos_app.config import load_settings
from pos_app.domain.clock import SystemClock
from pos_app.services.access import AccessService


def _run(monkeypatch: pytest.MonkeyPatch, argv: list[str], stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return commands.run(argv)


def _audit_actions() -> list[tuple[str, str]]:
    database = open_counter_database(load_settings())
    try:
        with database.unit_of_work(read_only=True) as uow:
            return [(e.actor, e.action) for e in uow.audit.entries()]
    finally:
        database.dispose()


def test_add_list_and_disable_people_from_the_command_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(monkeypatch, ["staff", "list"]) == 0
    assert "Nobody is set up yet" in capsys.readouterr().out

    assert _run(monkeypatch, ["staff", "add", "Rosa", "--role", "receptionist"], "1357\n") == 1
    assert "add the clinic owner first" in capsys.readouterr().err

    assert _run(monkeypatch, ["staff", "add", "Olivia", "--role", "owner"], "8080\n") == 0
    assert capsys.readouterr().out == "Added Olivia (Owner). They sign in with their PIN.\n"
    assert _run(monkeypatch, ["staff", "add", "Rosa", "--role", "receptionist"], "1357\n") == 0
    assert _run(monkeypatch, ["staff", "add", "Joy", "--role", "staff"], "12\n") == 1
    assert "4 to 12 digits" in capsys.readouterr().err
    assert _run(monkeypatch, ["staff", "disable", "rosa"]) == 0
    capsys.readouterr()
    assert _run(monkeypatch, ["staff", "list"]) == 0
    assert capsys.readouterr().out == "Olivia  owner\nRosa    receptionist  (turned off)\n"

    assert _run(monkeypatch, ["staff", "disable", "Olivia"]) == 1
    assert "only owner" in capsys.readouterr().err
    added_by = {actor for actor, action in _audit_actions() if action == "person_added"}
    assert len(added_by) == 1
    assert next(iter(added_by)).startswith("os-user:")


def test_the_pin_typed_is_what_signs_in(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _run(monkeypatch, ["staff", "add", "Olivia", "--role", "owner"], "80801\n") == 0
    database = open_counter_database(load_settings())
    try:
        access = AccessService(database, SystemClock())
        assert access.sign_in("Olivia", "80801").name == "Olivia"
    finally:
        database.dispose()


def test_takeover_needs_staff_or_owner_signed_in_with_their_pin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(monkeypatch, ["staff", "add", "Olivia", "--role", "owner"], "8080\n")
    _run(monkeypatch, ["staff", "add", "Rosa", "--role", "receptionist"], "1357\n")
    capsys.readouterr()
    argv = ["takeover", "09", "--yes", "--as"]
    assert _run(monkeypatch, [*argv, "Rosa"], "1111\n") == 1
    assert capsys.readouterr().err == "That name and PIN don't match. Please try again.\n"
    assert _run(monkeypatch, [*argv, "Rosa"], "1357\n") == 1
    assert "Your account can't take over another counter's payments" in capsys.readouterr().err
    assert _run(monkeypatch, [*argv, "Olivia"], "8080\n") == 0
    assert "Counter 09 has no open payments" in capsys.readouterr().out
    assert ("Rosa", "sign_in_failed") in _audit_actions()
    assert ("Olivia", "signed_in") in _audit_actions()
