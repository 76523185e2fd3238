"""``pos-app staff add NAME --role ROLE`` / ``staff list`` / ``staff disable NAME``: the people
who sign in, set up without the window.

The PIN is read from the terminal without echo (typed twice), or as one line from standard
input when that is not a terminal. The first person must be the owner. These commands act for
whoever may run Kaha on this computer (who can reach its database anyway); the audit names the
operating system's user as the one who added or turned off the person.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pos_app.domain.errors import PosError
from pos_app.domain.roles import Role

if TYPE_CHECKING:
    from pos_app.services.access import AccessService

HELP = "add, list or turn off the people who sign in (staff add NAME --role ROLE)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pos-app staff", description=HELP)
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="add|list|disable")
    add = verbs.add_parser("add", help="add a person; their PIN is asked for")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", required=True, choices=[role.value for role in Role])
    verbs.add_parser("list", help="everyone who may sign in, and who is turned off")
    disable = verbs.add_parser("disable", help="turn a person off: they can no longer sign in")
    disable.add_argument("name", metavar="NAME")
    return parser


def run(argv: Sequence[str]) -> int:
    args = _parser().parse_args(list(argv))
    from pos_app.commands._books import open_books
    from pos_app.domain.clock import SystemClock
    from pos_app.services.access import AccessService, os_user_actor

    opened = open_books()
    if opened is None:
        return 1
    _settings, database = opened
    try:
        access = AccessService(database, SystemClock())
        if args.verb == "list":
            return _list(access)
        if args.verb == "disable":
            person = access.disable_person(args.name, by=os_user_actor())
            print(f"{person.name} is turned off and can no longer sign in.")
            return 0
        pin = _new_pin(args.name)
        if pin is None:
            print("The two PINs differ. Nothing was changed.", file=sys.stderr)
            return 1
        person = access.add_person(args.name, Role(args.role), pin, by=os_user_actor())
        print(f"Added {person.name} ({person.role.label}). They sign in with their PIN.")
        return 0
    except PosError as exc:
        print(exc.user_message, file=sys.stderr)
        return 1
    finally:
        database.dispose()


def _list(access: AccessService) -> int:
    people = access.people()
    if not people:
        print("Nobody is set up yet. Add the owner: pos-app staff add NAME --role owner")
        return 0
    width = max(len(person.name) for person in people)
    for person in people:
        state = "" if person.active else "  (turned off)"
        print(f"{person.name.ljust(width)}  {person.role.value}{state}")
    return 0


def _new_pin(name: str) -> str | None:
    """The new PIN (None when the two typed at a terminal differ)."""
    from pos_app.commands._pin import read_pin

    pin = read_pin(f"PIN for {name} (4 to 12 digits): ")
    if sys.stdin.isatty() and read_pin("The same PIN again: ") != pin:
        return None
    return pin
