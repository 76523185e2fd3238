"""Save and load a ClinicState as JSON (the sandbox's --data file).

These functions reach into ClinicState's fields on purpose: they are its persistence half, kept
apart to keep state.py readable. Callers hold the state's lock (ClinicState.save/load do).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pos_sandbox.clinic.model import Bill, Json, Patient
from pos_sandbox.clinic.state import Answer

if TYPE_CHECKING:
    from pos_sandbox.clinic.state import ClinicState

FORMAT_VERSION = 1


def dump_state(state: ClinicState) -> Json:
    return {
        "version": FORMAT_VERSION,
        "clinic": state.clinic,
        "patients": [patient.to_json() for patient in state._patients.values()],
        "bills": [bill.to_record() for bill in state._bills.values()],
        "next_id": state._next_id,
        "last_us": state._last_us,
        "idempotency": {
            key: [fingerprint, answer.status, answer.body]
            for key, (fingerprint, answer) in state._idempotency.items()
        },
    }


def restore_state(state: ClinicState, data: Any) -> None:
    """Replace `state`'s contents with `data`; raises ValueError for a file of another format."""
    if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
        raise ValueError("not a clinic sandbox data file (version 1)")
    state.clinic = dict(data["clinic"])
    state._patients = {
        int(p["id"]): Patient(int(p["id"]), p["first_name"], p["last_name"], p["senior_pwd_id"])
        for p in data["patients"]
    }
    bills = [Bill.from_record(record) for record in data["bills"]]
    state._bills = {bill.id: bill for bill in bills}
    state._order = sorted((bill.updated_us, bill.id) for bill in bills)
    state._next_id = {name: int(value) for name, value in data["next_id"].items()}
    state._last_us = int(data["last_us"])
    state._idempotency = {
        key: (fingerprint, Answer(int(status), body))
        for key, (fingerprint, status, body) in data["idempotency"].items()
    }
    state._arrivals = []
