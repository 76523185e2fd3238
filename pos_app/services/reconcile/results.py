"""What a reconciliation run reports, as plain values for the window and ``pos-app reconcile``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from pos_app.domain.attempt import PaymentAttempt
from pos_app.domain.clinic_time import wall_clock
from pos_app.domain.reconciliation import Flag, PaymentOutcome, SeenPayment

OUTCOME_WORDS = {
    PaymentOutcome.TENDER: "matched to its tender",
    PaymentOutcome.APPLIED: "paid while still open: recorded now",
    PaymentOutcome.CASE: "late or double payment: overpayment case",
    PaymentOutcome.UNMATCHED: "no payment on this counter: overpayment case",
    PaymentOutcome.OTHER_COUNTER: "another counter's payment",
    PaymentOutcome.OPEN: "its payment is still open here: looked at again",
    PaymentOutcome.PENDING: "pending at PayMongo: looked at again",
    PaymentOutcome.FAILED: "failed: no money moved",
}


@dataclass(frozen=True)
class ReconcileResult:
    """One run: what was listed, matched, raised and flagged."""

    started_at: datetime
    finished_at: datetime
    since: datetime  # the oldest payment time this run went back to
    payments_listed: int
    refunds_listed: int
    requests: int  # HTTP requests made to PayMongo (pages, look-ups)
    outcomes: Counter[PaymentOutcome]
    already_known: int  # listed payments an earlier run had settled
    new_cases: tuple[SeenPayment, ...]
    new_flags: tuple[Flag, ...]
    skipped: bool = False  # scheduled run with no PayMongo payment today: nothing was asked
    # the clinic's bill numbers (B-000845) of the bills named above, for the receptionist
    bill_numbers: Mapping[int, str] = field(default_factory=dict)

    def bill_number(self, bill_id: int) -> str:
        return self.bill_numbers.get(bill_id, f"#{bill_id}")

    @property
    def summary(self) -> str:
        """One line in the receptionist's words."""
        if self.skipped:
            return "No PayMongo payments today: nothing to check."
        matched = self.outcomes[PaymentOutcome.TENDER] + self.outcomes[PaymentOutcome.APPLIED]
        parts = [f"Checked {self.payments_listed} PayMongo payments: {matched} matched"]
        cases = len(self.new_cases)
        parts.append(f"{cases} new overpayment case{'s' if cases != 1 else ''}")
        if self.new_flags:
            parts.append(f"{len(self.new_flags)} flagged")
        return ", ".join(parts) + "."

    def lines(self, zone: tzinfo) -> list[str]:
        """What ``pos-app reconcile`` prints: the counts, then each case and flag; times on the
        clinic's clock (``zone``)."""
        lines = [
            self.summary,
            f"since {wall_clock(self.since, zone)}, {self.payments_listed} payments "
            f"and {self.refunds_listed} refunds listed, {self.requests} requests to PayMongo, "
            f"{(self.finished_at - self.started_at).total_seconds():.1f} s",
        ]
        for outcome, count in sorted(self.outcomes.items()):
            lines.append(f"  {count:6d}  {OUTCOME_WORDS[outcome]}")
        if self.already_known:
            lines.append(f"  {self.already_known:6d}  already reconciled earlier")
        for case in self.new_cases:
            bill = "no bill" if case.bill_id is None else f"bill {self.bill_number(case.bill_id)}"
            lines.append(f"RAISED {case.payment_id} {case.amount} ({bill}): {case.note}")
        for flag in self.new_flags:
            lines.append(f"FLAGGED {flag.subject} {flag.amount}: {flag.note}")
        return lines


@dataclass(frozen=True)
class OpenCases:
    """Everything staff must look at: cases on attempts, unknown payments, flags."""

    attempts: tuple[PaymentAttempt, ...]  # NEEDS_REVIEW (the Ctrl+O list)
    payments: tuple[SeenPayment, ...]  # payments set aside by reconciliation
    flags: tuple[Flag, ...]
    last_result: ReconcileResult | None = field(default=None)
    bill_numbers: Mapping[int, str] = field(default_factory=dict)  # as in ReconcileResult

    def bill_number(self, bill_id: int | None) -> str:
        return "—" if bill_id is None else self.bill_numbers.get(bill_id, f"#{bill_id}")
