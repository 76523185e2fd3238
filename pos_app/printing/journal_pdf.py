"""A day of the e-journal as an A4 PDF: each printout's text in a monospaced font, as printed.

The copies keep their 48-column till layout, so two columns of them fit side by side would be
hard to read; one column per page, in order, with a running header, is what an auditor reads.
DejaVu Sans Mono has "₱"; without it the PDF falls back to Courier and "PHP ".

Threading: pure apart from the file write in ``save_journal_pdf``; safe on any thread.
"""

from __future__ import annotations

from pathlib import Path

from pos_app.printing.layout import PESO_SIGN
from pos_app.printing.pdf import DEFAULT_FONT_DIR

__all__ = ["render_journal_pdf", "save_journal_pdf"]

_FONT_SIZE_PT = 8.0
_LINE_MM = 3.6
_MARGIN_MM = 15.0
_FAMILY = "JournalMono"


def render_journal_pdf(title: str, text: str, *, font_dir: Path = DEFAULT_FONT_DIR) -> bytes:
    """``text`` (lines as laid out) on A4 pages under ``title``, numbered "page N of M"."""
    from fpdf import FPDF

    class _Pages(FPDF):
        def header(self) -> None:
            self.set_font(family, "", _FONT_SIZE_PT)
            self.cell(0, _LINE_MM, printable(title), new_x="LMARGIN", new_y="NEXT")
            self.ln(_LINE_MM)

        def footer(self) -> None:
            self.set_y(-_MARGIN_MM + 4)
            self.set_font(family, "", _FONT_SIZE_PT)
            self.cell(0, _LINE_MM, f"page {self.page_no()} of {{nb}}", align="C")

    pdf = _Pages(unit="mm", format="A4")
    pdf.set_margins(_MARGIN_MM, _MARGIN_MM, _MARGIN_MM)
    pdf.set_auto_page_break(auto=True, margin=_MARGIN_MM)
    pdf.set_title(title)
    pdf.set_creator("Kaha")
    mono = font_dir / "DejaVuSansMono.ttf"
    if mono.is_file():
        pdf.add_font(_FAMILY, "", str(mono))
        family = _FAMILY

        def printable(line: str) -> str:
            return line

    else:
        family = "courier"

        def printable(line: str) -> str:
            return line.replace(PESO_SIGN, "PHP ").encode("latin-1", "replace").decode("latin-1")

    pdf.add_page()
    pdf.set_font(family, "", _FONT_SIZE_PT)
    for line in text.splitlines():
        pdf.cell(0, _LINE_MM, printable(line), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def save_journal_pdf(title: str, text: str, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_journal_pdf(title, text))
    return path
