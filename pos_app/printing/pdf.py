"""A ``ReceiptDocument`` as a receipt-shaped PDF (80 mm wide, as tall as its content), without Qt.

Uses fpdf2 with DejaVu Sans so "₱" prints. Debian ships it in fonts-dejavu-core; if the font files
are missing the PDF falls back to the built-in Helvetica, which has no "₱" (amounts then read
"PHP 1,500.00") and only Latin-1 letters (others print as "?").

The receipt is laid out once on a tall page, which is then cut to the height used (the drawing
shifted up by what is cut off). The fonts are a copy of DejaVu cut down to the scripts receipts
use (Latin, punctuation, currency signs), made once per process: parsing the whole font took
most of a receipt's time (see bench/printing_bench.py). A receipt with a letter outside those
scripts is drawn with the whole font.

Threading: pure functions apart from ``save_pdf``'s file write; safe on any thread.
"""

from __future__ import annotations

import io
import tempfile
import threading
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


# What the cut-down fonts cover: Latin-1 and Latin Extended-A (ñ, é, ł ...), dashes, quotes and
# bullets, "₱", "€", "№" and "™". Fewer glyphs load and subset faster; anything else in a receipt
# (another script, a Vietnamese vowel) draws it with the whole font, slower but whole.
_QUICK_RANGES = (
    (0x20, 0x7E),
    (0xA0, 0x17F),
    (0x2010, 0x2027),
    (0x2030, 0x203A),
    (0x20AC, 0x20AC),
    (0x20B1, 0x20B1),
    (0x2116, 0x2116),
    (0x2122, 0x2122),
)


def render_pdf(document: ReceiptDocument, *, font_dir: Path = DEFAULT_FONT_DIR) -> bytes:
    """The receipt as PDF bytes."""
    pdf = _draw(document, _MEASURING_HEIGHT_MM, font_dir, quick=_covered(document))
    _cut_page(pdf, pdf.get_y() + 2 * _MARGIN_MM)  # a little paper after the last line
    return bytes(pdf.output())


def _cut_page(pdf: FPDF, height_mm: float) -> None:
    """Cut the tall page to ``height_mm`` from its top. PDF measures from the bottom edge, so the
    drawing moves down by what is cut off, to stay at the top of the shorter page."""
    page = pdf.pages[1]
    assert isinstance(page.contents, bytearray), "cut before output(), while still drawing"
    cut_pt = (_MEASURING_HEIGHT_MM - height_mm) * pdf.k
    shift = f"q 1 0 0 1 0 {-cut_pt:.2f} cm\n".encode("ascii")
    page.contents = bytearray(shift) + page.contents + b"\nQ"
    page.set_dimensions(PAGE_WIDTH_MM * pdf.k, height_mm * pdf.k)
    pdf.dh_pt = pdf.h_pt = height_mm * pdf.k  # the document's default page size, to match
    pdf.h = height_mm


def save_pdf(document: ReceiptDocument, path: Path, *, font_dir: Path = DEFAULT_FONT_DIR) -> Path:
    """Write the receipt PDF to ``path`` (folders created as needed) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_pdf(document, font_dir=font_dir))
    return path


def _draw(
    document: ReceiptDocument,
    height_mm: float,
    font_dir: Path,
    *,
    quick: bool,
) -> FPDF:
    """Lay the receipt out on a page ``height_mm`` tall (``quick``: with the cut-down fonts)."""
    from fpdf import FPDF  # imported on first use: fpdf2 and Pillow add a second to start-up

    pdf = FPDF(unit="mm", format=(PAGE_WIDTH_MM, height_mm))
    pdf.set_margins(_MARGIN_MM, _MARGIN_MM, _MARGIN_MM)
    pdf.set_auto_page_break(auto=False)
    pdf.set_title(document.name)
    pdf.set_creator("Kaha")
    fonts = _load_fonts(pdf, font_dir, quick=quick)
    pdf.add_page()
    for block in document:
        _draw_block(pdf, block, fonts)
    return pdf


def _load_fonts(pdf: FPDF, font_dir: Path, *, quick: bool) -> _Fonts:
    regular, bold = font_dir / "DejaVuSans.ttf", font_dir / "DejaVuSans-Bold.ttf"
    if not (regular.is_file() and bold.is_file()):
        return _Fonts("helvetica", _FALLBACK_PESO_SIGN, unicode=False)
    if quick:
        pdf.add_font(_FAMILY, "", str(_quick_font(regular)))
        pdf.add_font(_FAMILY, "B", str(_quick_font(bold)))
    else:
        pdf.add_font(_FAMILY, "", str(regular))
        pdf.add_font(_FAMILY, "B", str(bold))
    return _Fonts(_FAMILY, PESO_SIGN, unicode=True)


def _covered(document: ReceiptDocument) -> bool:
    """Whether the cut-down fonts have every letter of ``document``."""
    texts: list[str] = []
    for block in document:
        match block:
            case TitleBlock(text=text) | TextBlock(text=text):
                texts.append(text)
            case MoneyRow(label=label):
                texts.append(label)
            case ItemRow(description=description):
                texts.append(description)
            case QrBlock(caption=caption):
                texts.append(caption)
    return all(
        any(low <= ord(char) <= high for low, high in _QUICK_RANGES)
        for char in set("".join(texts))
        if char != "\n"
    )


_quick_lock = threading.Lock()
_quick_fonts: dict[Path, Path] = {}


def _quick_font(source: Path) -> Path:
    """``source`` cut down to ``_QUICK_RANGES``: made on first use (a few hundred ms), then kept
    for the process in a private temporary folder."""
    with _quick_lock:
        made = _quick_fonts.get(source)
        if made is None:
            made = _quick_fonts[source] = _cut_down(source, Path(tempfile.mkdtemp("-kaha-fonts")))
        return made


def _cut_down(source: Path, folder: Path) -> Path:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.notdef_outline = True
    options.recommended_glyphs = True
    options.glyph_names = True
    options.name_IDs = ["*"]
    options.layout_features = []  # fpdf2 shapes no text unless asked, so GSUB/GPOS go
    options.drop_tables = [*options.drop_tables, "FFTM"]  # FontForge's timestamps
    subsetter = subset.Subsetter(options)
    subsetter.populate(
        unicodes=[code for low, high in _QUICK_RANGES for code in range(low, high + 1)]
    )
    font = TTFont(source, recalcTimestamp=False)
    try:
        subsetter.subset(font)
        target = folder / source.name
        font.save(target)
    finally:
        font.close()
    return target


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
