"""The clinic billing API over a real socket: auth, listing, paging, one bill, bad input."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from tests.sandbox.clinic.conftest import ClinicServer


def _all_pages(api: httpx.Client, params: dict[str, str | int]) -> list[dict[str, object]]:
    page = api.get("/api/billing/", params=params).json()
    results = list(page["results"])
    while page["next"]:
        page = api.get(page["next"]).json()
        results.extend(page["results"])
    return results


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "Authentication credentials were not provided."),
        ({"Authorization": "Token wrong"}, "Invalid token."),
        # DRF ignores other schemes: no credentials at all, as far as it is concerned.
        ({"Authorization": "Bearer wrong"}, "Authentication credentials were not provided."),
    ],
)
def test_api_needs_the_token(
    server: ClinicServer, control: httpx.Client, headers: dict[str, str], detail: str
) -> None:
    for method, path in [("GET", "/api/billing/"), ("GET", "/api/billing/1/")]:
        response = control.request(method, path, headers=headers)
        assert response.status_code == 401
        assert response.json() == {"detail": detail}
    refused = control.patch("/api/billing/1/", json={"status": "paid"}, headers=headers)
    assert refused.status_code == 401
    assert server.state.arrivals() == []


def test_listing_pages_through_every_bill_in_order(server: ClinicServer, api: httpx.Client) -> None:
    first = api.get("/api/billing/", params={"page_size": 25}).json()
    assert first["count"] == 60
    assert first["previous"] is None
    assert first["next"].startswith(server.url + "/api/billing/?")
    bills = _all_pages(api, {"page_size": 25})
    assert len(bills) == 60
    keys = [(b["updated_at"], b["id"]) for b in bills]
    assert keys == sorted(keys)
    assert {b["id"] for b in bills} == set(server.state.bill_ids())
    second = api.get(first["next"]).json()
    assert api.get(second["previous"]).json()["results"] == first["results"]


def test_bills_look_like_the_contract(api: httpx.Client) -> None:
    bills = _all_pages(api, {"page_size": 500})
    assert {b["status"] for b in bills} == {"pending", "partially_paid", "paid", "cancelled"}
    assert any(b["patient"]["senior_pwd_id"] for b in bills)  # type: ignore[index]
    for bill in bills:
        lines = bill["lines"]
        assert isinstance(lines, list)
        assert 1 <= len(lines) <= 4
        total = sum(Decimal(line["unit_price"]) * line["quantity"] for line in lines)
        assert Decimal(str(bill["amount"])) == total
        assert str(bill["amount"]).count(".") == 1
        assert len(str(bill["amount"]).split(".")[1]) == 2
        assert bill["clinic"] == {"id": 1, "name": "Dorotheo Dental Clinic - Main"}
        assert str(bill["updated_at"]).endswith("+08:00")


def test_updated_since_is_strictly_later_and_resumes(
    server: ClinicServer, api: httpx.Client
) -> None:
    bills = _all_pages(api, {"page_size": 500})
    resume_from = bills[29]["updated_at"]
    rest = _all_pages(api, {"updated_since": str(resume_from), "page_size": 7})
    assert [b["id"] for b in rest] == [b["id"] for b in bills[30:]]

    changed = server.state.change_bill(int(str(bills[0]["id"])), amount=400_000)
    assert changed is not None
    newer = _all_pages(api, {"updated_since": str(bills[-1]["updated_at"])})
    assert [(b["id"], b["amount"]) for b in newer] == [(bills[0]["id"], "4000.00")]


def test_unencoded_plus_in_updated_since_is_understood(api: httpx.Client) -> None:
    bills = _all_pages(api, {"page_size": 500})
    raw = f"/api/billing/?updated_since={bills[-2]['updated_at']}"
    assert [b["id"] for b in api.get(raw).json()["results"]] == [bills[-1]["id"]]


def test_status_filter(api: httpx.Client) -> None:
    paid = _all_pages(api, {"status": "paid"})
    assert paid
    assert all(b["status"] == "paid" and b["paid"] is True for b in paid)


def test_page_size_is_clamped_to_500(server: ClinicServer, api: httpx.Client) -> None:
    server.state.generate(600, seed=3)
    page = api.get("/api/billing/", params={"page_size": 10_000}).json()
    assert len(page["results"]) == 500
    assert page["count"] == 660


@pytest.mark.parametrize(
    ("params", "status", "body"),
    [
        ({"page": 99}, 404, {"detail": "Invalid page."}),
        ({"page": "zero"}, 404, {"detail": "Invalid page."}),
        ({"updated_since": "yesterday"}, 400, {"updated_since": ["Enter a valid date/time."]}),
        (
            {"status": "settled"},
            400,
            {"status": ["Select a valid choice. settled is not one of the available choices."]},
        ),
    ],
)
def test_bad_listing_parameters(
    api: httpx.Client, params: dict[str, str | int], status: int, body: object
) -> None:
    response = api.get("/api/billing/", params=params)
    assert (response.status_code, response.json()) == (status, body)


def test_one_bill_and_not_found(server: ClinicServer, api: httpx.Client) -> None:
    bill_id = server.state.bill_ids()[0]
    assert api.get(f"/api/billing/{bill_id}/").json() == server.state.bill(bill_id)
    missing = api.get("/api/billing/99999/")
    assert (missing.status_code, missing.json()) == (404, {"detail": "Not found."})


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/nowhere", 404),
        ("GET", "/api/billing/abc/", 404),
        ("PUT", "/api/billing/1/", 405),
        ("DELETE", "/api/billing/", 405),
    ],
)
def test_unknown_routes_and_methods_answer_json(
    api: httpx.Client, method: str, path: str, status: int
) -> None:
    response = api.request(method, path)
    assert response.status_code == status
    assert "detail" in response.json()
