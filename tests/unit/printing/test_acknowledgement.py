"""The part payment's document: an acknowledgement receipt that says it is not an invoice."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos_app.domain.money import Money
from pos_app.domain.tender import Tender, TenderMethod
from pos_app.printing import COLUMNS_80MM, encode_escpos, render_pdf, render_text
from pos_app.printing.acknowledgement import PartPayment, build_acknowledgement
from pos_app.printing.document import ReceiptDocument
from pos_app.printing.receipt import InvoiceHeader
from tests.unit.printing.samples import ISSUED_AT, make_bill
from tests.unit.printing.test_pdf import pdf_text

DEPOSIT = Tender(45, 7, TenderMethod.CASH, Money(50000), None, cash_tendered=Money(100000))
SECOND = Tender(46, 7, TenderMethod.GCASH, Money(20000), "attempt-2")


def acknowledgement(header: InvoiceHeader, tender: Tender, reprint: int = 0) -> ReceiptDocument:
    payment = PartPayment.of([DEPOSIT, SECOND], tender, ISSUED_AT)
    return build_acknowledgement(
        header=header,
        bill=make_bill(),
        payment=payment,
        cashier="Ana Reyes",
        reprint_number=reprint,
    )


def test_a_deposit_gets_an_acknowledgement_that_is_not_an_invoice(
    vat_header: InvoiceHeader,
) -> None:
    text = render_text(acknowledgement(vat_header, DEPOSIT), width=COLUMNS_80MM)
    lines = [line.strip() for line in text.split("\n")]

    assert "ACKNOWLEDGEMENT RECEIPT" in text
    assert lines.count("THIS IS NOT AN INVOICE") == 2  # under the title and at the foot
    words = " ".join(text.split())  # as read, whatever the wrapping
    assert "THIS DOCUMENT IS NOT VALID FOR CLAIM OF INPUT TAX" in words
    assert "The invoice for the whole bill is issued when it is fully paid." in words
    assert "No. AR-000045" in text
    assert "Invoice No." not in text
    assert "VATable" not in text
    assert "Date: 2025-03-14 02:30 PM" in text
    assert "Received from: Maria Santos" in text
    assert "Cashier: Ana Reyes" in text
    assert _row(lines, "Received (Cash)") == "₱500.00"
    assert _row(lines, "Cash received") == "₱1,000.00"
    assert _row(lines, "Change") == "₱500.00"
    assert _row(lines, "Bill amount") == "₱1,120.00"
    assert _row(lines, "Paid before") == "₱0.00"
    assert _row(lines, "Balance still due") == "₱620.00"
    assert "MIN: 25031412345678901" in text
    assert "REPRINT" not in text


def test_the_second_part_payment_counts_the_first(non_vat_header: InvoiceHeader) -> None:
    text = render_text(acknowledgement(non_vat_header, SECOND, reprint=2), width=COLUMNS_80MM)
    lines = [line.strip() for line in text.split("\n")]

    assert "No. AR-000046" in text
    assert _row(lines, "Received (GCash)") == "₱200.00"
    assert _row(lines, "Paid before") == "₱500.00"
    assert _row(lines, "Paid so far") == "₱700.00"
    assert _row(lines, "Balance still due") == "₱420.00"
    assert "NON-VAT REG TIN" in text
    assert lines.count("*** REPRINT No. 2 ***") == 2  # top and bottom


def test_thermal_bytes_and_pdf_carry_the_same_words(
    vat_header: InvoiceHeader, tmp_path: Path
) -> None:
    document = acknowledgement(vat_header, DEPOSIT, reprint=1)
    escpos = encode_escpos(document)
    pdf = pdf_text(render_pdf(document), tmp_path)

    for words in ("ACKNOWLEDGEMENT", "THIS IS NOT AN INVOICE", "AR-000045", "REPRINT No. 1"):
        assert words.encode() in escpos
        assert words in pdf
    assert "₱620.00" in pdf


def _row(lines: list[str], label: str) -> str:
    for line in lines:
        if line.startswith(label):
            return line.removeprefix(label).strip(" .")
    pytest.fail(f"no row {label!r}")
