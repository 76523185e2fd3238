"""What a manager override leaves behind: a one-shot approval of one permission, and who acts.

Threading contract: immutable values; share them freely.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from pos_app.domain.people import Person

__all__ = ["OVERRIDE_LIFETIME", "Approval", "Grant"]

# An approval is for the action asked for now, not for later: it lapses if not used soon.
OVERRIDE_LIFETIME: Final = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class Approval:
    """Who acts (the signed-in person) and, after a manager override, who approved it."""

    actor: Person
    approved_by: Person | None = None

    @property
    def approver_name(self) -> str | None:
        """For the action's own audit row (its ``approver``): None without an override."""
        return None if self.approved_by is None else self.approved_by.name


@dataclass(frozen=True, slots=True)
class Grant:
    """An approver's yes to one permission, until it is used or ``until`` passes. A used one
    still lets the screen it opened read (``AccessService.check``) until ``until``."""

    approver: Person
    until: datetime
    used: bool = False
