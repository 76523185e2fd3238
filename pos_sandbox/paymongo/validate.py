"""Typed reads of request attributes that fail with PayMongo's validation errors."""

from __future__ import annotations

from typing import Any

from pos_sandbox.paymongo.errors import invalid, required, wrong_type

Json = dict[str, Any]


def get_int(
    attrs: Json,
    name: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    optional: bool = False,
    pointer: str | None = None,
) -> int | None:
    pointer = pointer or name
    value = attrs.get(name)
    if value is None:
        if optional:
            return None
        raise required(pointer)
    if isinstance(value, bool) or not isinstance(value, int):
        raise wrong_type(pointer, "an integer")
    if minimum is not None and value < minimum:
        raise invalid(
            "parameter_below_minimum", f"The minimum value for the {name} is {minimum}.", pointer
        )
    if maximum is not None and value > maximum:
        raise invalid(
            "parameter_above_maximum", f"The {name} cannot be greater than {maximum}.", pointer
        )
    return value


def need_int(
    attrs: Json,
    name: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    pointer: str | None = None,
) -> int:
    value = get_int(attrs, name, minimum=minimum, maximum=maximum, pointer=pointer)
    assert value is not None
    return value


def get_str(
    attrs: Json,
    name: str,
    *,
    optional: bool = False,
    max_length: int | None = None,
    pointer: str | None = None,
) -> str | None:
    pointer = pointer or name
    value = attrs.get(name)
    if value is None:
        if optional:
            return None
        raise required(pointer)
    if not isinstance(value, str):
        raise wrong_type(pointer, "a string")
    if not optional and not value:
        raise required(pointer)
    if max_length is not None and len(value) > max_length:
        raise invalid(
            "parameter_above_maximum",
            f"{name} cannot be longer than {max_length} characters.",
            pointer,
        )
    return value


def need_str(
    attrs: Json, name: str, *, max_length: int | None = None, pointer: str | None = None
) -> str:
    value = get_str(attrs, name, max_length=max_length, pointer=pointer)
    assert value is not None
    return value


def one_of(
    attrs: Json, name: str, choices: list[str] | set[str], *, optional: bool = False
) -> str | None:
    value = get_str(attrs, name, optional=optional)
    if value is not None and value not in choices:
        raise invalid(
            "parameter_invalid", f"{name} must be one of {', '.join(sorted(choices))}.", name
        )
    return value


def get_dict(attrs: Json, name: str, *, optional: bool = True) -> Json | None:
    value = attrs.get(name)
    if value is None:
        if optional:
            return None
        raise required(name)
    if not isinstance(value, dict):
        raise wrong_type(name, "an object")
    return value


def get_str_list(attrs: Json, name: str, *, optional: bool = False) -> list[str] | None:
    value = attrs.get(name)
    if value is None:
        if optional:
            return None
        raise required(name)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise wrong_type(name, "an array of strings")
    if not value and not optional:
        raise required(name)
    return value


def metadata(attrs: Json) -> dict[str, str] | None:
    """PayMongo metadata: a flat object whose values are strings only."""
    value = get_dict(attrs, "metadata")
    if value is None:
        return None
    for key, item in value.items():
        if not isinstance(item, str):
            raise wrong_type(f"metadata.{key}", "a string")
    return dict(value)


def currency(attrs: Json) -> str:
    value = need_str(attrs, "currency")
    if value != "PHP":
        raise invalid("parameter_invalid", "The currency must be PHP.", "currency")
    return value
