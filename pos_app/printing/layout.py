"""Lay a ``ReceiptDocument`` out in fixed-width columns, and the plain-text renderer built on it.

Both the text preview and the ESC/POS encoder use ``lay_out``, so the preview shows exactly the
line breaks the thermal printer will print. Large text (double width on a thermal printer) wraps at
half the columns. Control characters are dropped from every text: a patient name must never be
able to smuggle printer commands (ESC, GS) onto the paper.
"""

from __future__ import annotations

import textwrap
import unicodedata
from dataclasses import dataclass

from pos_app.domain.money import Money
from pos_app.printing.document import (
    Align,
    ItemRow,
    MoneyRow,
    QrBlock,
    ReceiptDocument,
    RuleBlock,
    SpacerBlock,
    TextBlock,
    TextSize,
    TitleBlock,
)

__all__ = [
    "COLUMNS_58MM",
    "COLUMNS_80MM",
    "PESO_SIGN",
    "Line",
    "format_money",
    "lay_out",
    "render_text",
]

COLUMNS_58MM = 32
COLUMNS_80MM = 48
PESO_SIGN = "₱"
_MIN_COLUMNS = 16  # below this nothing sensible fits (an amount alone is up to 14 characters)


@dataclass(frozen=True)
class Line:
    """One printed line. ``text`` is unpadded; the renderer applies ``align``."""

    text: str
    align: Align = Align.LEFT
    bold: bool = False
    size: TextSize = TextSize.NORMAL
    qr_payload: str | None = None  # set on the placeholder line that stands for a QR code


def format_money(amount: Money, peso_sign: str = PESO_SIGN) -> str:
    """ "₱1,500.00", or with another sign ("P1,500.00") for printers that lack "₱"."""
    return peso_sign + amount.format().removeprefix(PESO_SIGN)


def lay_out(document: ReceiptDocument, *, columns: int, peso_sign: str = PESO_SIGN) -> list[Line]:
    """Every block as lines no wider than ``columns`` (large text: ``columns // 2``)."""
    if columns < _MIN_COLUMNS:
        raise ValueError(f"a receipt needs at least {_MIN_COLUMNS} columns, got {columns}")
    lines: list[Line] = []
    for block in document:
        match block:
            case TitleBlock(text=text):
                lines += _text_lines(TextBlock(text, Align.CENTER, True, TextSize.LARGE), columns)
            case TextBlock():
                lines += _text_lines(block, columns)
            case MoneyRow(label=label, amount=amount, bold=bold, indent=indent):
                right = format_money(amount, peso_sign)
                lines += _two_columns(label, right, columns, bold=bold, indent=indent)
            case ItemRow():
                lines += _item_lines(block, columns, peso_sign)
            case RuleBlock(char=char):
                lines.append(Line(_clean(char)[:1] * columns or "-" * columns))
            case SpacerBlock(lines=count):
                lines += [Line("") for _ in range(count)]
            case QrBlock(payload=payload, caption=caption):
                lines.append(Line("[QR code]", Align.CENTER, qr_payload=payload))
                if caption:
                    lines += _text_lines(TextBlock(caption, Align.CENTER), columns)
    return lines


def render_text(
    document: ReceiptDocument, width: int = COLUMNS_58MM, *, peso_sign: str = PESO_SIGN
) -> str:
    """Plain text, each line padded per its alignment and never wider than ``width``."""
    rendered = []
    for line in lay_out(document, columns=width, peso_sign=peso_sign):
        rendered.append(_aligned(line.text, line.align, width).rstrip())
    return "\n".join(rendered) + "\n"


def _aligned(text: str, align: Align, width: int) -> str:
    if align is Align.CENTER:
        return text.center(width)
    if align is Align.RIGHT:
        return text.rjust(width)
    return text


def _clean(text: str) -> str:
    """Drop control characters (keeping newlines, which ``_wrap`` honours)."""
    return "".join(
        char for char in text if char == "\n" or not unicodedata.category(char).startswith("C")
    )


def _wrap(text: str, width: int) -> list[str]:
    wrapped: list[str] = []
    for paragraph in _clean(text).split("\n"):
        wrapped += textwrap.wrap(paragraph, width, break_long_words=True) or [""]
    return wrapped


def _text_lines(block: TextBlock, columns: int) -> list[Line]:
    width = columns // 2 if block.size is TextSize.LARGE else columns
    return [Line(part, block.align, block.bold, block.size) for part in _wrap(block.text, width)]


def _two_columns(left: str, right: str, columns: int, *, bold: bool, indent: int) -> list[Line]:
    """Label left, amount right; a long label wraps and the amount sits on its last line."""
    pad = " " * min(indent, columns // 4)
    # Wrap the label short of the amount so the amount shares its last line; an absurdly wide
    # amount gets a line of its own instead of squeezing the label to nothing.
    label_width = columns - len(pad) - len(right) - 1
    if label_width < columns // 3:
        label_width = columns - len(pad)
    left_lines = _wrap(left, label_width) if left else [""]
    last = pad + left_lines[-1]
    lines = [Line(pad + part, bold=bold) for part in left_lines[:-1]]
    if len(last) + 1 + len(right) <= columns:
        lines.append(Line(last + right.rjust(columns - len(last)), bold=bold))
    else:
        lines.append(Line(last, bold=bold))
        lines += [Line(part, Align.RIGHT, bold) for part in _wrap(right, columns)]
    return lines


def _item_lines(item: ItemRow, columns: int, peso_sign: str) -> list[Line]:
    lines = [Line(part) for part in _wrap(item.description, columns)]
    quantity_text = f"{item.quantity} x {format_money(item.unit_price, peso_sign)}"
    amount_text = format_money(item.amount, peso_sign)
    return lines + _two_columns(quantity_text, amount_text, columns, bold=False, indent=2)
