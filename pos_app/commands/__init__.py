"""``pos-app <command>``: the counter's services without the window.

Each command lives in its own module under ``pos_app.commands`` and exposes
``run(argv: Sequence[str]) -> int`` (the exit code) and ``HELP`` (one line for ``pos-app --help``).
The table below is the only place that names them, so adding a command is one module and one line;
a command's module is imported only when that command runs, so start-up of the window pays nothing.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Protocol, cast

# command name -> module under pos_app.commands (keep alphabetical)
COMMANDS: dict[str, str] = {
    "audit": "audit",
    "backup": "backup",
    "journal": "journal",
    "payouts": "payouts",
    "reconcile": "reconcile",
    "refund": "refund",
    "report": "report",
    "restore": "restore",
    "staff": "staff",
    "sync": "sync",
    "takeover": "takeover",
}


class Command(Protocol):
    HELP: str

    def run(self, argv: Sequence[str]) -> int: ...


def load(name: str) -> Command:
    """The module behind ``pos-app NAME``; KeyError for a name that is not a command."""
    return cast(Command, importlib.import_module(f"pos_app.commands.{COMMANDS[name]}"))


def is_command(argv: Sequence[str]) -> bool:
    return bool(argv) and argv[0] in COMMANDS


def run(argv: Sequence[str]) -> int:
    """Run ``pos-app NAME ARGS...``; argv[0] must be a known command (see is_command)."""
    return load(argv[0]).run(argv[1:])


def epilog() -> str:
    """The commands' one-line helps, for ``pos-app --help``."""
    if not COMMANDS:
        return ""
    width = max(len(name) for name in COMMANDS)
    lines = [f"  {name.ljust(width)}  {load(name).HELP}" for name in sorted(COMMANDS)]
    return "commands (run without the window):\n" + "\n".join(lines)
