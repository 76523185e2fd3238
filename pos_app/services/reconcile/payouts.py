"""The clinic's payouts from PayMongo, each payment in them matched to its invoice, and the CSV
the clinic's accountant asks for.

PayMongo has no documented list of one payout's payments (fact sheet section 19.9): payments are
read newest first and grouped by their ``payout`` field, going back a fortnight before the oldest
payout shown (money is paid out within days of the payment). Per payout: gross, fees, the 2%
withholding on fees net of VAT that PayMongo credits back (``tax_amount``), refunds, adjustments
and net, as PayMongo states them; ``difference`` says how far the payments found fall short of
the stated gross (0 when every payment was found).

Threading contract: Qt-free and blocking (network and database): call it on a network worker.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from pos_app.domain.attempt import AttemptState, PaymentAttempt
from pos_app.domain.clinic_time import PHILIPPINE_TIME, day_of
from pos_app.domain.money import Money
from pos_app.domain.roles import Permission
from pos_app.paymongo import PayMongoClient
from pos_app.paymongo.models import Page, Payment, PaymentStatus
from pos_app.paymongo.models.payouts import Payout
from pos_app.services.reconcile.listing import walk_back
from pos_app.services.reconcile.matching import ATTEMPT_KEY, find_attempt, match_ids
from pos_app.storage import Database
from pos_app.storage.repositories.reconcile import ReconcileRepository

if TYPE_CHECKING:
    from pos_app.services.access import AccessService

PAYMENTS_BEFORE_PAYOUT = timedelta(days=14)
CSV_COLUMNS = (
    "payout",
    "payout_date",
    "payout_status",
    "bank_reference",
    "row",
    "payment",
    "paid_at",
    "method",
    "bill",
    "invoice",
    "note",
    "gross",
    "fee",
    "withholding_on_fees",
    "refunds",
    "adjustments",
    "net",
)


@dataclass(frozen=True)
class PayoutLine:
    """One payment inside a payout, with the invoice it paid (if this counter issued one)."""

    payment_id: str
    paid_at: datetime
    method: str
    gross: Money
    fee: Money
    net: Money
    bill_number: str | None
    invoice_number: str | None  # None for money that is not the bill's (a case) or no invoice yet
    note: str = ""  # why there is no invoice, in plain words


@dataclass(frozen=True)
class PayoutReport:
    payout: Payout
    lines: tuple[PayoutLine, ...]

    @property
    def date(self) -> datetime:
        return datetime.fromtimestamp(self.payout.payout_date or self.payout.created_at, tz=UTC)

    @property
    def amount_columns(self) -> tuple[str, str, str, str, str, str]:
        """Gross, fees, withholding on fees, refunds, adjustments (less disputes) and net, as
        the payout view and the accountant's CSV both show them."""
        p = self.payout
        return (
            pesos(p.amount),
            pesos(p.fee),
            pesos(p.tax_amount),
            pesos(p.refund_amount),
            pesos(p.adjustment_amount - p.dispute_amount),
            pesos(p.net_amount),
        )

    @property
    def difference_centavos(self) -> int:
        """Stated gross minus the payments found for it (0: all found)."""
        return self.payout.amount - sum(line.gross.centavos for line in self.lines)

    def figures(self) -> list[tuple[str, int]]:
        """The payout's sum, top to bottom, in centavos (deductions negative)."""
        p = self.payout
        return [
            ("Gross (payments)", p.amount),
            ("PayMongo fees", -p.fee),
            ("Withholding on fees (2%, credited back)", p.tax_amount),
            ("Refunds", -p.refund_amount),
            ("Disputes", -p.dispute_amount),
            ("Adjustments", p.adjustment_amount),
            ("Net to the bank", p.net_amount),
        ]


class PayoutService:
    """With ``access`` (the window's counter), reading payouts needs ``VIEW_REPORTS``; the
    accountant's command, run by the computer's user, passes none."""

    def __init__(
        self, database: Database, paymongo: PayMongoClient, access: AccessService | None = None
    ) -> None:
        self._database = database
        self._paymongo = paymongo
        self._access = access

    def reports(self, *, limit: int = 20) -> list[PayoutReport]:
        """The newest ``limit`` payouts, each with its payments matched to invoices."""
        if self._access is not None:
            self._access.require(Permission.VIEW_REPORTS)
        payouts: list[Payout] = []
        for payout in self._paymongo.iter_payouts():
            payouts.append(payout)
            if len(payouts) >= limit:
                break
        if not payouts:
            return []
        oldest = min(p.created_at for p in payouts)
        wanted = {p.id for p in payouts}
        floor = int(oldest - PAYMENTS_BEFORE_PAYOUT.total_seconds())

        def fetch(after: str | None) -> Page[Payment]:
            return self._paymongo.list_payments(limit=100, after=after)

        listed = walk_back(fetch, stop_at_id=None, floor_unix=floor).items
        grouped: dict[str, list[Payment]] = defaultdict(list)
        for payment in listed:
            if payment.payout_id in wanted and payment.status is PaymentStatus.PAID:
                grouped[payment.payout_id].append(payment)
        invoices = self._invoices([p for ps in grouped.values() for p in ps])
        return [
            PayoutReport(p, tuple(_line(x, invoices.get(x.id)) for x in reversed(grouped[p.id])))
            for p in payouts
        ]

    def _invoices(self, payments: Sequence[Payment]) -> dict[str, tuple[str, str | None, str]]:
        """payment id -> (bill number, invoice number, note) for the payments this counter knows.

        A payment reconciliation set aside (late, double) gets no invoice: it is not the bill's.
        """
        found: dict[str, tuple[str, str | None, str]] = {}
        with self._database.unit_of_work(read_only=True) as uow:
            repo = ReconcileRepository(uow.session)
            journal = repo.seen([p.id for p in payments])
            by_paymongo_id = repo.attempts_by_paymongo_id(
                {i for p in payments for i in match_ids(p)}
            )
            by_id: dict[str, PaymentAttempt] = repo.attempts(
                {p.metadata[ATTEMPT_KEY] for p in payments if ATTEMPT_KEY in p.metadata}
            )
            for payment in payments:
                attempt = find_attempt(payment, by_paymongo_id, by_id)
                if attempt is None:
                    continue
                bill = uow.bills.get(attempt.bill_id)
                if bill is None:
                    continue
                seen = journal.get(payment.id)
                set_aside = seen is not None and seen.outcome.is_case
                unbilled = attempt.state is AttemptState.NEEDS_REVIEW and not repo.tendered(
                    [attempt.id]
                )
                if set_aside or unbilled:
                    found[payment.id] = (bill.number, None, "overpayment case: refund or keep")
                else:
                    invoice = uow.invoices.get_for_bill(attempt.bill_id)
                    number = invoice.number if invoice else None
                    found[payment.id] = (bill.number, number, "" if number else "no invoice yet")
        return found


def _line(payment: Payment, invoice: tuple[str, str | None, str] | None) -> PayoutLine:
    fee = payment.fee or 0
    net = payment.net_amount if payment.net_amount is not None else payment.amount - fee
    return PayoutLine(
        payment_id=payment.id,
        paid_at=datetime.fromtimestamp(payment.paid_at or payment.created_at, tz=UTC),
        method=payment.source.type if payment.source is not None else "",
        gross=Money(payment.amount),
        fee=Money(fee),
        net=Money(net),
        bill_number=invoice[0] if invoice else None,
        invoice_number=invoice[1] if invoice else None,
        note=invoice[2] if invoice else "not from this counter",
    )


def pesos(centavos: int) -> str:
    """``-1234`` -> ``"-12.34"``: exact, for the spreadsheet."""
    sign = "-" if centavos < 0 else ""
    whole, cents = divmod(abs(centavos), 100)
    return f"{sign}{whole}.{cents:02d}"


def payouts_csv(reports: Sequence[PayoutReport], zone: tzinfo = PHILIPPINE_TIME) -> str:
    """One row per payment, then one ``total`` row per payout with its deductions and net.
    Dates and times on the clinic's clock (``zone``), as the window shows them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for report in reports:
        p = report.payout
        head = [p.id, day_of(report.date, zone).isoformat(), p.status, p.reference_number or ""]
        for line in report.lines:
            writer.writerow(
                [
                    *head,
                    "payment",
                    line.payment_id,
                    line.paid_at.astimezone(zone).isoformat(timespec="seconds"),
                    line.method,
                    line.bill_number or "",
                    line.invoice_number or "",
                    line.note,
                    line.gross.to_decimal_str(),
                    line.fee.to_decimal_str(),
                    "",
                    "",
                    "",
                    line.net.to_decimal_str(),
                ]
            )
        writer.writerow(
            [
                *head,
                "total",
                "",
                "",
                "",
                "",
                "",
                "",
                *report.amount_columns,
            ]
        )
    return out.getvalue()


def write_csv(reports: Sequence[PayoutReport], path: Path, zone: tzinfo) -> None:
    path.write_text(payouts_csv(reports, zone), encoding="utf-8")
