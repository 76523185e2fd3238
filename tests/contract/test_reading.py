"""The contract's reading half, on both servers: tokens, one bill, the list and its pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.contract.backends import parse_instant
from tests.contract.conftest import TOKEN, Clinic

CLEANING: list[tuple[str, str, int, int]] = [
    ("PROPH", "Oral prophylaxis", 1, 150_000),
    ("COMP1", "Composite filling, 1 surface", 1, 200_000),
]
BILL_KEYS = {
    "id", "patient", "clinic", "description", "lines", "amount", "status", "paid",
    "payment_intent_id", "payment_method", "payment_status", "paid_at", "updated_at",
}  # fmt: skip


def _all_pages(api: httpx.Client, first: str) -> list[dict[str, Any]]:
    bills: list[dict[str, Any]] = []
    url: str | None = first
    while url is not None:
        response = api.get(url)
        assert response.status_code == 200, response.text
        page = response.json()
        bills.extend(page["results"])
        url = page["next"]
    return bills


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        (None, "Authentication credentials were not provided."),
        ("Token wrong-token", "Invalid token."),
        # DRF's TokenAuthentication wording for the odd headers a misconfigured counter sends:
        (f"Bearer {TOKEN}", "Authentication credentials were not provided."),
        ("Token", "Invalid token header. No credentials provided."),
        ("Token a b", "Invalid token header. Token string should not contain spaces."),
    ],
    ids=["missing", "wrong", "bearer", "empty", "spaces"],
)
def test_without_the_right_token_is_401(clinic: Clinic, header: str | None, detail: str) -> None:
    bill_id = clinic.side.add_bill(CLEANING)
    headers = {"Authorization": header} if header else {}
    for path in ("/api/billing/", f"/api/billing/{bill_id}/"):
        response = httpx.get(clinic.url + path, headers=headers)
        assert response.status_code == 401
        assert response.json() == {"detail": detail}
        assert response.headers["WWW-Authenticate"] == "Token"
    patch = httpx.patch(clinic.url + f"/api/billing/{bill_id}/", json={}, headers=headers)
    assert patch.status_code == 401


def test_one_bill_has_the_contract_shape(clinic: Clinic, api: httpx.Client) -> None:
    bill_id = clinic.side.add_bill(CLEANING)
    response = api.get(f"/api/billing/{bill_id}/")
    assert response.status_code == 200
    bill = response.json()
    assert set(bill) == BILL_KEYS
    assert bill["id"] == bill_id
    assert set(bill["patient"]) == {"id", "first_name", "last_name", "senior_pwd_id"}
    assert set(bill["clinic"]) == {"id", "name"}
    assert bill["lines"] == [
        {"code": "PROPH", "description": "Oral prophylaxis", "quantity": 1,
         "unit_price": "1500.00"},
        {"code": "COMP1", "description": "Composite filling, 1 surface", "quantity": 1,
         "unit_price": "2000.00"},
    ]  # fmt: skip
    assert bill["amount"] == "3500.00"
    assert (bill["status"], bill["paid"], bill["payment_status"]) == ("pending", False, "pending")
    assert bill["payment_intent_id"] is None
    assert bill["paid_at"] is None
    assert parse_instant(bill["updated_at"]).utcoffset() is not None


def test_a_missing_bill_is_404_not_found(clinic: Clinic, api: httpx.Client) -> None:
    for path in ("/api/billing/987654/", "/api/billing/abc/"):
        response = api.get(path)
        assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


def test_the_list_pages_through_every_bill_in_updated_at_id_order(
    clinic: Clinic, api: httpx.Client
) -> None:
    clinic.side.add_bills(23)
    first = api.get("/api/billing/", params={"page_size": 5}).json()
    assert (first["count"], first["previous"]) == (23, None)
    assert len(first["results"]) == 5
    assert first["next"].startswith(clinic.url + "/api/billing/?")
    bills = _all_pages(api, "/api/billing/?page_size=5")
    assert len(bills) == 23
    assert len({bill["id"] for bill in bills}) == 23
    keys = [(parse_instant(bill["updated_at"]), bill["id"]) for bill in bills]
    assert keys == sorted(keys)
    second = api.get(first["next"]).json()
    assert second["previous"] is not None
    assert api.get(second["previous"]).json()["results"] == first["results"]
    past_end = api.get("/api/billing/", params={"page": 9, "page_size": 5})
    assert (past_end.status_code, past_end.json()) == (404, {"detail": "Invalid page."})


def test_page_size_is_at_most_500(clinic: Clinic, api: httpx.Client) -> None:
    clinic.side.add_bills(520)
    page = api.get("/api/billing/", params={"page_size": 1000}).json()
    assert page["count"] == 520
    assert len(page["results"]) == 500
    assert len(api.get("/api/billing/").json()["results"]) == 100  # the default


def test_updated_since_is_strictly_later(clinic: Clinic, api: httpx.Client) -> None:
    clinic.side.add_bills(10)
    bills = api.get("/api/billing/").json()["results"]
    pivot = bills[4]
    later = _all_pages(api, f"/api/billing/?updated_since={_quoted(pivot['updated_at'])}")
    assert [bill["id"] for bill in later] == [bill["id"] for bill in bills[5:]]
    # A change moves a bill to the end, so a counter resuming from its last pair sees it.
    clinic.side.change_bill(bills[0]["id"], status="cancelled")
    resumed = api.get("/api/billing/", params={"updated_since": bills[-1]["updated_at"]}).json()
    assert [(bill["id"], bill["status"]) for bill in resumed["results"]] == [
        (bills[0]["id"], "cancelled")
    ]


def test_status_filters_and_bad_filters_are_field_errors(clinic: Clinic, api: httpx.Client) -> None:
    kept = clinic.side.add_bill(CLEANING)
    dropped = clinic.side.add_bill(CLEANING)
    clinic.side.change_bill(dropped, status="cancelled")
    pending = api.get("/api/billing/", params={"status": "pending"}).json()
    assert [bill["id"] for bill in pending["results"]] == [kept]
    bad_status = api.get("/api/billing/", params={"status": "lost"})
    assert bad_status.status_code == 400
    assert bad_status.json() == {
        "status": ["Select a valid choice. lost is not one of the available choices."]
    }
    bad_time = api.get("/api/billing/", params={"updated_since": "yesterday"})
    assert bad_time.status_code == 400
    assert list(bad_time.json()) == ["updated_since"]


def test_amounts_are_two_place_decimal_strings(clinic: Clinic, api: httpx.Client) -> None:
    clinic.side.add_bills(30)
    for bill in _all_pages(api, "/api/billing/?page_size=500"):
        for text in [bill["amount"], *(line["unit_price"] for line in bill["lines"])]:
            assert isinstance(text, str)
            assert Decimal(text).as_tuple().exponent == -2, text


def _quoted(text: str) -> str:
    return text.replace("+", "%2B")


def test_other_methods_are_405_in_drfs_words(clinic: Clinic, api: httpx.Client) -> None:
    bill_id = clinic.side.add_bill(CLEANING)
    put = api.put(f"/api/billing/{bill_id}/", json={})
    assert (put.status_code, put.json()) == (405, {"detail": 'Method "PUT" not allowed.'})
    delete = api.delete(f"/api/billing/{bill_id}/")
    assert (delete.status_code, delete.json()) == (405, {"detail": 'Method "DELETE" not allowed.'})
