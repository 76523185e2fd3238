"""One page of a cursor-paginated list answer: ``{"data": [...], "has_more": bool}``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from pos_app.paymongo.models._fields import Fields

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    has_more: bool

    @classmethod
    def from_answer(cls, body: object, item: Callable[[object, str], T]) -> Page[T]:
        f = Fields(body, "answer")
        return cls(items=f.items("data", item), has_more=f.flag("has_more", default=False))
