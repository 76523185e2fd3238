"""HTTP helpers shared by the clinic API and its control routes: bounded JSON bodies, answers."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

MAX_BODY_BYTES = 1_000_000


class BadBody(Exception):
    """The request body cannot be used; `response` is the answer to send instead."""

    def __init__(self, response: JSONResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


async def read_json(request: Request) -> Any:
    """The decoded JSON body (decimals as Decimal, never float); an empty body reads as {}.

    Raises BadBody with 413 for bodies over MAX_BODY_BYTES and 400 (DRF's ParseError wording)
    for anything that is not JSON.
    """
    chunks = bytearray()
    async for chunk in request.stream():
        chunks += chunk
        if len(chunks) > MAX_BODY_BYTES:
            raise BadBody(JSONResponse({"detail": "Request body too large."}, status_code=413))
    if not chunks.strip():
        return {}
    try:
        return json.loads(chunks.decode("utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        detail = f"JSON parse error - {exc}"
        raise BadBody(JSONResponse({"detail": detail}, status_code=400)) from exc


def plain_json(data: Any) -> Any:
    """`data` with Decimals turned into strings, safe for json.dumps and JSONResponse."""
    return json.loads(json.dumps(data, default=str))
