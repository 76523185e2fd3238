"""Build the BIR invoice and the manual refund slip as printer-neutral ``ReceiptDocument``s.

What an invoice must show (see /work/shared/reference/philippines.md): the word INVOICE, the
seller's registered name, TIN, address and VAT status, the serial number printed prominently, the
date, each line's description, quantity, unit price and amount, the VAT breakdown for VAT sellers
(or "THIS DOCUMENT IS NOT VALID FOR CLAIM OF INPUT TAX" for non-VAT sellers), the buyer's name, the
senior/PWD id and discount when applied, the cashier, and the terminal's POS details. Reprints say
REPRINT at the top and the bottom. Wordings and rates come from ``InvoiceHeader`` (built by the
caller from settings) so the clinic's accountant can change them without a code change.

Times print in Philippine time (UTC+8; the Philippines has no daylight saving time).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pos_app.config import Settings
from pos_app.domain.bill import Bill
from pos_app.domain.clinic_time import PHILIPPINE_TIME, wall_clock
from pos_app.domain.discount import DiscountKind, DiscountResult, VatStatus, vat_breakdown
from pos_app.domain.invoice import Invoice
from pos_app.domain.money import Money
from pos_app.domain.tender import Tender, settled_amount
from pos_app.printing.document import (
    Align,
    Block,
    ItemRow,
    MoneyRow,
    ReceiptDocument,
    RuleBlock,
    SpacerBlock,
    TextBlock,
    TextSize,
    TitleBlock,
)

__all__ = [
    "NON_VAT_NOTICE",
    "InvoiceHeader",
    "PosIdentity",
    "build_invoice_receipt",
    "build_refund_slip",
    "local_time",
    "pos_blocks",
    "reprint_marks",
    "seller_blocks",
    "vat_breakdown",
]

NON_VAT_NOTICE = "THIS DOCUMENT IS NOT VALID FOR CLAIM OF INPUT TAX"
REPRINT_MARK = "*** REPRINT ***"


@dataclass(frozen=True)
class PosIdentity:
    """The terminal's BIR registration, configured per terminal (printed on every invoice)."""

    permit_to_use_number: str  # PTU number issued by the BIR for this machine
    machine_id: str  # MIN, machine identification number
    serial_number: str  # the machine's serial number
    accreditation_number: str  # the POS software's accreditation number
    software: str = "Kaha POS"


@dataclass(frozen=True)
class InvoiceHeader:
    """The seller's details and wordings printed on every invoice and slip."""

    registered_name: str
    tin: str
    address: str
    vat_status: VatStatus
    pos: PosIdentity
    trade_name: str = ""  # branch or business name when it differs from the registered name
    vat_percent: int = 12
    senior_pwd_rate_percent: int = 20
    footer: str = "Thank you! Please keep this invoice."

    @property
    def is_vat_registered(self) -> bool:
        return self.vat_status is VatStatus.VAT

    @classmethod
    def from_settings(cls, settings: Settings, pos: PosIdentity) -> InvoiceHeader:
        """The header for this counter; ``pos`` comes from the terminal's registration."""
        trade_name = settings.clinic_name
        return cls(
            registered_name=settings.clinic_registered_name,
            tin=settings.clinic_tin,
            address=settings.clinic_address,
            vat_status=VatStatus(settings.vat_registration.value),
            pos=pos,
            trade_name="" if trade_name == settings.clinic_registered_name else trade_name,
        )


def build_invoice_receipt(
    *,
    header: InvoiceHeader,
    invoice: Invoice,
    bill: Bill,
    tenders: Sequence[Tender],
    cashier: str,
    discount: DiscountResult | None = None,
    reprint: bool = False,
    discount_kind: DiscountKind | None = None,
    reprint_number: int = 0,
) -> ReceiptDocument:
    """The invoice for ``bill``, paid by ``tenders``, with its ``discount`` if any.

    A discount with a VAT-exempt sale is taken as the senior/PWD discount (a promo exempts
    nothing); pass ``discount_kind`` to name it exactly (SENIOR, PWD or PROMO). ``reprint_number``
    (1 for the first reprint) marks a reprint with its count.
    """
    statutory = _is_statutory(discount, discount_kind)
    marks = reprint_marks(reprint_number)
    if reprint and not reprint_number:
        marks = [TextBlock(REPRINT_MARK, Align.CENTER, bold=True, size=TextSize.LARGE)]
    blocks: list[Block] = list(marks)
    blocks += seller_blocks(header)
    blocks += [RuleBlock("="), TitleBlock("INVOICE")]
    blocks += [
        TextBlock("Invoice No.", Align.CENTER),
        TextBlock(invoice.number, Align.CENTER, bold=True, size=TextSize.LARGE),
    ]
    blocks += [
        TextBlock(f"Date: {local_time(invoice.issued_at)}"),
        TextBlock(f"Bill: {bill.number}"),
        TextBlock(f"Cashier: {cashier}"),
        RuleBlock(),
        TextBlock(f"Sold to: {bill.patient.full_name}"),
        TextBlock("Address: ______________________"),
        TextBlock("TIN: __________________________"),
    ]
    if statutory:
        blocks += _senior_pwd_buyer_blocks(bill, discount_kind)
    blocks.append(RuleBlock())
    blocks += [ItemRow(ln.description, ln.quantity, ln.unit_price, ln.total) for ln in bill.lines]
    blocks.append(RuleBlock())
    blocks += _totals_blocks(header, invoice, bill, discount, statutory=statutory)
    blocks.append(RuleBlock())
    blocks += _tender_blocks(invoice, tenders)
    blocks.append(RuleBlock())
    blocks += _vat_blocks(header, invoice, discount if statutory else None)
    blocks += pos_blocks(header)
    blocks += [SpacerBlock(), TextBlock(header.footer, Align.CENTER)]
    blocks += marks
    return ReceiptDocument(tuple(blocks), name=invoice.number)


def reprint_marks(reprint_number: int) -> list[Block]:
    """The REPRINT line with its count ("*** REPRINT No. 2 ***"); none for an original."""
    if reprint_number <= 0:
        return []
    text = f"*** REPRINT No. {reprint_number} ***"
    return [TextBlock(text, Align.CENTER, bold=True, size=TextSize.LARGE)]


def build_refund_slip(
    *,
    header: InvoiceHeader,
    bill: Bill,
    amount: Money,
    method_label: str,
    reason: str,
    refunded_at: datetime,
    processed_by: str,
    reference: str,
    invoice_number: str | None = None,
    approved_by: str | None = None,
    reprint: bool = False,
) -> ReceiptDocument:
    """The slip a patient signs when a refund is paid by hand (cash or bank transfer).

    ``reference`` identifies the refund (its id); ``invoice_number`` is the invoice refunded.
    """
    blocks: list[Block] = []
    if reprint:
        blocks.append(TextBlock(REPRINT_MARK, Align.CENTER, bold=True, size=TextSize.LARGE))
    blocks += seller_blocks(header)
    blocks += [RuleBlock("="), TitleBlock("REFUND SLIP")]
    blocks += [
        TextBlock(f"Ref: {reference}", Align.CENTER, bold=True),
        TextBlock(f"Date: {local_time(refunded_at)}"),
        TextBlock(f"Bill: {bill.number}"),
    ]
    if invoice_number:
        blocks.append(TextBlock(f"Invoice refunded: {invoice_number}"))
    blocks += [
        TextBlock(f"Patient: {bill.patient.full_name}"),
        RuleBlock(),
        MoneyRow("AMOUNT REFUNDED", amount, bold=True),
        TextBlock(f"Paid back by: {method_label}"),
        TextBlock(f"Reason: {reason}"),
        RuleBlock(),
        TextBlock(f"Processed by: {processed_by}"),
    ]
    if approved_by:
        blocks.append(TextBlock(f"Approved by: {approved_by}"))
    blocks += [
        SpacerBlock(),
        TextBlock("I received the amount above.", Align.CENTER),
        SpacerBlock(3),
        RuleBlock("_"),
        TextBlock(f"Signature over printed name: {bill.patient.full_name}", Align.CENTER),
        SpacerBlock(2),
        TextBlock("Date received: ____________________"),
        SpacerBlock(),
        TextBlock("This slip is not an invoice.", Align.CENTER),
    ]
    if reprint:
        blocks.append(TextBlock(REPRINT_MARK, Align.CENTER, bold=True, size=TextSize.LARGE))
    return ReceiptDocument(tuple(blocks), name=f"refund-{reference}")


def local_time(moment: datetime) -> str:
    """Printouts keep Philippine time (BIR documents), whatever the computer's own zone."""
    return wall_clock(moment, PHILIPPINE_TIME, "%Y-%m-%d %I:%M %p")


def seller_blocks(header: InvoiceHeader) -> list[Block]:
    status = "VAT REG TIN" if header.is_vat_registered else "NON-VAT REG TIN"
    blocks: list[Block] = [TextBlock(header.registered_name.upper(), Align.CENTER, bold=True)]
    if header.trade_name:
        blocks.append(TextBlock(header.trade_name, Align.CENTER))
    blocks += [
        TextBlock(header.address, Align.CENTER),
        TextBlock(f"{status}: {header.tin}", Align.CENTER),
    ]
    return blocks


def _is_statutory(discount: DiscountResult | None, kind: DiscountKind | None) -> bool:
    if discount is None:
        return False
    if kind is not None:
        return kind.is_statutory
    return bool(discount.vat_exempt_sale)


def _senior_pwd_buyer_blocks(bill: Bill, kind: DiscountKind | None) -> list[Block]:
    label = {DiscountKind.SENIOR: "Senior citizen ID No.", DiscountKind.PWD: "PWD ID No."}.get(
        kind or DiscountKind.NONE, "SC/PWD ID No."
    )
    id_number = (bill.patient.senior_pwd_id or "").strip() or "________________"
    return [
        TextBlock(f"{label}: {id_number}", bold=True),
        SpacerBlock(),
        TextBlock("SC/PWD signature: ______________"),
    ]


def _totals_blocks(
    header: InvoiceHeader,
    invoice: Invoice,
    bill: Bill,
    discount: DiscountResult | None,
    *,
    statutory: bool,
) -> list[Block]:
    if discount is not None:
        rows: list[Block] = [MoneyRow("Gross amount", discount.gross)]
        if discount.vat_removed:
            rows.append(MoneyRow("Less: VAT (SC/PWD)", discount.vat_removed))
        rate = header.senior_pwd_rate_percent
        label = f"Less: SC/PWD disc. {rate}%" if statutory else "Less: promo discount"
        rows.append(MoneyRow(label, discount.discount))
    else:
        rows = [MoneyRow("Subtotal", bill.lines_total if bill.lines else invoice.total)]
        if bill.discount:
            rows.append(MoneyRow("Less: discount", bill.discount))
    rows.append(MoneyRow("TOTAL AMOUNT DUE", invoice.total, bold=True))
    return rows


def _tender_blocks(invoice: Invoice, tenders: Sequence[Tender]) -> list[Block]:
    blocks: list[Block] = [TextBlock("PAYMENT", bold=True)]
    for tender in tenders:
        blocks.append(MoneyRow(tender.method.label, tender.amount))
        if tender.cash_tendered is not None:
            blocks.append(MoneyRow("Cash received", tender.cash_tendered, indent=2))
            blocks.append(MoneyRow("Change", tender.change_due, indent=2))
    paid = settled_amount(tenders)
    blocks.append(MoneyRow("Total paid", paid, bold=True))
    balance = invoice.total.minus_floor_zero(paid)
    if balance:
        blocks.append(MoneyRow("Balance still due", balance, bold=True))
    return blocks


def _vat_blocks(
    header: InvoiceHeader, invoice: Invoice, discount: DiscountResult | None
) -> list[Block]:
    if not header.is_vat_registered:
        return [TextBlock(NON_VAT_NOTICE, Align.CENTER, bold=True), RuleBlock()]
    if discount is not None:  # a senior/PWD sale is VAT-exempt as a whole
        vatable, vat, exempt = Money.ZERO, Money.ZERO, discount.vat_exempt_sale
    else:
        (vatable, vat), exempt = vat_breakdown(invoice.total, header.vat_percent), Money.ZERO
    return [
        MoneyRow("VATable sales", vatable),
        MoneyRow("VAT-exempt sales", exempt),
        MoneyRow("Zero-rated sales", Money.ZERO),
        MoneyRow(f"VAT amount ({header.vat_percent}%)", vat),
        RuleBlock(),
    ]


def pos_blocks(header: InvoiceHeader) -> list[Block]:
    pos = header.pos
    return [
        TextBlock(pos.software),
        TextBlock(f"PTU No.: {pos.permit_to_use_number}"),
        TextBlock(f"MIN: {pos.machine_id}"),
        TextBlock(f"S/N: {pos.serial_number}"),
        TextBlock(f"Accreditation No.: {pos.accreditation_number}"),
    ]
