"""PayMongo-shaped errors (fact sheet §14).

Shape: `{"errors": [{code, detail, source: {pointer, attribute}}]}`.
"""

from __future__ import annotations

import json
from typing import Any

Json = dict[str, Any]


class ApiError(Exception):
    """An error answer: HTTP status plus the PayMongo `errors` array."""

    def __init__(self, status: int, errors: list[Json]) -> None:
        super().__init__(f"{status}: {errors}")
        self.status = status
        self.errors = errors

    @classmethod
    def of(cls, status: int, code: str, detail: str, attribute: str | None = None) -> ApiError:
        entry: Json = {"code": code, "detail": detail}
        if attribute is not None:
            entry["source"] = {"pointer": attribute, "attribute": attribute.rsplit(".", 1)[-1]}
        return cls(status, [entry])

    def body(self) -> bytes:
        # compact, as PayMongo writes it (the recorded answers in paymongo-api.md 19.1)
        return json.dumps({"errors": self.errors}, separators=(",", ":")).encode()


def invalid(code: str, detail: str, attribute: str | None = None) -> ApiError:
    """A 400 validation or business-rule error."""
    return ApiError.of(400, code, detail, attribute)


def required(attribute: str) -> ApiError:
    return invalid("parameter_required", f"{attribute} is required.", attribute)


def wrong_type(attribute: str, kind: str) -> ApiError:
    name = attribute.rsplit(".", 1)[-1]
    return invalid("parameter_data_type_invalid", f"{name} should be {kind}.", attribute)


def not_found(resource_type: str, resource_id: str) -> ApiError:
    return ApiError.of(
        404, "resource_not_found", f"No such {resource_type} with id {resource_id} found."
    )


def failed_state(detail: str) -> ApiError:
    return invalid("resource_failed_state", detail)


def unauthorized(detail: str) -> ApiError:
    # The exact 401 code is undocumented (fact sheet §18.7); `authentication_failed` is a guess.
    return ApiError.of(401, "authentication_failed", detail)


_STATUS_CODES = {
    400: ("parameter_invalid", "The request is invalid."),
    401: ("authentication_failed", "The API key is missing or invalid."),
    403: ("forbidden", "This API key cannot perform this request."),
    404: ("resource_not_found", "The resource was not found."),
    413: ("parameter_invalid", "The request body is too large."),
    429: ("too_many_requests", "Too many requests, please try again later."),
}


def body_for_status(status: int) -> bytes:
    """The error body for a bare status (used by the fault injector for injected errors)."""
    code, detail = _STATUS_CODES.get(status, ("server_error", "Something went wrong."))
    if status == 429:
        return b"Too many requests, please try again later."
    return ApiError.of(status, code, detail).body()
