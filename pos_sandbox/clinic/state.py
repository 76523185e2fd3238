"""ClinicState: the fake clinic server's data, its billing rules, and the arrivals oracle.

Writing back (PATCH /api/billing/<id>/):
- ``Idempotency-Key`` is applied once. A repeat with the same key and the same request returns the
  stored answer (whatever it was, errors included) without applying anything again. The same key
  with a different request (other bill, other body) answers **422**
  ``{"detail": "Idempotency-Key ... was already used with a different request."}``.
  Requests without a key are applied every time.
- Amount check (409 ``{"detail": "amount changed", "amount": ..., "updated_at": ...}``): the
  server learns what the counter pulled from the optional body field ``expected_amount`` (the bill
  amount the counter showed). If it is sent and differs from the bill's amount, 409. If it is not
  sent, a PATCH with ``status: "paid"`` and an ``amount_paid`` different from the bill's amount is
  the conflict (a counter that applies a senior/PWD discount must therefore send
  ``expected_amount``). Paying a cancelled bill gets 409 ``{"detail": "bill cancelled"}``.
- Content fields in a PATCH (``amount``, ``lines``, ...) are ignored, like DRF read-only fields.
- If ``status`` is sent without ``paid``, ``paid`` follows ``status == "paid"``.

Refunds (POST /api/billing/<id>/refunds/) share the idempotency store; a refund above what was
paid minus earlier refunds is a 400 on ``amount``. Every applied PATCH or refund bumps the bill's
``updated_at`` and is appended to ``arrivals()``, the oracle for outbox tests.

``updated_at`` values are unique and increasing (a bump is ``max(clock, last + 1 µs)``), so a
client resuming with ``updated_since=<last updated_at it stored>`` never skips a bill.

Threading contract: every public method is safe from any thread; one re-entrant lock guards all
state, and an idempotent write holds it from key lookup to stored answer, so two concurrent
requests with one key apply once.
"""

from __future__ import annotations

import bisect
import json
import random
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pos_sandbox.clinic import demo
from pos_sandbox.clinic.model import (
    Bill,
    BillLine,
    Json,
    Patient,
    Refund,
    format_amount,
    format_time,
)
from pos_sandbox.clinic.validation import (
    PaymentUpdate,
    expect_object,
    validate_payment_update,
    validate_refund,
)
from pos_sandbox.clock import SandboxClock

NOT_FOUND: Json = {"detail": "Not found."}
DEMO_PATIENTS = 36
DEMO_BILLS = 60
# Seeded/generated bills are spread over the past, at most this far apart.
HISTORY_STEP_US = 60 * 1_000_000


@dataclass(frozen=True)
class Answer:
    """An HTTP answer the API sends (and the idempotency store keeps)."""

    status: int
    body: Json


@dataclass(frozen=True)
class Arrival:
    """One applied write-back: a PATCH or a refund, in the order the server applied them."""

    kind: str  # "patch" or "refund"
    bill_id: int
    idempotency_key: str | None
    body: Json
    applied_at: str

    def to_json(self) -> Json:
        return {
            "kind": self.kind,
            "bill_id": self.bill_id,
            "idempotency_key": self.idempotency_key,
            "body": self.body,
            "applied_at": self.applied_at,
        }


class ClinicState:
    """The clinic server's records. See the module docstring for the rules it enforces."""

    def __init__(self, clock: SandboxClock | None = None) -> None:
        self._lock = threading.RLock()
        self.clock = clock if clock is not None else SandboxClock()
        self.clinic: Json = dict(demo.CLINIC)
        self._patients: dict[int, Patient] = {}
        self._bills: dict[int, Bill] = {}
        self._order: list[tuple[int, int]] = []  # (updated_us, bill id), sorted
        self._last_us = 0
        self._next_id = {"bill": 1, "patient": 1, "refund": 1}
        self._idempotency: dict[str, tuple[str, Answer]] = {}
        self._arrivals: list[Arrival] = []

    def reset(self) -> None:
        """Forget every patient, bill, idempotency key and arrival (the clock stays)."""
        with self._lock:
            self._patients.clear()
            self._bills.clear()
            self._order.clear()
            self._next_id = {"bill": 1, "patient": 1, "refund": 1}
            self._idempotency.clear()
            self._arrivals.clear()

    def use_clock(self, clock: SandboxClock) -> None:
        with self._lock:
            self.clock = clock

    # -- reading -------------------------------------------------------------------------------

    def list_bills(
        self, *, updated_since_us: int | None, status: str | None, offset: int, limit: int
    ) -> tuple[int, list[Json]]:
        """(count, one page of wire bills) ordered by (updated_at, id)."""
        with self._lock:
            start = 0
            if updated_since_us is not None:
                start = bisect.bisect_right(self._order, (updated_since_us, sys.maxsize))
            if status is None:  # a slice of the order: a page costs its own size, not the table's
                window = self._order[start + offset : start + offset + limit]
                count = len(self._order) - start
                return count, [self._wire(self._bills[bill_id]) for _, bill_id in window]
            ids = [i for _, i in self._order[start:] if self._bills[i].status == status]
            return len(ids), [self._wire(self._bills[i]) for i in ids[offset : offset + limit]]

    def bill(self, bill_id: int) -> Json | None:
        """The bill as the API shows it, or None."""
        with self._lock:
            bill = self._bills.get(bill_id)
            return self._wire(bill) if bill is not None else None

    def bill_record(self, bill_id: int) -> Json | None:
        """Everything kept about a bill (amount_paid, invoice_number, refunds), or None."""
        with self._lock:
            bill = self._bills.get(bill_id)
            return bill.to_record() if bill is not None else None

    def bill_ids(self) -> list[int]:
        with self._lock:
            return [bill_id for _, bill_id in self._order]

    def patients(self) -> list[Patient]:
        with self._lock:
            return list(self._patients.values())

    def arrivals(self, bill_id: int | None = None) -> list[Arrival]:
        with self._lock:
            return [a for a in self._arrivals if bill_id is None or a.bill_id == bill_id]

    def clear_arrivals(self) -> None:
        with self._lock:
            self._arrivals.clear()

    # -- the counter writing back -------------------------------------------------------------

    def patch_bill(self, bill_id: int, data: object, idempotency_key: str | None) -> Answer:
        return self._idempotent(f"PATCH {bill_id}", data, idempotency_key, self._apply_patch)

    def refund_bill(self, bill_id: int, data: object, idempotency_key: str | None) -> Answer:
        return self._idempotent(f"REFUND {bill_id}", data, idempotency_key, self._apply_refund)

    def _idempotent(self, target: str, data: object, key: str | None, apply: Any) -> Answer:
        fingerprint = target + " " + json.dumps(data, sort_keys=True, default=str)
        with self._lock:
            if key is not None and key in self._idempotency:
                stored_fingerprint, answer = self._idempotency[key]
                if stored_fingerprint != fingerprint:
                    detail = f"Idempotency-Key {key} was already used with a different request."
                    return Answer(422, {"detail": detail})
                return answer
            bill_id = int(target.split()[1])
            answer = apply(bill_id, data, key)
            assert isinstance(answer, Answer)
            if key is not None:
                self._idempotency[key] = (fingerprint, answer)
            return answer

    def _apply_patch(self, bill_id: int, data: object, key: str | None) -> Answer:
        bill = self._bills.get(bill_id)
        if bill is None:
            return Answer(404, NOT_FOUND)
        if errors := expect_object(data):
            return Answer(400, dict(errors))
        assert isinstance(data, dict)
        update, field_errors = validate_payment_update(data)
        if update is None:
            return Answer(400, dict(field_errors))
        if conflict := self._conflict(bill, update):
            return conflict
        for name, value in update.fields.items():
            setattr(bill, name, value)
        if "status" in update.fields and "paid" not in update.fields:
            bill.paid = bill.status == "paid"
        if update.amount_paid is not None:
            bill.amount_paid = update.amount_paid
        self._touch(bill)
        self._arrivals.append(
            Arrival("patch", bill.id, key, _plain(data), format_time(bill.updated_us))
        )
        return Answer(200, self._wire(bill))

    def _conflict(self, bill: Bill, update: PaymentUpdate) -> Answer | None:
        paying = update.fields.get("status") in ("paid", "partially_paid")
        facts = {"amount": format_amount(bill.amount), "updated_at": format_time(bill.updated_us)}
        if bill.status == "cancelled" and paying:
            return Answer(409, {"detail": "bill cancelled", "status": bill.status, **facts})
        if update.expected_amount is not None:
            changed = update.expected_amount != bill.amount
        else:
            changed = (
                update.fields.get("status") == "paid"
                and update.amount_paid is not None
                and update.amount_paid != bill.amount
            )
        return Answer(409, {"detail": "amount changed", **facts}) if changed else None

    def _apply_refund(self, bill_id: int, data: object, key: str | None) -> Answer:
        bill = self._bills.get(bill_id)
        if bill is None:
            return Answer(404, NOT_FOUND)
        if errors := expect_object(data):
            return Answer(400, dict(errors))
        assert isinstance(data, dict)
        request, field_errors = validate_refund(data)
        if request is None:
            return Answer(400, dict(field_errors))
        refundable = bill.amount_paid - sum(refund.amount for refund in bill.refunds)
        if request.amount > refundable:
            limit = format_amount(refundable)
            return Answer(400, {"amount": [f"Ensure this value is less than or equal to {limit}."]})
        self._touch(bill)
        refund = Refund(
            id=self._take_id("refund"),
            bill_id=bill.id,
            created_us=bill.updated_us,
            **vars(request),
        )
        bill.refunds.append(refund)
        self._arrivals.append(
            Arrival("refund", bill.id, key, _plain(data), format_time(bill.updated_us))
        )
        return Answer(201, refund.to_json())

    # -- the clinic's own changes (control API, tests) ----------------------------------------

    def add_patient(self, first_name: str, last_name: str, senior_pwd_id: str | None = None) -> int:
        with self._lock:
            patient = Patient(self._take_id("patient"), first_name, last_name, senior_pwd_id)
            self._patients[patient.id] = patient
            return patient.id

    def create_bill(
        self, patient_id: int, lines: list[BillLine], *, description: str | None = None
    ) -> Json:
        """A new pending bill for an existing patient; raises KeyError for an unknown patient."""
        with self._lock:
            if patient_id not in self._patients:
                raise KeyError(patient_id)
            text = description or "; ".join(line.description for line in lines)
            amount = sum(line.total for line in lines)
            bill = Bill(self._take_id("bill"), patient_id, text, list(lines), amount)
            self._bills[bill.id] = bill
            self._touch(bill)
            return self._wire(bill)

    def change_bill(
        self,
        bill_id: int,
        *,
        amount: int | None = None,
        lines: list[BillLine] | None = None,
        status: str | None = None,
        description: str | None = None,
    ) -> Json | None:
        """Change a bill's content as the clinic would; new lines also reset the amount."""
        with self._lock:
            bill = self._bills.get(bill_id)
            if bill is None:
                return None
            if lines is not None:
                bill.lines = list(lines)
                bill.amount = sum(line.total for line in lines)
            if amount is not None:
                bill.amount = amount
            if status is not None:
                bill.status = status
                bill.paid = status == "paid"
            if description is not None:
                bill.description = description
            self._touch(bill)
            return self._wire(bill)

    def delete_bill(self, bill_id: int) -> bool:
        with self._lock:
            bill = self._bills.pop(bill_id, None)
            if bill is None:
                return False
            self._order.remove((bill.updated_us, bill.id))
            return True

    # -- demo data, generation, files ---------------------------------------------------------

    def seed_demo(self, seed: int = 0) -> None:
        """Add the demo clinic's patients (some senior/PWD) and bills in every status."""
        rng = random.Random(seed)
        with self._lock:
            self._add_patients(rng, DEMO_PATIENTS)
            self._add_bills(rng, DEMO_BILLS)

    def generate(self, count: int, seed: int) -> None:
        """Add `count` random bills (and demo patients if there are none) for benchmarks."""
        rng = random.Random(seed)
        with self._lock:
            if not self._patients:
                self._add_patients(rng, DEMO_PATIENTS)
            self._add_bills(rng, count)

    def save(self, path: Path) -> None:
        from pos_sandbox.clinic.storage import dump_state

        with self._lock:
            path.write_text(json.dumps(dump_state(self)), encoding="utf-8")

    def load(self, path: Path) -> None:
        """Replace this state's contents with a file written by `save`."""
        from pos_sandbox.clinic.storage import restore_state

        data = json.loads(path.read_text(encoding="utf-8"))
        with self._lock:
            restore_state(self, data)

    # -- internals ----------------------------------------------------------------------------

    def _add_patients(self, rng: random.Random, count: int) -> None:
        for patient in demo.make_patients(rng, count, self._next_id["patient"]):
            self._patients[patient.id] = patient
        self._next_id["patient"] += count

    def _add_bills(self, rng: random.Random, count: int) -> None:
        now_us = self._now_us()
        step = max(1, min(HISTORY_STEP_US, (now_us - self._last_us) // (count + 1)))
        start = max(self._last_us + 1, now_us - step * count)
        patient_ids = list(self._patients)
        first_id = self._next_id["bill"]
        for offset in range(count):
            patient_id = patient_ids[int(rng.random() * len(patient_ids))]
            bill = demo.make_bill(rng, first_id + offset, patient_id)
            bill.updated_us = start + offset * step
            self._bills[bill.id] = bill
            self._order.append((bill.updated_us, bill.id))
        self._next_id["bill"] += count
        self._last_us = max(self._last_us, start + (count - 1) * step)
        self._order.sort()

    def _now_us(self) -> int:
        return int(self.clock.now() * 1_000_000)

    def _touch(self, bill: Bill) -> None:
        """Give `bill` a new, unique, latest updated_at."""
        if bill.updated_us:
            index = bisect.bisect_left(self._order, (bill.updated_us, bill.id))
            if index < len(self._order) and self._order[index] == (bill.updated_us, bill.id):
                del self._order[index]
        self._last_us = max(self._now_us(), self._last_us + 1)
        bill.updated_us = self._last_us
        bisect.insort(self._order, (bill.updated_us, bill.id))

    def _arrive(self, kind: str, bill: Bill, key: str | None, data: Json) -> None:
        applied_at = format_time(bill.updated_us)
        self._arrivals.append(Arrival(kind, bill.id, key, _plain(data), applied_at))

    def _take_id(self, kind: str) -> int:
        value = self._next_id[kind]
        self._next_id[kind] = value + 1
        return value

    def _wire(self, bill: Bill) -> Json:
        return bill.to_wire(self._patients[bill.patient_id], self.clinic)


def _plain(data: Json) -> Json:
    """A copy of a request body with Decimals as strings, so it can be shown as JSON."""
    copy: Json = json.loads(json.dumps(data, default=str))
    return copy
