"""/_control/ routes, ClinicState's Python side, demo data, the generator and save/load."""

from __future__ import annotations

from pathlib import Path

import httpx

from pos_sandbox.clinic import ClinicState
from tests.sandbox.clinic.conftest import ClinicServer

LINE = {"code": "EXT", "description": "Simple tooth extraction", "quantity": 2,
        "unit_price": "1500.00"}  # fmt: skip


def test_create_change_read_and_delete_a_bill(
    server: ClinicServer, control: httpx.Client, api: httpx.Client
) -> None:
    created = control.post("/_control/bills", json={"lines": [LINE], "patient_id": 3})
    assert created.status_code == 201
    bill = created.json()
    assert (bill["amount"], bill["status"], bill["patient"]["id"]) == ("3000.00", "pending", 3)

    changed = control.patch(f"/_control/bills/{bill['id']}", json={"amount": "3200.50"})
    assert changed.json()["amount"] == "3200.50"
    assert changed.json()["updated_at"] > bill["updated_at"]
    relined = control.patch(
        f"/_control/bills/{bill['id']}", json={"lines": [LINE, LINE], "status": "cancelled"}
    ).json()
    assert (relined["amount"], relined["status"], len(relined["lines"])) == (
        "6000.00",
        "cancelled",
        2,
    )
    record = control.get(f"/_control/bills/{bill['id']}").json()
    assert (record["amount_paid"], record["refunds"]) == ("0.00", [])

    assert control.delete(f"/_control/bills/{bill['id']}").status_code == 204
    assert api.get(f"/api/billing/{bill['id']}/").status_code == 404
    assert control.delete(f"/_control/bills/{bill['id']}").status_code == 404
    assert bill["id"] not in server.state.bill_ids()


def test_control_generates_bills(server: ClinicServer, control: httpx.Client) -> None:
    response = control.post("/_control/bills", json={"count": 250, "seed": 9})
    assert (response.status_code, response.json()) == (201, {"created": 250})
    assert len(server.state.bill_ids()) == 310


def test_control_rejects_bad_input(control: httpx.Client) -> None:
    bad_requests = [
        ("POST", "/_control/bills", {"lines": []}),
        ("POST", "/_control/bills", {"lines": [{"code": "X"}]}),
        ("POST", "/_control/bills", {"lines": [LINE], "patient_id": 99999}),
        ("POST", "/_control/bills", {"count": -1}),
        ("POST", "/_control/bills", [1, 2]),
        ("PATCH", "/_control/bills/1", {"amount": "1.234"}),
        ("PATCH", "/_control/bills/1", {"status": "settled"}),
    ]
    for method, path, body in bad_requests:
        response = control.request(method, path, json=body)
        assert response.status_code == 400, (method, path, body)
        assert response.json()["detail"]
    assert control.patch("/_control/bills/99999", json={}).status_code == 404
    assert control.post("/_control/bills", content=b"{oops").status_code == 400


def test_arrivals_over_http(server: ClinicServer, control: httpx.Client, api: httpx.Client) -> None:
    bill_id = control.post("/_control/bills", json={"lines": [LINE]}).json()["id"]
    api.patch(
        f"/api/billing/{bill_id}/",
        json={"payment_status": "processing"},
        headers={"Idempotency-Key": "k-arrival"},
    )
    arrivals = control.get("/_control/arrivals", params={"bill_id": bill_id}).json()["arrivals"]
    assert [(a["kind"], a["idempotency_key"]) for a in arrivals] == [("patch", "k-arrival")]
    assert arrivals[0]["body"] == {"payment_status": "processing"}
    assert control.delete("/_control/arrivals").status_code == 204
    assert server.state.arrivals() == []


def test_request_log_and_faults_are_served_on_the_clinic_app(
    control: httpx.Client, api: httpx.Client
) -> None:
    api.get("/api/billing/1/")
    (entry,) = control.get("/_control/requests").json()["requests"]
    assert (entry["path"], entry["status"]) == ("/api/billing/1/", 200)
    assert control.post("/_control/faults", json={"kind": "error"}).status_code == 201


def test_demo_data_is_seeded_deterministically() -> None:
    first, second = ClinicState(), ClinicState()
    first.seed_demo(5)
    second.seed_demo(5)
    strip = [{**b, "updated_at": None} for b in _all(first)]
    assert strip == [{**b, "updated_at": None} for b in _all(second)]
    patients = first.patients()
    assert len(patients) >= 24
    assert any(p.senior_pwd_id for p in patients)


def _all(state: ClinicState) -> list[dict[str, object]]:
    return state.list_bills(updated_since_us=None, status=None, offset=0, limit=10**6)[1]


def test_generator_makes_100k_bills() -> None:
    # how long it takes is bench.clinic_sync_bench's business, not a test's
    state = ClinicState()
    state.generate(100_000, seed=1)
    count, page = state.list_bills(updated_since_us=None, status=None, offset=99_999, limit=5)
    assert count == 100_000
    assert len(page) == 1


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    state = ClinicState()
    state.seed_demo(1)
    bill_id = state.bill_ids()[0]
    body = {"status": "paid", "amount_paid": state.bill(bill_id)["amount"]}  # type: ignore[index]
    answer = state.patch_bill(bill_id, body, "k-saved")
    path = tmp_path / "clinic.json"
    state.save(path)

    loaded = ClinicState()
    loaded.load(path)
    assert _all(loaded) == _all(state)
    assert loaded.bill_record(bill_id) == state.bill_record(bill_id)
    # An idempotency key survives a restart with --data: the replay is not applied again.
    assert loaded.patch_bill(bill_id, body, "k-saved") == answer
    assert loaded.arrivals() == []
