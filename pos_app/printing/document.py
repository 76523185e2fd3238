"""A printer-neutral receipt: a sequence of typed blocks that each renderer lays out its own way.

The builders in ``receipt`` produce a ``ReceiptDocument``; ``layout.render_text`` turns it into
plain text (previews, tests), ``escpos.encode_escpos`` into thermal-printer bytes and
``pdf.render_pdf`` into a receipt-shaped PDF. Amounts stay ``Money`` inside the blocks so that
each renderer can choose how to write the peso sign (thermal code pages usually have no "₱").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from pos_app.domain.money import Money

__all__ = [
    "Align",
    "Block",
    "ItemRow",
    "MoneyRow",
    "QrBlock",
    "ReceiptDocument",
    "RuleBlock",
    "SpacerBlock",
    "TextBlock",
    "TextSize",
    "TitleBlock",
]


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


class TextSize(StrEnum):
    NORMAL = "normal"  # one column per character
    LARGE = "large"  # double width and height on a thermal printer: half the columns


@dataclass(frozen=True)
class TitleBlock:
    """The document's name ("INVOICE", "REFUND SLIP"): large, bold, centred."""

    text: str


@dataclass(frozen=True)
class TextBlock:
    """Free text, wrapped to the paper width."""

    text: str
    align: Align = Align.LEFT
    bold: bool = False
    size: TextSize = TextSize.NORMAL


@dataclass(frozen=True)
class MoneyRow:
    """A label on the left and an amount on the right ("TOTAL ........ ₱1,500.00")."""

    label: str
    amount: Money
    bold: bool = False
    indent: int = 0  # leading spaces, for sub-rows such as "Change"


@dataclass(frozen=True)
class ItemRow:
    """One line of an invoice: description, then "qty x unit price" and the line amount."""

    description: str
    quantity: int
    unit_price: Money
    amount: Money


@dataclass(frozen=True)
class RuleBlock:
    """A horizontal rule across the paper."""

    char: str = "-"


@dataclass(frozen=True)
class SpacerBlock:
    """Blank lines, e.g. room for a signature."""

    lines: int = 1


@dataclass(frozen=True)
class QrBlock:
    """A QR code; text renderers show only a placeholder."""

    payload: str
    caption: str = ""


Block = TitleBlock | TextBlock | MoneyRow | ItemRow | RuleBlock | SpacerBlock | QrBlock


@dataclass(frozen=True)
class ReceiptDocument:
    """An ordered, immutable list of blocks, plus a name used for files ("MAIN-01-000123")."""

    blocks: tuple[Block, ...]
    name: str = "receipt"

    def __iter__(self) -> Iterator[Block]:
        return iter(self.blocks)

    def __len__(self) -> int:
        return len(self.blocks)
