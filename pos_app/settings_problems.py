"""Start-up problems: every bad setting at once, each with where it came from and how to fix it.

Threading contract: plain values; made while settings and keys are read, before the window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pos_app.domain.errors import ConfigError


@dataclass(frozen=True)
class SettingProblem:
    """One bad setting: what is wrong, where the value came from, and how to put it right."""

    name: str
    problem: str  # e.g. "has the value 'soon', but it should be a whole number"
    source: str  # e.g. "the settings file /home/desk/.config/Kaha/settings.toml"
    fix: str  # what the manager does about it

    def describe(self) -> str:
        return f"• {self.name} {self.problem}\n   Where: {self.source}\n   Fix: {self.fix}"


class StartupProblems(ConfigError):
    """Every bad setting found at start-up, reported together: the manager fixes them in one go
    instead of meeting them one start at a time."""

    def __init__(self, problems: Sequence[SettingProblem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        head = "Kaha cannot start: " + (
            "one setting needs fixing." if count == 1 else f"{count} settings need fixing."
        )
        body = "\n\n".join(problem.describe() for problem in self.problems)
        super().__init__(
            f"{head}\n\n{body}", detail="; ".join(p.name for p in self.problems) or None
        )

    def adding(self, more: Sequence[SettingProblem]) -> StartupProblems:
        return StartupProblems([*self.problems, *more]) if more else self
