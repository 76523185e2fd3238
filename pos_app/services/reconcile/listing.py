"""Walking PayMongo's newest-first lists back to where the last run stopped.

PayMongo pages with ``after`` = the last id of the previous page (fact sheet sections 7 and 19,
[M]); the exact meaning of ``before`` is not settled (section 18.5), so only ``after`` is used:
each run reads from the newest item down to the stored cursor (the newest id the previous run
saw) or to the oldest moment wanted, whichever comes first. Items made while the walk runs sit
above the first page and are picked up by the next run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from pos_app.paymongo.models import Page


class _Listed(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def created_at(self) -> int: ...


L = TypeVar("L", bound=_Listed)


@dataclass
class Walk(Generic[L]):
    items: list[L]  # newest first
    pages: int
    newest_id: str | None  # the cursor to store once these are reconciled


def walk_back(
    fetch: Callable[[str | None], Page[L]], *, stop_at_id: str | None, floor_unix: int
) -> Walk[L]:
    """Every item newer than ``stop_at_id`` and not older than ``floor_unix``."""
    items: list[L] = []
    pages = 0
    after: str | None = None
    while True:
        page = fetch(after)
        pages += 1
        for item in page.items:
            if item.id == stop_at_id or item.created_at < floor_unix:
                return Walk(items, pages, _newest(items, stop_at_id))
            items.append(item)
        if not page.has_more or not page.items:
            return Walk(items, pages, _newest(items, stop_at_id))
        after = page.items[-1].id


def _newest(items: list[L], previous: str | None) -> str | None:
    return items[0].id if items else previous
