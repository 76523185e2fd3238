"""Strict readers for the fields we use out of PayMongo's JSON; unknown extra keys are ignored.

Every problem (a missing field, a wrong type, an unknown status) raises
``MalformedResponseError`` naming the field, so a bad answer never surfaces as a KeyError or
TypeError somewhere in the UI.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import TypeVar

from pos_app.paymongo.errors import MalformedResponseError

E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")


def malformed(where: str, problem: str) -> MalformedResponseError:
    return MalformedResponseError(f"Malformed PayMongo answer: {where} {problem}")


class Fields:
    """A JSON object read field by field; `where` names it in error messages."""

    __slots__ = ("data", "where")

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            raise malformed(where, "is not an object")
        self.data: Mapping[str, object] = data
        self.where = where

    def _get(self, name: str) -> object:
        if name not in self.data:
            raise malformed(f"{self.where}.{name}", "is missing")
        return self.data[name]

    def has(self, name: str) -> bool:
        return self.data.get(name) is not None

    def text(self, name: str) -> str:
        value = self._get(name)
        if not isinstance(value, str):
            raise malformed(f"{self.where}.{name}", "is not a string")
        return value

    def opt_text(self, name: str) -> str | None:
        return self.text(name) if self.has(name) else None

    def integer(self, name: str) -> int:
        value = self._get(name)
        # bool is an int subclass and float is not money: both are refused.
        if isinstance(value, bool) or not isinstance(value, int):
            raise malformed(f"{self.where}.{name}", "is not an integer")
        return value

    def opt_integer(self, name: str) -> int | None:
        return self.integer(name) if self.has(name) else None

    def flag(self, name: str, default: bool | None = None) -> bool:
        if default is not None and not self.has(name):
            return default
        value = self._get(name)
        if not isinstance(value, bool):
            raise malformed(f"{self.where}.{name}", "is not true or false")
        return value

    def enum(self, name: str, kind: type[E]) -> E:
        value = self.text(name)
        try:
            return kind(value)
        except ValueError:
            raise malformed(
                f"{self.where}.{name}", f"has an unknown value {value[:40]!r}"
            ) from None

    def obj(self, name: str) -> Fields:
        return Fields(self._get(name), f"{self.where}.{name}")

    def opt_obj(self, name: str) -> Fields | None:
        return self.obj(name) if self.has(name) else None

    def items(
        self, name: str, item: Callable[[object, str], T], *, optional: bool = False
    ) -> tuple[T, ...]:
        if optional and not self.has(name):
            return ()
        value = self._get(name)
        if not isinstance(value, list):
            raise malformed(f"{self.where}.{name}", "is not a list")
        return tuple(item(element, f"{self.where}.{name}[{i}]") for i, element in enumerate(value))

    def texts(self, name: str, *, optional: bool = False) -> tuple[str, ...]:
        return self.items(name, string_item, optional=optional)

    def metadata(self, name: str = "metadata") -> Mapping[str, str]:
        """A flat string-to-string mapping; absent or null is empty."""
        if not self.has(name):
            return {}
        raw = self.obj(name).data
        result: dict[str, str] = {}
        for key, value in raw.items():
            if not isinstance(value, str):
                raise malformed(f"{self.where}.{name}.{key}", "is not a string")
            result[key] = value
        return result

    def raw(self, name: str) -> object:
        return self.data.get(name)


def string_item(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise malformed(where, "is not a string")
    return value


def resource(data: object, where: str, expected_type: str | None) -> tuple[str, Fields]:
    """The id and attributes of a ``{"id", "type", "attributes"}`` resource."""
    envelope = Fields(data, where)
    resource_id = envelope.text("id")
    if expected_type is not None:
        actual = envelope.text("type")
        if actual != expected_type:
            raise malformed(f"{where}.type", f"is {actual[:40]!r}, expected {expected_type!r}")
    return resource_id, envelope.obj("attributes")


def single(body: object, expected_type: str) -> tuple[str, Fields]:
    """The resource in a ``{"data": {...}}`` answer."""
    return resource(Fields(body, "answer").raw("data"), "data", expected_type)
