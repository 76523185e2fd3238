"""R1's invariants after a crash and recovery: the sandbox's ledger (what PayMongo really took)
against the counter's SQLite database. Returns what is wrong, in words; empty means all hold.

Every payment the counter starts carries ``metadata.kaha_attempt`` (its attempt id), and the
sandbox copies it onto each payment in its ledger, so a payment maps to its local attempt.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from pos_app.domain.attempt import AttemptState, PaymentAttempt
from pos_app.domain.bill import Bill, BillStatus
from pos_app.domain.invoice import Invoice
from pos_app.domain.money import Money
from pos_app.domain.tender import Tender
from pos_app.storage import Database
from tests.storage_reads import invoices_of

_FLAGGED = AttemptState.NEEDS_REVIEW  # late or double money, set aside for staff to refund


def paid_payments(ledger: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in ledger if e["kind"] == "payment" and e["status"] == "paid"]


def series_problems(sequences: Sequence[int]) -> list[str]:
    """An invoice series must be 1, 2, 3, … in order: no gap, no duplicate."""
    if list(sequences) == list(range(1, len(sequences) + 1)):
        return []
    return [f"invoice series has a gap or duplicate: {list(sequences)}"]


def violations(
    ledger: Iterable[dict[str, Any]],
    database: Database,
    bill_ids: Iterable[int],
    *,
    terminal_id: str = "01",
) -> list[str]:
    """Every broken invariant for the given bills (all the bills the run made)."""
    ids = sorted(set(bill_ids))
    with database.unit_of_work(read_only=True) as uow:
        bills = {bill_id: uow.bills.get(bill_id) for bill_id in ids}
        attempts = {a.id: a for bill_id in ids for a in uow.attempts.list_for_bill(bill_id)}
        tenders = {bill_id: uow.tenders.list_for_bill(bill_id) for bill_id in ids}
        invoices = invoices_of(uow, terminal_id)
        still_open = uow.attempts.list_open(terminal_id=None)
    taken: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for payment in paid_payments(ledger):
        taken[str((payment.get("metadata") or {}).get("kaha_attempt"))].append(payment)
    tendered = {t.attempt_id for ts in tenders.values() for t in ts if t.attempt_id is not None}

    problems = [f"attempt {a.id} still {a.state.value} after recovery" for a in still_open]
    problems += _unrecorded(taken, attempts, tendered)
    problems += _double_charged(taken, attempts)
    problems += _unpaid_invoices(invoices, bills, tenders, taken)
    problems += series_problems([invoice.sequence for invoice in invoices])
    return problems


def _unrecorded(
    taken: dict[str, list[dict[str, Any]]],
    attempts: dict[str, PaymentAttempt],
    tendered: set[str],
) -> list[str]:
    """Money PayMongo took must be a tender on its bill, or a flagged case; never lost."""
    problems = []
    for attempt_id, payments in taken.items():
        attempt = attempts.get(attempt_id)
        names = ", ".join(p["id"] for p in payments)
        if attempt is None:
            problems.append(f"PayMongo payment {names} has no local attempt ({attempt_id})")
        elif attempt.state is not _FLAGGED and attempt_id not in tendered:
            problems.append(
                f"PayMongo payment {names} not recorded: attempt {attempt_id} is "
                f"{attempt.state.value} with no tender"
            )
    return problems


def _double_charged(
    taken: dict[str, list[dict[str, Any]]], attempts: dict[str, PaymentAttempt]
) -> list[str]:
    """No bill may hold two successful payments unless the extra one is flagged for review."""
    per_bill: dict[int, list[str]] = defaultdict(list)
    for attempt_id, payments in taken.items():
        attempt = attempts.get(attempt_id)
        if attempt is not None and attempt.state is not _FLAGGED:
            per_bill[attempt.bill_id] += [p["id"] for p in payments]
    return [
        f"bill {bill_id} has {len(ids)} unflagged successful payments: {ids}"
        for bill_id, ids in per_bill.items()
        if len(ids) > 1
    ]


def _unpaid_invoices(
    invoices: list[Invoice],
    bills: dict[int, Bill | None],
    tenders: dict[int, list[Tender]],
    taken: dict[str, list[dict[str, Any]]],
) -> list[str]:
    """An invoice only for a bill paid in full by money that really arrived; one per bill."""
    problems = []
    invoiced: dict[int, list[str]] = defaultdict(list)
    for invoice in invoices:
        invoiced[invoice.bill_id].append(invoice.number)
        bill = bills.get(invoice.bill_id)
        if bill is None:
            continue  # a bill this run did not make
        real = [t for t in tenders[bill.id] if t.attempt_id is None or taken.get(t.attempt_id)]
        if (
            bill.status is not BillStatus.PAID
            or Money.total(t.amount for t in real) < bill.amount_due
        ):
            problems.append(
                f"invoice {invoice.number} for bill {bill.id} ({bill.status.value}), "
                f"but PayMongo took only {len(real)} of its {len(tenders[bill.id])} tenders"
            )
    problems += [f"bill {b} has several invoices: {n}" for b, n in invoiced.items() if len(n) > 1]
    problems += [
        f"bill {bill.id} is paid but has no invoice"
        for bill in bills.values()
        if bill is not None and bill.status is BillStatus.PAID and bill.id not in invoiced
    ]
    return problems
