"""Issue 15 acceptance: golden ESC/POS bytes and PDF text of the X-reading, the shift close and
the Z-reading. Set KAHA_UPDATE_GOLDEN=1 to write the files again after a deliberate change (and
read the diff: it is what the paper will say)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from pos_app.domain.discount import DiscountKind, VatStatus, senior_pwd_discount
from pos_app.domain.money import Money
from pos_app.domain.readings import (
    PeriodFacts,
    RefundFact,
    Sale,
    Shift,
    XReading,
    ZReading,
    cash_count,
    sales_figures,
    z_reading,
)
from pos_app.domain.tender import TenderMethod
from pos_app.printing import COLUMNS_80MM, encode_escpos, render_pdf, render_text
from pos_app.printing.document import ReceiptDocument
from pos_app.printing.readings import build_shift_close, build_x_reading, build_z_reading
from pos_app.printing.receipt import InvoiceHeader
from tests.unit.printing.samples import make_header
from tests.unit.printing.test_pdf import pdf_text

GOLDEN = Path(__file__).parent / "golden"
OPENED = datetime(2026, 12, 7, 0, 30, tzinfo=UTC)  # 08:30 AM in Manila
SENIOR = senior_pwd_discount(Money(112000), VatStatus.VAT)
PWD = senior_pwd_discount(Money(56000), VatStatus.VAT)
FACTS = PeriodFacts(
    sales=(
        Sale("MAIN-01-000101", 101, Money(150000), Money.ZERO),
        Sale("MAIN-01-000102", 102, SENIOR.due, SENIOR.savings, DiscountKind.SENIOR, SENIOR),
        Sale("MAIN-01-000103", 103, PWD.due, PWD.savings, DiscountKind.PWD, PWD),
        Sale("MAIN-01-000104", 104, Money(90000), Money(10000)),  # the clinic's own promo
    ),
    payments=(
        (TenderMethod.CASH, Money(150000)),
        (TenderMethod.QRPH, SENIOR.due),
        (TenderMethod.GCASH, PWD.due),
        (TenderMethod.CASH, Money(50000)),
        (TenderMethod.CARD, Money(40000)),
        (TenderMethod.CASH, Money(25000)),  # a deposit on a bill not yet invoiced
    ),
    refunds=(RefundFact("RF-01-000007", Money(20000)),),
)
SHIFT = Shift(7, "01", OPENED, "Ana Reyes", Money(200000))


def x_reading(vat: VatStatus) -> XReading:
    figures = sales_figures(FACTS, vat)
    now = OPENED + timedelta(hours=5)
    return XReading("01", SHIFT, now, "Ben Cruz", figures, cash_count(SHIFT.opening_float, figures))


def shift_close() -> XReading:
    figures = sales_figures(FACTS, VatStatus.VAT)
    closed_at = OPENED + timedelta(hours=9)
    shift = Shift(
        7, "01", OPENED, "Ana Reyes", Money(200000), closed_at, "Ana Reyes", Money(422000)
    )
    return XReading(
        "01",
        shift,
        closed_at,
        "Ana Reyes",
        figures,
        cash_count(Money(200000), figures, Money(422000)),
    )


def z(vat: VatStatus) -> ZReading:
    closed_at = OPENED + timedelta(hours=9)
    closed = Shift(
        7, "01", OPENED, "Ana Reyes", Money(200000), closed_at, "Ben Cruz", Money(422000)
    )
    return z_reading(
        terminal_id="01",
        business_date=date(2026, 12, 7),
        z_counter=41,
        period=(OPENED - timedelta(hours=1), closed_at + timedelta(minutes=10)),
        taken=(closed_at + timedelta(minutes=10), "Ben Cruz"),
        facts=FACTS,
        shifts=[closed],
        previous_grand_total=Money(12_345_678_90),
        vat_status=vat,
    )


def _golden(name: str, data: bytes) -> bytes:
    path = GOLDEN / name
    if os.environ.get("KAHA_UPDATE_GOLDEN") == "1":
        path.write_bytes(data)
    return path.read_bytes()


def _documents(header: InvoiceHeader) -> dict[str, ReceiptDocument]:
    vat = header.vat_status
    return {
        f"x-reading-{vat.value}": build_x_reading(header, x_reading(vat)),
        f"z-reading-{vat.value}": build_z_reading(header, z(vat)),
        f"z-reprint-{vat.value}": build_z_reading(header, z(vat), reprint_number=2),
        f"shift-close-{vat.value}": build_shift_close(header, shift_close()),
    }


@pytest.mark.parametrize("vat", list(VatStatus))
def test_escpos_bytes_and_pdf_text_match_the_golden_files(vat: VatStatus, tmp_path: Path) -> None:
    for name, document in _documents(make_header(vat)).items():
        escpos = encode_escpos(document, columns=COLUMNS_80MM)
        assert escpos == _golden(f"{name}.escpos", escpos), name
        text = pdf_text(render_pdf(document), tmp_path).encode()
        assert text == _golden(f"{name}.pdf.txt", text), name


def test_the_z_reading_shows_every_field_philippines_md_lists() -> None:
    text = render_text(build_z_reading(make_header(VatStatus.VAT), z(VatStatus.VAT)), COLUMNS_80MM)
    rows = {
        line.rsplit("₱", 1)[0].strip(" ."): line.rsplit("₱", 1)[-1] for line in text.split("\n")
    }
    for field in (
        "VAT REG TIN: 123-456-789-00000",
        "Accreditation No.: 0450001234567000012345",
        "PTU No.: FP012025-123-0456789-00000",
        "MIN: 25031412345678901",
        "S/N: KAHA-SN-0001",
        "Z counter: 41",
        "Reset counter: 41",
        "Beginning invoice No.: MAIN-01-000101",
        "Ending invoice No.: MAIN-01-000104",
        "Beginning void No.: (none)",
        "Ending void No.: (none)",
        "Beginning refund No.: RF-01-000007",
        "Ending refund No.: RF-01-000007",
    ):
        assert field in text, field
    assert rows["Previous"] == "12,345,678.90"
    assert rows["Present"] == "12,349,278.90"  # + net sales ₱3,600.00
    assert rows["Gross sales"] == "4,180.00"
    assert rows["Less: senior citizen discount"] == "200.00"
    assert rows["Less: PWD discount"] == "100.00"
    assert rows["Less: other discounts"] == "100.00"
    assert rows["Less: VAT of SC/PWD sales"] == "180.00"
    assert rows["Net sales"] == "3,600.00"
    assert rows["VATable sales"] == "2,142.86"
    assert rows["VAT amount (12%)"] == "257.14"
    assert rows["VAT-exempt sales"] == "1,200.00"
    assert rows["Zero-rated sales"] == "0.00"
    assert rows["Voids (0)"] == "0.00"
    assert rows["Refunds (1)"] == "200.00"
    assert rows["Cash"] == "2,250.00"
    assert rows["QR Ph"] == "800.00"
    assert rows["Cash expected"] == "4,250.00"
    assert rows["Cash counted"] == "4,220.00"
    assert rows["Difference: Short"] == "30.00"
