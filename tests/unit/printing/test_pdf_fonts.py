"""Receipt PDFs draw with a cut-down copy of DejaVu for speed, and with the whole font when a
name has a letter the copy lacks; the page is cut to its content either way."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos_app.printing.document import ReceiptDocument, TextBlock
from pos_app.printing.pdf import render_pdf
from tests.unit.printing.test_pdf import page_size_mm, pdf_text


@pytest.mark.parametrize(
    "name",
    [
        "María José Peña-Ñuñez",  # Latin with accents: the cut-down fonts
        "Nguyễn Thị Ánh",  # Vietnamese vowels: outside the cut-down fonts, so the whole font
        "Юрий Гагарин",  # Cyrillic, likewise
        "Ελένη Παπαδοπούλου",  # Greek, likewise
    ],
)
def test_every_letter_of_a_name_is_printed(name: str, tmp_path: Path) -> None:
    document = ReceiptDocument((TextBlock(f"Sold to: {name}"), TextBlock("Total ₱1,120.00")))

    pdf = render_pdf(document)

    text = pdf_text(pdf, tmp_path)
    assert f"Sold to: {name}" in text
    assert "₱1,120.00" in text
    _, height = page_size_mm(pdf)
    assert height < 25
