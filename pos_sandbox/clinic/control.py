"""/_control/ routes of the fake clinic server: what tests use to play the clinic's side.

- ``POST /_control/bills`` ``{"patient_id"?: int, "lines": [{code, description, quantity,
  unit_price}], "description"?: str}`` -> 201 the new bill; or ``{"count": n, "seed": s}`` ->
  201 ``{"created": n}`` (generated bills).
- ``GET /_control/bills/{id}`` -> everything kept (amount_paid, invoice_number, refunds).
- ``PATCH /_control/bills/{id}`` ``{"amount"?, "lines"?, "status"?, "description"?}`` -> the bill.
- ``DELETE /_control/bills/{id}`` -> 204.
- ``GET /_control/arrivals?bill_id=`` -> ``{"arrivals": [...]}``; ``DELETE /_control/arrivals``.

Bad input answers 400 ``{"detail": ...}``; unknown bills 404.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pos_sandbox.clinic.model import BILL_STATUSES, BillLine, parse_amount
from pos_sandbox.clinic.state import ClinicState
from pos_sandbox.clinic.wire import BadBody, read_json

MAX_GENERATED = 1_000_000


def _bad(detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=400)


def _not_found() -> JSONResponse:
    return JSONResponse({"detail": "Not found."}, status_code=404)


def _lines(value: Any) -> list[BillLine]:
    if not isinstance(value, list) or not value:
        raise ValueError("lines must be a non-empty list")
    lines = []
    for item in value:
        if not isinstance(item, dict):
            raise ValueError("each line must be an object")
        try:
            line = BillLine.from_json(item)
        except (KeyError, TypeError) as exc:
            raise ValueError(f"bad line: {exc}") from exc
        if line.quantity < 1 or line.unit_price < 0:
            raise ValueError("quantity must be at least 1 and unit_price not negative")
        lines.append(line)
    return lines


def _int(data: dict[str, Any], name: str) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer")
    return value


async def _object_body(request: Request) -> dict[str, Any]:
    data = await read_json(request)
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    return data


def control_routes(state: ClinicState) -> list[Route]:
    """The clinic's /_control/ routes over `state` (the fault and log routes come separately)."""

    async def create(request: Request) -> Response:
        try:
            data = await _object_body(request)
            count = _int(data, "count")
            if count is not None:
                if not 0 < count <= MAX_GENERATED:
                    raise ValueError(f"count must be between 1 and {MAX_GENERATED}")
                state.generate(count, _int(data, "seed") or 0)
                return JSONResponse({"created": count}, status_code=201)
            lines = _lines(data.get("lines"))
            patient_id = _int(data, "patient_id")
            description = data.get("description")
            if description is not None and not isinstance(description, str):
                raise ValueError("description must be a string")
        except BadBody as bad:
            return bad.response
        except ValueError as exc:
            return _bad(str(exc))
        if patient_id is None:
            patients = state.patients()
            patient_id = patients[0].id if patients else state.add_patient("Juan", "Dela Cruz")
        try:
            bill = state.create_bill(patient_id, lines, description=description)
        except KeyError:
            return _bad(f"no patient {patient_id}")
        return JSONResponse(bill, status_code=201)

    async def read(request: Request) -> Response:
        record = state.bill_record(request.path_params["bill_id"])
        return JSONResponse(record) if record is not None else _not_found()

    async def change(request: Request) -> Response:
        try:
            data = await _object_body(request)
            amount = parse_amount(data["amount"]) if data.get("amount") is not None else None
            lines = _lines(data["lines"]) if data.get("lines") is not None else None
            status = data.get("status")
            if status is not None and status not in BILL_STATUSES:
                raise ValueError(f"status must be one of {', '.join(BILL_STATUSES)}")
            description = data.get("description")
            if description is not None and not isinstance(description, str):
                raise ValueError("description must be a string")
        except BadBody as bad:
            return bad.response
        except ValueError as exc:
            return _bad(str(exc))
        bill = state.change_bill(
            request.path_params["bill_id"],
            amount=amount,
            lines=lines,
            status=status,
            description=description,
        )
        return JSONResponse(bill) if bill is not None else _not_found()

    async def delete(request: Request) -> Response:
        deleted = state.delete_bill(request.path_params["bill_id"])
        return Response(status_code=204) if deleted else _not_found()

    async def arrivals(request: Request) -> Response:
        text = request.query_params.get("bill_id")
        if text is not None and not text.isdigit():
            return _bad("bill_id must be an integer")
        found = state.arrivals(int(text) if text is not None else None)
        return JSONResponse({"arrivals": [arrival.to_json() for arrival in found]})

    async def clear_arrivals(request: Request) -> Response:
        state.clear_arrivals()
        return Response(status_code=204)

    bill_path = "/_control/bills/{bill_id:int}"
    return [
        Route("/_control/bills", create, methods=["POST"]),
        Route(bill_path, read, methods=["GET"]),
        Route(bill_path, change, methods=["PATCH"]),
        Route(bill_path, delete, methods=["DELETE"]),
        Route("/_control/arrivals", arrivals, methods=["GET"]),
        Route("/_control/arrivals", clear_arrivals, methods=["DELETE"]),
    ]
