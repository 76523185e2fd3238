"""The refund slip: what the patient signs when money goes back by hand (BIR: a refund is its own
document, in its own gap-free series, naming the original invoice, which is never edited).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pos_app.domain.money import Money
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

__all__ = ["REFUND_SLIP_TITLE", "RefundSlip", "build_refund_slip"]

REFUND_SLIP_TITLE = "REFUND SLIP"
SIGNATURE_LINE = "Received by (signature over printed name)"


@dataclass(frozen=True)
class RefundSlip:
    """What a refund slip says; built by the refunds service from the stored refund."""

    number: str  # "RF-01-000001"
    refunded_at: datetime
    bill_number: str
    invoice_number: str | None  # the original invoice (None: the bill was only part paid)
    patient_name: str
    amount: Money
    paid_with: str  # "QR Ph", "Cash", ...
    channel: str  # "Cash from the drawer", "Bank transfer", "E-wallet"
    reference: str | None
    reason: str
    notes: str
    given_by: str  # the person who did the refund


def build_refund_slip(
    *, header: InvoiceHeader, slip: RefundSlip, reprint_number: int = 0
) -> ReceiptDocument:
    marks = reprint_marks(reprint_number)
    original = slip.invoice_number or f"none (bill {slip.bill_number} was not fully paid)"
    blocks: list[Block] = [*marks, *seller_blocks(header)]
    blocks += [
        RuleBlock("="),
        TitleBlock(REFUND_SLIP_TITLE),
        TextBlock(f"No. {slip.number}", Align.CENTER, bold=True),
        TextBlock(f"Date: {local_time(slip.refunded_at)}"),
        TextBlock(f"Original invoice: {original}", bold=True),
        TextBlock(f"Bill: {slip.bill_number}"),
        TextBlock(f"Refunded to: {slip.patient_name}"),
        TextBlock(f"Refunded by: {slip.given_by}"),
        RuleBlock(),
        MoneyRow("AMOUNT REFUNDED", slip.amount, bold=True),
        TextBlock(f"Paid originally by: {slip.paid_with}"),
        TextBlock(f"Given back as: {slip.channel}"),
    ]
    if slip.reference:
        blocks.append(TextBlock(f"Reference: {slip.reference}"))
    blocks.append(TextBlock(f"Reason: {slip.reason}"))
    if slip.notes:
        blocks.append(TextBlock(f"Notes: {slip.notes}"))
    blocks += [
        RuleBlock(),
        TextBlock("The original invoice stands unchanged; this slip records the refund."),
        SpacerBlock(2),
        RuleBlock("_"),
        TextBlock(SIGNATURE_LINE, Align.CENTER),
        TextBlock(slip.patient_name, Align.CENTER),
        SpacerBlock(),
        TextBlock(NON_VAT_NOTICE, Align.CENTER, bold=True),
        RuleBlock(),
        *pos_blocks(header),
        *marks,
    ]
    return ReceiptDocument(tuple(blocks), name=slip.number)
