"""The refund slip: its own number, the original invoice named, a line for the patient to sign;
the same words on the thermal printer and in the PDF (golden ESC/POS bytes)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from pos_app.domain.money import Money
from pos_app.printing import COLUMNS_80MM, encode_escpos, render_pdf, render_text
from pos_app.printing.document import ReceiptDocument
from pos_app.printing.receipt import InvoiceHeader
from pos_app.printing.refund_slip import RefundSlip, build_refund_slip
from tests.unit.printing.samples import ISSUED_AT
from tests.unit.printing.test_pdf import pdf_text

GOLDEN = Path(__file__).parent / "golden" / "refund_slip.escpos"
SCREENSHOT = Path(__file__).parents[3] / "docs" / "screenshots" / "refund-slip.png"
SLIP = RefundSlip(
    number="RF-01-000007",
    refunded_at=ISSUED_AT,
    bill_number="B-2025-0042",
    invoice_number="MAIN-01-000123",
    patient_name="Maria Santos",
    amount=Money(500_00),
    paid_with="QR Ph",
    channel="Bank transfer",
    reference="BDO-7731",
    reason="requested_by_customer",
    notes="Cleaning not done",
    given_by="Bea Staff",
)


def slip(header: InvoiceHeader, reprint: int = 0) -> ReceiptDocument:
    return build_refund_slip(header=header, slip=SLIP, reprint_number=reprint)


def test_the_slip_names_the_invoice_and_has_a_signature_line(vat_header: InvoiceHeader) -> None:
    text = render_text(slip(vat_header), width=COLUMNS_80MM)
    words = " ".join(text.split())
    assert "REFUND SLIP" in text
    assert "No. RF-01-000007" in text
    assert "Original invoice: MAIN-01-000123" in words
    assert "AMOUNT REFUNDED" in text
    assert "₱500.00" in text
    assert "Given back as: Bank transfer" in words
    assert "Reference: BDO-7731" in words
    assert "_" * 20 in text  # the line to sign on
    assert "Received by (signature over printed name)" in words
    assert "REPRINT" not in text


def test_thermal_bytes_match_the_golden_copy_and_the_pdf_says_the_same(
    vat_header: InvoiceHeader, tmp_path: Path
) -> None:
    document = slip(vat_header)
    escpos = encode_escpos(document)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_bytes(escpos)
    assert escpos == GOLDEN.read_bytes()
    pdf = render_pdf(document)
    text = pdf_text(pdf, tmp_path)
    for words in ("REFUND SLIP", "RF-01-000007", "MAIN-01-000123", "Maria Santos", "₱500.00"):
        assert words in text
    if os.environ.get("UPDATE_SCREENSHOTS"):
        _png(pdf, tmp_path)


def test_a_reprinted_slip_says_so(vat_header: InvoiceHeader) -> None:
    text = render_text(slip(vat_header, reprint=1), width=COLUMNS_80MM)
    assert "REPRINT No. 1" in text


def _png(pdf: bytes, tmp_path: Path) -> None:
    """docs/screenshots/refund-slip.png from the PDF (poppler's pdftoppm)."""
    tool = shutil.which("pdftoppm")
    assert tool is not None
    source = tmp_path / "slip.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [tool, "-png", "-r", "110", "-singlefile", str(source), str(tmp_path / "slip")], check=True
    )
    shutil.copyfile(tmp_path / "slip.png", SCREENSHOT)
