"""``pos-app <command>``: a command name runs its module, anything else starts the window."""

from __future__ import annotations

import sys
import types
from collections.abc import Sequence

import pytest

from pos_app import app, commands


@pytest.fixture
def echo_command(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    calls: list[list[str]] = []
    module = types.ModuleType("pos_app.commands.echo_for_test")

    def run(argv: Sequence[str]) -> int:
        calls.append(list(argv))
        return 7

    module.run = run  # type: ignore[attr-defined]
    module.HELP = "say what it was given"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(commands.COMMANDS, "echo", "echo_for_test")
    return calls


def test_a_command_name_runs_its_module_with_the_rest_of_the_line(
    echo_command: list[list[str]],
) -> None:
    assert app.main(["echo", "--once", "x"]) == 7
    assert echo_command == [["--once", "x"]]


def test_options_and_unknown_words_are_not_commands(echo_command: list[list[str]]) -> None:
    assert not commands.is_command([])
    assert not commands.is_command(["--smoke-test"])
    assert not commands.is_command(["ech"])
    assert commands.is_command(["echo"])


def test_help_lists_every_command_with_its_line(
    echo_command: list[list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        app.parse_args(["--help"])
    out = capsys.readouterr().out
    assert "commands (run without the window):" in out
    lines = [line.split() for line in out.splitlines()]
    assert ["echo", "say", "what", "it", "was", "given"] in lines  # names padded to one width
