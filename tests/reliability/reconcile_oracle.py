"""Issue 16's oracle: after one reconciliation run, every payment PayMongo took (the sandbox's
ledger) is accounted for on the counter, payment by payment. Returns the mismatches in words.

A paid payment is accounted for when the reconciliation journal holds it as its attempt's own
payment (``tender`` or ``applied``, and the attempt has that tender), or as an overpayment case
(its attempt set aside for review, or no attempt at all). Each attempt has at most one payment of
its own; a tender with no paid payment behind it is a mismatch too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pos_app.domain.attempt import AttemptState
from pos_app.domain.reconciliation import PaymentOutcome
from pos_app.storage import Database
from pos_app.storage.repositories.reconcile import ReconcileRepository
from tests.reliability.kill_oracle import paid_payments

_OWN = frozenset({PaymentOutcome.TENDER, PaymentOutcome.APPLIED})
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def mismatches(ledger: Iterable[dict[str, Any]], database: Database) -> list[str]:
    paid = paid_payments(ledger)
    with database.unit_of_work(read_only=True) as uow:
        repo = ReconcileRepository(uow.session)
        seen = repo.seen([p["id"] for p in paid])
        attempt_ids = {s.attempt_id for s in seen.values() if s.attempt_id}
        attempts = repo.attempts(attempt_ids)
        tendered = repo.tendered(attempt_ids)
        tenders = repo.paymongo_tenders_since(EPOCH)
    problems = []
    own: dict[str, list[str]] = defaultdict(list)
    for payment in paid:
        found = seen.get(payment["id"])
        if found is None:
            problems.append(f"PayMongo payment {payment['id']} was never reconciled")
            continue
        attempt = attempts.get(found.attempt_id or "")
        if found.outcome in _OWN:
            own[found.attempt_id or ""].append(payment["id"])
            if found.attempt_id not in tendered:
                problems.append(f"{payment['id']} is {found.outcome.value} but has no tender")
        elif found.outcome is PaymentOutcome.CASE:
            if attempt is None or attempt.state is not AttemptState.NEEDS_REVIEW:
                state = "none" if attempt is None else attempt.state.value
                problems.append(f"{payment['id']} is a case but its attempt is {state}")
        elif found.outcome is not PaymentOutcome.UNMATCHED:
            problems.append(f"{payment['id']} left {found.outcome.value} after reconciliation")
    problems += [
        f"attempt {a} has several own payments: {ids}" for a, ids in own.items() if len(ids) > 1
    ]
    backed = {a for a, ids in own.items() if ids}
    problems += [
        f"tender {t.id} (attempt {t.attempt_id}) has no paid payment at PayMongo"
        for t, _ in tenders
        if t.attempt_id not in backed
    ]
    return problems
