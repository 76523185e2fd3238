"""Reading a PIN for a command: hidden at a terminal, one line from standard input otherwise
(scripts and tests pipe it in). Never an argument, so it stays out of the shell's history."""

from __future__ import annotations

import getpass
import sys


def read_pin(prompt: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().strip()
