"""Receipt PDFs: valid, receipt-shaped, with the peso sign when the font has it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pos_app.domain.money import Money
from pos_app.printing.document import QrBlock, ReceiptDocument, TextBlock
from pos_app.printing.pdf import PAGE_WIDTH_MM, render_pdf, save_pdf
from pos_app.printing.receipt import InvoiceHeader, build_invoice_receipt
from tests.unit.printing.samples import cash, make_bill, make_invoice

MM_PER_POINT = 25.4 / 72


@pytest.fixture
def invoice(vat_header: InvoiceHeader) -> ReceiptDocument:
    return build_invoice_receipt(
        header=vat_header,
        invoice=make_invoice(Money(112000)),
        bill=make_bill(senior_pwd_id="SC-2020-001234"),
        tenders=[cash(Money(112000), Money(150000))],
        cashier="Ana Reyes",
        reprint=True,
    )


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext (poppler-utils) is needed: apt-get install poppler-utils"
    source = tmp_path / "receipt.pdf"
    source.write_bytes(pdf)
    return subprocess.run(
        [pdftotext, "-layout", str(source), "-"], check=True, capture_output=True, text=True
    ).stdout


def page_size_mm(pdf: bytes) -> tuple[float, float]:
    match = re.search(rb"/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]", pdf)
    assert match is not None
    return float(match[1]) * MM_PER_POINT, float(match[2]) * MM_PER_POINT


def test_pdf_is_valid_and_shows_number_and_peso_sign(
    invoice: ReceiptDocument, tmp_path: Path
) -> None:
    pdf = render_pdf(invoice)
    text = pdf_text(pdf, tmp_path)

    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert "MAIN-01-000123" in text
    assert "₱1,120.00" in text
    assert "INVOICE" in text
    assert "REPRINT" in text


def test_page_is_80mm_wide_and_as_tall_as_its_content(invoice: ReceiptDocument) -> None:
    width, height = page_size_mm(render_pdf(invoice))
    short_width, short_height = page_size_mm(render_pdf(ReceiptDocument((TextBlock("Hello"),))))

    assert width == pytest.approx(PAGE_WIDTH_MM, abs=0.1)
    assert short_width == pytest.approx(PAGE_WIDTH_MM, abs=0.1)
    assert short_height < 20
    assert 150 < height < 400


def test_missing_font_falls_back_to_php(invoice: ReceiptDocument, tmp_path: Path) -> None:
    pdf = render_pdf(invoice, font_dir=tmp_path / "no-fonts")
    text = pdf_text(pdf, tmp_path)

    assert pdf.startswith(b"%PDF-")
    assert "PHP 1,120.00" in text
    assert "₱" not in text


def test_qr_code_is_drawn_as_an_image() -> None:
    pdf = render_pdf(ReceiptDocument((QrBlock("00020101021228", caption="Scan with any app"),)))

    assert b"/Subtype /Image" in pdf


def test_save_pdf_creates_folders_and_writes_the_file(
    invoice: ReceiptDocument, tmp_path: Path
) -> None:
    target = tmp_path / "receipts" / "2025" / "MAIN-01-000123.pdf"

    written = save_pdf(invoice, target)

    assert written == target
    assert target.read_bytes().startswith(b"%PDF-")
