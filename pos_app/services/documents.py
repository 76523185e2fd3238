"""A bill's history: its tenders, invoice, refunds and the documents the counter can (re)print.

A bill gets one invoice, when its tenders cover it. Every tender taken before that (a part
payment or a deposit) gets an acknowledgement receipt of its own, which says it is not an
invoice (docs/documents.md explains the choice). A document printed once prints as a numbered
REPRINT every later time, from any screen.

Threading contract: ``bill_history`` blocks on the database; run it on the database worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from pos_app.domain.errors import NotFound
from pos_app.domain.tender import settled_amount

if TYPE_CHECKING:
    from pos_app.domain.bill import Bill
    from pos_app.domain.invoice import Invoice
    from pos_app.domain.refund import Refund
    from pos_app.domain.tender import Tender
    from pos_app.printing.acknowledgement import PartPayment
    from pos_app.storage import Database


class DocumentKind(StrEnum):
    """What a bill's document is. Closed set."""

    INVOICE = "invoice"  # the BIR invoice, once the bill is covered
    ACKNOWLEDGEMENT = "acknowledgement"  # a part payment's receipt; not an invoice


@dataclass(frozen=True)
class BillDocument:
    kind: DocumentKind
    name: str  # "MAIN-01-000123" or "AR-000045"
    description: str  # one line for the receptionist
    reprint_count: int | None  # None: never printed; 0: the original only

    @property
    def printed(self) -> str:
        if self.reprint_count is None:
            return "not printed yet"
        if self.reprint_count == 0:
            return "original printed"
        return f"original and {self.reprint_count} reprint(s)"


@dataclass(frozen=True)
class BillHistory:
    """What happened to one bill, in the order it happened."""

    bill: Bill
    tenders: tuple[tuple[Tender, datetime], ...]  # each tender with when it was recorded
    invoice: Invoice | None
    refunds: tuple[Refund, ...]
    documents: tuple[BillDocument, ...]

    def part_payment(self, name: str) -> PartPayment | None:
        """The part payment an acknowledgement ``name`` acknowledges."""
        from pos_app.printing.acknowledgement import PartPayment, acknowledgement_number

        tenders = [tender for tender, _ in self.tenders]
        for tender, at in self.tenders:
            if tender.id is not None and acknowledgement_number(tender.id) == name:
                return PartPayment.of(tenders, tender, at)
        return None

    def document(self, name: str) -> BillDocument:
        for document in self.documents:
            if document.name == name:
                return document
        raise NotFound(f"Bill {self.bill.number} has no document {name}.")


def bill_history(database: Database, bill_id: int) -> BillHistory:
    """The bill's history as stored now (read-only)."""
    with database.unit_of_work(read_only=True) as uow:
        bill = uow.bills.get(bill_id)
        if bill is None:
            raise NotFound("That bill is no longer on this counter. Refresh the list.")
        tenders = uow.tenders.list_for_bill(bill_id)
        times = uow.documents.tender_times(bill_id)
        invoice = uow.invoices.get_for_bill(bill_id)
        refunds = tuple(uow.refunds.list_for_bill(bill_id))
        prints = {p.name: p.reprint_count for p in uow.documents.list_for_bill(bill_id)}
    timed = tuple((tender, times[tender.id]) for tender in tenders if tender.id is not None)
    documents = [_acknowledgement(tender, prints) for tender in part_payments(bill, tenders)]
    if invoice is not None:
        documents.append(
            BillDocument(
                DocumentKind.INVOICE,
                invoice.number,
                f"Invoice {invoice.number} for {invoice.total}",
                prints.get(invoice.number),
            )
        )
    return BillHistory(bill, timed, invoice, refunds, tuple(documents))


def part_payments(bill: Bill, tenders: list[Tender]) -> list[Tender]:
    """The tenders taken while the bill was still not covered: every one but the tender that
    covered it (whose document is the invoice)."""
    paid_before = [settled_amount(tenders[:i]) for i in range(len(tenders))]
    return [
        tender
        for tender, before in zip(tenders, paid_before, strict=True)
        if before + tender.amount < bill.amount_due
    ]


def _acknowledgement(tender: Tender, prints: dict[str, int]) -> BillDocument:
    from pos_app.printing.acknowledgement import acknowledgement_number

    assert tender.id is not None
    name = acknowledgement_number(tender.id)
    return BillDocument(
        DocumentKind.ACKNOWLEDGEMENT,
        name,
        f"Acknowledgement receipt {name}: {tender.amount} {tender.method.label}",
        prints.get(name),
    )
