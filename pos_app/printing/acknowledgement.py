"""The acknowledgement receipt: what a patient takes home for a part payment or a deposit.

It is not an invoice (see docs/documents.md for why): the bill's one invoice, numbered in the
terminal's gap-free series, is issued when the tenders cover the bill, and lists every tender,
this one included. The receipt says so in plain words, carries the non-VAT notice that it is not
valid for claim of input tax, and is numbered after the tender it acknowledges ("AR-000045"),
which never changes and is never reused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pos_app.domain.bill import Bill
from pos_app.domain.money import Money
from pos_app.domain.tender import Tender, settled_amount
from pos_app.printing.document import (
    Align,
    Block,
    MoneyRow,
    ReceiptDocument,
    RuleBlock,
    SpacerBlock,
    TextBlock,
    TitleBlock,
)
from pos_app.printing.receipt import (
    NON_VAT_NOTICE,
    InvoiceHeader,
    local_time,
    pos_blocks,
    reprint_marks,
    seller_blocks,
)

__all__ = [
    "ACKNOWLEDGEMENT_TITLE",
    "NOT_AN_INVOICE",
    "PartPayment",
    "acknowledgement_number",
    "build_acknowledgement",
]

ACKNOWLEDGEMENT_TITLE = "ACKNOWLEDGEMENT RECEIPT"
NOT_AN_INVOICE = "THIS IS NOT AN INVOICE"
INVOICE_LATER = "The invoice for the whole bill is issued when it is fully paid."


def acknowledgement_number(tender_id: int) -> str:
    """The receipt's number, from the tender it acknowledges: 45 -> "AR-000045"."""
    return f"AR-{tender_id:06d}"


@dataclass(frozen=True)
class PartPayment:
    """One tender of a bill not yet covered, with what was paid before it."""

    tender: Tender
    received_at: datetime
    paid_before: Money  # the bill's earlier tenders

    @property
    def number(self) -> str:
        assert self.tender.id is not None, "a stored tender has an id"
        return acknowledgement_number(self.tender.id)

    @classmethod
    def of(cls, tenders: Sequence[Tender], tender: Tender, received_at: datetime) -> PartPayment:
        """``tender`` among the bill's ``tenders`` (in the order they were recorded)."""
        before = tenders[: list(tenders).index(tender)]
        return cls(tender, received_at, settled_amount(before))


def build_acknowledgement(
    *,
    header: InvoiceHeader,
    bill: Bill,
    payment: PartPayment,
    cashier: str,
    reprint_number: int = 0,
) -> ReceiptDocument:
    """The acknowledgement of ``payment`` toward ``bill``; ``reprint_number`` marks a reprint."""
    tender = payment.tender
    paid_now = payment.paid_before + tender.amount
    marks = reprint_marks(reprint_number)
    blocks: list[Block] = [*marks, *seller_blocks(header)]
    blocks += [
        RuleBlock("="),
        TitleBlock(ACKNOWLEDGEMENT_TITLE),
        TextBlock(NOT_AN_INVOICE, Align.CENTER, bold=True),
        TextBlock(f"No. {payment.number}", Align.CENTER, bold=True),
        TextBlock(f"Date: {local_time(payment.received_at)}"),
        TextBlock(f"Bill: {bill.number}"),
        TextBlock(f"Cashier: {cashier}"),
        TextBlock(f"Received from: {bill.patient.full_name}"),
        RuleBlock(),
        MoneyRow(f"Received ({tender.method.label})", tender.amount, bold=True),
    ]
    if tender.cash_tendered is not None:
        blocks.append(MoneyRow("Cash received", tender.cash_tendered, indent=2))
        blocks.append(MoneyRow("Change", tender.change_due, indent=2))
    blocks += [
        RuleBlock(),
        MoneyRow("Bill amount", bill.amount_due),
        MoneyRow("Paid before", payment.paid_before),
        MoneyRow("Paid so far", paid_now),
        MoneyRow("Balance still due", bill.amount_due.minus_floor_zero(paid_now), bold=True),
        RuleBlock(),
        TextBlock(INVOICE_LATER, Align.CENTER),
        TextBlock(NON_VAT_NOTICE, Align.CENTER, bold=True),
        RuleBlock(),
        *pos_blocks(header),
        SpacerBlock(),
        TextBlock(NOT_AN_INVOICE, Align.CENTER, bold=True),
        *marks,
    ]
    return ReceiptDocument(tuple(blocks), name=payment.number)
