"""The /_control/ API, persistence with --data, and the pos-sandbox command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from pos_sandbox.server import SandboxServer
from tests.sandbox.paymongo.conftest import SECRET_KEY, Api, basic


def test_control_clock_moves_expiry(api: Api) -> None:
    intent = api.attach(api.intent(allowed=["qrph"]), api.method("qrph"))
    before = api.http.get(f"{api.base}/_control/clock").json()["now"]
    moved = api.http.post(f"{api.base}/_control/clock", json={"advance": 1801}).json()["now"]
    assert moved - before >= 1801
    after = api.ok("GET", f"/v1/payment_intents/{intent['id']}")
    assert after["attributes"]["status"] == "awaiting_payment_method"


def test_control_settle_fail_expire(api: Api) -> None:
    paid = api.attach(api.intent(allowed=["qrph"]), api.method("qrph"))
    response = api.http.post(f"{api.base}/_control/objects/{paid['id']}/settle")
    assert response.json()["data"]["attributes"]["status"] == "succeeded"
    failed = api.attach(api.intent(allowed=["qrph"]), api.method("qrph"))
    response = api.http.post(
        f"{api.base}/_control/objects/{failed['id']}/fail",
        json={"failed_code": "insufficient_funds"},
    )
    error = response.json()["data"]["attributes"]["last_payment_error"]
    assert error["failed_code"] == "insufficient_funds"
    expiring = api.attach(api.intent(allowed=["qrph"]), api.method("qrph"))
    response = api.http.post(f"{api.base}/_control/objects/{expiring['id']}/expire")
    assert response.json()["data"]["attributes"]["status"] == "awaiting_payment_method"
    nothing = api.http.post(f"{api.base}/_control/objects/{expiring['id']}/expire")
    assert nothing.status_code == 400
    missing = api.http.post(f"{api.base}/_control/objects/pi_nope/settle")
    assert missing.status_code == 404


def test_control_ledger_events_config_reset(api: Api) -> None:
    api.pay_with_card("4343434343434345")
    ledger = api.http.get(f"{api.base}/_control/ledger").json()["ledger"]
    assert [entry["kind"] for entry in ledger] == ["payment"]
    events = api.http.get(f"{api.base}/_control/events").json()["events"]
    assert [event["attributes"]["type"] for event in events] == ["payment.paid"]
    patched = api.http.patch(f"{api.base}/_control/config", json={"min_intent_amount": 100})
    assert patched.json()["min_intent_amount"] == 100
    bad = api.http.patch(f"{api.base}/_control/config", json={"no_such_knob": 1})
    assert bad.status_code == 400
    assert api.http.post(f"{api.base}/_control/reset").status_code == 200
    assert api.state.ledger() == []


def test_control_faults_and_request_log(api: Api) -> None:
    rule = {"kind": "error", "status": 503, "path_regex": "^/v1/payments$", "times": 1}
    assert api.http.post(f"{api.base}/_control/faults", json=rule).status_code == 201
    assert api.get("/v1/payments").status_code == 503
    assert api.get("/v1/payments").status_code == 200
    logged = api.http.get(
        f"{api.base}/_control/requests", params={"path_prefix": "/v1/payments"}
    ).json()["requests"]
    assert [(entry["status"], entry["fault"]) for entry in logged] == [(503, "error"), (200, None)]


def test_state_survives_a_restart_with_data_file(tmp_path: Path) -> None:
    data = tmp_path / "sandbox.json"
    with SandboxServer(data_path=data) as first:
        api = Api(first)
        intent = api.pay_with_card("4343434343434345")
        api.http.close()
    with SandboxServer(data_path=data) as second:
        api = Api(second)
        again = api.ok("GET", f"/v1/payment_intents/{intent['id']}")
        assert again["attributes"]["status"] == "succeeded"
        assert len(second.paymongo.ledger()) == 1
        fresh = api.intent()
        assert fresh["id"] != intent["id"]
        api.http.close()


def test_command_line_prints_urls_and_serves() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "pos_sandbox", "--seed", "3"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(3)]
        paymongo_url = lines[0].split(": ", 1)[1].strip()
        assert paymongo_url.endswith("/v1")
        assert lines[1].split(": ", 1)[1].strip().endswith("/api")
        assert lines[2].startswith("Clinic token:")
        response = httpx.get(
            paymongo_url + "/payments", headers={"Authorization": basic(SECRET_KEY)}
        )
        assert response.status_code == 200
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
