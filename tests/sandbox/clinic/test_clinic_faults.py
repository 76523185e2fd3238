"""Faults injected into the clinic API through /_control/faults, as the counter would meet them."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.sandbox.clinic.conftest import ClinicServer

PAID = {"status": "paid", "payment_status": "succeeded", "payment_method": "cash"}


def _add_fault(control: httpx.Client, **rule: object) -> str:
    response = control.post("/_control/faults", json=rule)
    assert response.status_code == 201
    return str(response.json()["id"])


def _first_pending(server: ClinicServer) -> int:
    count, bills = server.state.list_bills(
        updated_since_us=None, status="pending", offset=0, limit=1
    )
    assert count
    return int(bills[0]["id"])


def test_dropped_patch_was_applied_and_a_replay_is_not_applied_again(
    server: ClinicServer, control: httpx.Client, api: httpx.Client
) -> None:
    bill_id = _first_pending(server)
    _add_fault(control, kind="drop_response", method="PATCH", times=1)
    headers = {"Idempotency-Key": "k-dropped"}
    with pytest.raises(httpx.TransportError):
        api.patch(f"/api/billing/{bill_id}/", json=PAID, headers=headers)
    # The server acted although the client heard nothing.
    assert server.state.bill(bill_id)["status"] == "paid"  # type: ignore[index]
    replay = api.patch(f"/api/billing/{bill_id}/", json=PAID, headers=headers)
    assert (replay.status_code, replay.json()["status"]) == (200, "paid")
    assert len(server.state.arrivals(bill_id)) == 1
    faults = [e.fault for e in server.log.entries(path_prefix="/api/")]
    assert faults == ["drop_response", None]


def test_error_and_rate_limit_answer_drf_shaped_bodies(
    server: ClinicServer, control: httpx.Client, api: httpx.Client
) -> None:
    _add_fault(control, kind="error", status=502, times=1, path_regex="^/api/billing/$")
    _add_fault(control, kind="rate_limit", times=1)
    failed = api.get("/api/billing/")
    assert (failed.status_code, set(failed.json())) == (502, {"detail"})
    throttled = api.get("/api/billing/")
    assert (throttled.status_code, throttled.headers["retry-after"]) == (429, "1")
    assert api.get("/api/billing/").status_code == 200


def test_error_on_patch_leaves_the_bill_untouched(
    server: ClinicServer, control: httpx.Client, api: httpx.Client
) -> None:
    bill_id = _first_pending(server)
    _add_fault(control, kind="error", status=503, method="PATCH")
    response = api.patch(f"/api/billing/{bill_id}/", json=PAID, headers={"Idempotency-Key": "e"})
    assert response.status_code == 503
    assert server.state.bill(bill_id)["status"] == "pending"  # type: ignore[index]
    assert server.state.arrivals() == []


def test_latency_and_hang_against_a_client_timeout(
    server: ClinicServer, control: httpx.Client, api: httpx.Client
) -> None:
    _add_fault(control, kind="latency", delay_s=0.2, times=1)
    started = time.monotonic()
    assert api.get("/api/billing/1/").status_code == 200
    assert time.monotonic() - started >= 0.2

    _add_fault(control, kind="hang", delay_s=30, times=1)
    with pytest.raises(httpx.ReadTimeout):
        api.get("/api/billing/1/", timeout=0.2)
    assert api.get("/api/billing/1/").status_code == 200


def test_trickled_listing_arrives_whole(
    server: ClinicServer, control: httpx.Client, api: httpx.Client
) -> None:
    expected = api.get("/api/billing/1/").json()
    _add_fault(control, kind="trickle", delay_s=0.001, times=1)
    with api.stream("GET", "/api/billing/1/") as response:
        chunks = list(response.iter_raw())
    assert len(chunks) > 10
    assert httpx.Response(200, content=b"".join(chunks)).json() == expected
