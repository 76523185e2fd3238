"""The X-reading, the shift close and the Z-reading as printer-neutral ``ReceiptDocument``s.

Every field philippines.md lists for a Z-reading is printed, a missing one as "(none)" rather
than left out (there are no voids yet: their lines say so). Times print in Philippine time.
"""

from __future__ import annotations

from pos_app.domain.money import Money
from pos_app.domain.readings import CashCount, SalesFigures, XReading, ZReading
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
    InvoiceHeader,
    local_time,
    pos_blocks,
    reprint_marks,
    seller_blocks,
)

__all__ = ["build_shift_close", "build_x_reading", "build_z_reading"]

NONE = "(none)"


def build_x_reading(header: InvoiceHeader, reading: XReading) -> ReceiptDocument:
    """The shift's totals so far; it resets nothing."""
    shift = reading.shift
    blocks: list[Block] = [*seller_blocks(header), RuleBlock("="), TitleBlock("X-READING")]
    blocks += [
        TextBlock("Shift totals - resets nothing", Align.CENTER),
        TextBlock(f"Terminal: {reading.terminal_id}"),
        TextBlock(f"Shift No.: {shift.id}"),
        TextBlock(f"Shift opened: {local_time(shift.opened_at)} by {shift.opened_by}"),
        TextBlock(f"Read: {local_time(reading.taken_at)} by {reading.taken_by}"),
        RuleBlock(),
    ]
    blocks += _shift_body(header, reading)
    blocks += [*pos_blocks(header), SpacerBlock(), TextBlock("X-READING", Align.CENTER)]
    return ReceiptDocument(tuple(blocks), name=f"X-{reading.terminal_id}-shift-{shift.id:05d}")


def build_shift_close(header: InvoiceHeader, reading: XReading) -> ReceiptDocument:
    """The closed shift: its totals, the cash counted and the difference, for signatures."""
    shift = reading.shift
    closed = shift.closed_at or reading.taken_at
    blocks: list[Block] = [*seller_blocks(header), RuleBlock("="), TitleBlock("SHIFT CLOSE")]
    blocks += [
        TextBlock(f"Terminal: {reading.terminal_id}"),
        TextBlock(f"Shift No.: {shift.id}"),
        TextBlock(f"Opened: {local_time(shift.opened_at)} by {shift.opened_by}"),
        TextBlock(f"Closed: {local_time(closed)} by {shift.closed_by or reading.taken_by}"),
        RuleBlock(),
    ]
    blocks += _shift_body(header, reading)
    blocks += [
        SpacerBlock(2),
        RuleBlock("_"),
        TextBlock(f"Cashier: {shift.opened_by}", Align.CENTER),
        SpacerBlock(2),
        RuleBlock("_"),
        TextBlock("Checked by", Align.CENTER),
        SpacerBlock(),
        *pos_blocks(header),
    ]
    return ReceiptDocument(tuple(blocks), name=f"shift-{reading.terminal_id}-{shift.id:05d}")


def build_z_reading(
    header: InvoiceHeader, reading: ZReading, *, reprint_number: int = 0
) -> ReceiptDocument:
    """The day's Z-reading with every field; ``reprint_number`` marks a reprint."""
    marks = reprint_marks(reprint_number)
    figures = reading.figures
    blocks: list[Block] = [*marks, *seller_blocks(header), RuleBlock("="), TitleBlock("Z-READING")]
    blocks += [
        TextBlock(f"End of day {reading.business_date.isoformat()}", Align.CENTER, bold=True),
        TextBlock(f"Terminal: {reading.terminal_id}"),
        TextBlock(f"Z counter: {reading.z_counter}"),
        TextBlock(f"Reset counter: {reading.reset_counter}"),
        TextBlock(f"From: {local_time(reading.period_start)}"),
        TextBlock(f"To: {local_time(reading.period_end)}"),
        TextBlock(f"Taken: {local_time(reading.taken_at)} by {reading.taken_by}"),
        RuleBlock(),
        *_numbers(figures),
        RuleBlock(),
        *_sales(header, figures),
        RuleBlock(),
        *_payments(figures),
        RuleBlock(),
        *_cash(reading.cash, "Opening funds"),
        RuleBlock(),
        TextBlock("ACCUMULATED GRAND TOTAL", bold=True),
        MoneyRow("Previous", reading.previous_grand_total),
        MoneyRow("Add: net sales today", figures.net),
        MoneyRow("Present", reading.present_grand_total, bold=True),
        RuleBlock(),
        TextBlock(f"Shifts closed: {reading.shift_count}"),
        TextBlock(f"Cashiers: {', '.join(reading.cashiers) or NONE}"),
        *pos_blocks(header),
        SpacerBlock(),
        TextBlock("Z-READING - END OF DAY", Align.CENTER),
        *marks,
    ]
    name = f"Z-{reading.terminal_id}-{reading.business_date.isoformat()}"
    return ReceiptDocument(tuple(blocks), name=name)


def _shift_body(header: InvoiceHeader, reading: XReading) -> list[Block]:
    figures = reading.figures
    return [
        *_numbers(figures),
        RuleBlock(),
        *_sales(header, figures),
        RuleBlock(),
        *_payments(figures),
        RuleBlock(),
        *_cash(reading.cash, "Opening fund"),
        RuleBlock(),
    ]


def _numbers(figures: SalesFigures) -> list[Block]:
    return [
        TextBlock(f"Beginning invoice No.: {figures.first_invoice or NONE}"),
        TextBlock(f"Ending invoice No.: {figures.last_invoice or NONE}"),
        TextBlock(f"Invoices issued: {figures.invoice_count}"),
        TextBlock(f"Beginning void No.: {figures.first_void or NONE}"),
        TextBlock(f"Ending void No.: {figures.last_void or NONE}"),
        TextBlock(f"Beginning refund No.: {figures.first_refund or NONE}"),
        TextBlock(f"Ending refund No.: {figures.last_refund or NONE}"),
    ]


def _sales(header: InvoiceHeader, figures: SalesFigures) -> list[Block]:
    blocks: list[Block] = [
        TextBlock("SALES", bold=True),
        MoneyRow("Gross sales", figures.gross),
        MoneyRow("Less: senior citizen discount", figures.senior_discount),
        MoneyRow("Less: PWD discount", figures.pwd_discount),
        MoneyRow("Less: other discounts", figures.other_discount),
        MoneyRow("Less: VAT of SC/PWD sales", figures.vat_taken_off),
        MoneyRow("Net sales", figures.net, bold=True),
        RuleBlock(),
        MoneyRow("VATable sales", figures.vatable),
        MoneyRow(f"VAT amount ({header.vat_percent}%)", figures.vat),
        MoneyRow("VAT-exempt sales", figures.vat_exempt),
        MoneyRow("Zero-rated sales", figures.zero_rated),
    ]
    if not header.is_vat_registered:
        blocks.append(MoneyRow("Non-VAT sales", figures.non_vat))
    blocks += [
        RuleBlock(),
        MoneyRow(f"Voids ({figures.void_count})", figures.void_total),
        MoneyRow(f"Refunds ({figures.refund_count})", figures.refund_total),
    ]
    return blocks


def _payments(figures: SalesFigures) -> list[Block]:
    rows: list[Block] = [TextBlock("PAYMENTS BY METHOD", bold=True)]
    rows += [MoneyRow(method.label, amount) for method, amount in figures.payments]
    rows.append(MoneyRow("Total payments", Money.total(a for _, a in figures.payments), bold=True))
    return rows


def _cash(cash: CashCount, float_label: str) -> list[Block]:
    rows: list[Block] = [
        TextBlock("CASH IN DRAWER", bold=True),
        MoneyRow(float_label, cash.opening_float),
        MoneyRow("Cash payments", cash.cash_in),
        MoneyRow("Cash paid out", cash.cash_out),
        MoneyRow("Cash expected", cash.expected, bold=True),
    ]
    difference = cash.difference_centavos
    if cash.counted is None or difference is None:
        rows.append(TextBlock("Cash counted: not yet (at shift close)"))
        return rows
    rows.append(MoneyRow("Cash counted", cash.counted, bold=True))
    if difference == 0:
        rows.append(MoneyRow("Difference", Money.ZERO))
    else:
        word = "Short" if difference < 0 else "Over"
        rows.append(MoneyRow(f"Difference: {word}", Money(abs(difference)), bold=True))
    return rows
