"""A ``ReceiptDocument`` as a receipt-shaped PDF (80 mm wide, as tall as its content), without Qt.

Uses fpdf2 with DejaVu Sans so "₱" prints. Debian ships it in fonts-dejavu-core; if the font files
are missing the PDF falls back to the built-in Helvetica, which has no "₱" (amounts then read
"PHP 1,500.00") and only Latin-1 letters (others print as "?").

The page height is found by laying the receipt out once on a tall page and then again on a page
cut to the height used, so the two passes must stay deterministic.

Threading: pure functions apart from ``save_pdf``'s file write; safe on any thread.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pos_app.domain.money import Money
from pos_app.printing.document import (
    Align,
    Block,
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
from pos_app.printing.layout import PESO_SIGN, format_money

if TYPE_CHECKING:
    from fpdf import FPDF

__all__ = ["DEFAULT_FONT_DIR", "PAGE_WIDTH_MM", "render_pdf", "save_pdf"]

DEFAULT_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
PAGE_WIDTH_MM = 80.0
_MARGIN_MM = 4.0
_FONT_SIZE_PT = 8.5
_LARGE_FONT_SIZE_PT = 12.0
_TITLE_FONT_SIZE_PT = 15.0
_LINE_HEIGHT_FACTOR = 0.48  # mm of line height per point of font size: snug, as on till paper
_QR_SIZE_MM = 32.0
_MEASURING_HEIGHT_MM = 2000.0
_FALLBACK_PESO_SIGN = "PHP "
_FAMILY = "ReceiptSans"


@dataclass(frozen=True)
class _Fonts:
    family: str
    peso_sign: str
    unicode: bool


def render_pdf(document: ReceiptDocument, *, font_dir: Path = DEFAULT_FONT_DIR) -> bytes:
    """The receipt as PDF bytes."""
    measured = _draw(document, _MEASURING_HEIGHT_MM, font_dir)
    height = measured.get_y() + 2 * _MARGIN_MM  # a little paper after the last line
    _close_fonts(measured)
    return bytes(_draw(document, height, font_dir).output())


def save_pdf(document: ReceiptDocument, path: Path, *, font_dir: Path = DEFAULT_FONT_DIR) -> Path:
    """Write the receipt PDF to ``path`` (folders created as needed) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_pdf(document, font_dir=font_dir))
    return path


def _draw(document: ReceiptDocument, height_mm: float, font_dir: Path) -> FPDF:
    from fpdf import FPDF  # imported on first use: fpdf2 and Pillow add a second to start-up

    pdf = FPDF(unit="mm", format=(PAGE_WIDTH_MM, height_mm))
    pdf.set_margins(_MARGIN_MM, _MARGIN_MM, _MARGIN_MM)
    pdf.set_auto_page_break(auto=False)
    pdf.set_title(document.name)
    pdf.set_creator("Kaha")
    fonts = _load_fonts(pdf, font_dir)
    pdf.add_page()
    for block in document:
        _draw_block(pdf, block, fonts)
    return pdf


def _close_fonts(pdf: FPDF) -> None:
    """fpdf2 closes its font files only in ``output()``, which the measuring pass never calls."""
    from fpdf.fonts import TTFFont

    for font in pdf.fonts.values():
        if isinstance(font, TTFFont):
            font.close()


def _load_fonts(pdf: FPDF, font_dir: Path) -> _Fonts:
    regular, bold = font_dir / "DejaVuSans.ttf", font_dir / "DejaVuSans-Bold.ttf"
    if regular.is_file() and bold.is_file():
        pdf.add_font(_FAMILY, "", str(regular))
        pdf.add_font(_FAMILY, "B", str(bold))
        return _Fonts(_FAMILY, PESO_SIGN, unicode=True)
    return _Fonts("helvetica", _FALLBACK_PESO_SIGN, unicode=False)


def _draw_block(pdf: FPDF, block: Block, fonts: _Fonts) -> None:
    match block:
        case TitleBlock(text=text):
            pdf.ln(1)
            _text(pdf, fonts, text, Align.CENTER, bold=True, size=_TITLE_FONT_SIZE_PT)
        case TextBlock(text=text, align=align, bold=bold, size=size):
            large = size is TextSize.LARGE
            font_size = _LARGE_FONT_SIZE_PT if large else _FONT_SIZE_PT
            _text(pdf, fonts, text, align, bold=bold, size=font_size)
        case MoneyRow(label=label, amount=amount, bold=bold, indent=indent):
            _money_row(pdf, fonts, label, amount, bold=bold, indent_mm=indent * 1.5)
        case ItemRow(description=description, quantity=quantity, unit_price=unit_price):
            _text(pdf, fonts, description, Align.LEFT, bold=False, size=_FONT_SIZE_PT)
            label = f"{quantity} x {format_money(unit_price, fonts.peso_sign)}"
            _money_row(pdf, fonts, label, block.amount, bold=False, indent_mm=3.0)
        case RuleBlock(char=char):
            _rule(pdf, char)
        case SpacerBlock(lines=count):
            pdf.ln(_line_height(_FONT_SIZE_PT) * count)
        case QrBlock(payload=payload, caption=caption):
            _qr(pdf, payload)
            if caption:
                _text(pdf, fonts, caption, Align.CENTER, bold=False, size=_FONT_SIZE_PT)


def _line_height(size_pt: float) -> float:
    return size_pt * _LINE_HEIGHT_FACTOR


def _printable(fonts: _Fonts, text: str) -> str:
    if fonts.unicode:
        return text
    # Helvetica is Latin-1 only; a "?" beats failing to print the receipt at all.
    return (
        text.replace(PESO_SIGN, _FALLBACK_PESO_SIGN).encode("latin-1", "replace").decode("latin-1")
    )


def _text(pdf: FPDF, fonts: _Fonts, text: str, align: Align, *, bold: bool, size: float) -> None:
    pdf.set_font(fonts.family, "B" if bold else "", size)
    pdf.set_x(pdf.l_margin)
    pdf.multi_cell(
        w=0,
        h=_line_height(size),
        text=_printable(fonts, text),
        align=_PDF_ALIGN[align],
        new_x="LMARGIN",
        new_y="NEXT",
    )


def _money_row(
    pdf: FPDF, fonts: _Fonts, label: str, amount: Money, *, bold: bool, indent_mm: float
) -> None:
    """Label left, amount right-aligned on the label's last line."""
    pdf.set_font(fonts.family, "B" if bold else "", _FONT_SIZE_PT)
    height = _line_height(_FONT_SIZE_PT)
    amount_text = _printable(fonts, format_money(amount, fonts.peso_sign))
    amount_width = pdf.get_string_width(amount_text) + 1.0
    label_width = pdf.epw - indent_mm - amount_width
    top = pdf.get_y()
    pdf.set_x(pdf.l_margin + indent_mm)
    pdf.multi_cell(
        w=label_width,
        h=height,
        text=_printable(fonts, label),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    bottom = pdf.get_y()
    pdf.set_xy(pdf.w - pdf.r_margin - amount_width, max(top, bottom - height))
    pdf.cell(w=amount_width, h=height, text=amount_text, align="R")
    pdf.set_xy(pdf.l_margin, bottom)


def _rule(pdf: FPDF, char: str) -> None:
    """ "=" double, "_" solid (signature lines), anything else dashed, as on till paper."""
    pdf.ln(1.0)
    y = pdf.get_y()
    pdf.set_line_width(0.2)
    if char in "=_":
        pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
        if char == "=":
            pdf.line(pdf.l_margin, y + 0.7, pdf.w - pdf.r_margin, y + 0.7)
    else:
        pdf.set_dash_pattern(dash=0.8, gap=0.6)
        pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
        pdf.set_dash_pattern()
    pdf.set_y(y + 1.8)


def _qr(pdf: FPDF, payload: str) -> None:
    import qrcode

    image = qrcode.make(payload, border=1).get_image()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    x = (pdf.w - _QR_SIZE_MM) / 2
    pdf.image(buffer, x=x, y=pdf.get_y() + 1, w=_QR_SIZE_MM, h=_QR_SIZE_MM)
    pdf.set_y(pdf.get_y() + _QR_SIZE_MM + 2)


_PDF_ALIGN = {Align.LEFT: "L", Align.CENTER: "C", Align.RIGHT: "R"}
