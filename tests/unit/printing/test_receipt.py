"""The invoice and the refund slip carry every element the BIR and the clinic need."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from pos_app.config import Settings, VatRegistration
from pos_app.domain.discount import DiscountKind, VatStatus, no_discount, senior_pwd_discount
from pos_app.domain.money import Money
from pos_app.domain.tender import TenderMethod
from pos_app.printing.document import ReceiptDocument, TextBlock, TextSize
from pos_app.printing.layout import COLUMNS_80MM, render_text
from pos_app.printing.receipt import (
    NON_VAT_NOTICE,
    InvoiceHeader,
    build_invoice_receipt,
    build_refund_slip,
    vat_breakdown,
)
from tests.unit.printing.samples import POS, cash, electronic, make_bill, make_invoice

GROSS = Money(112000)


def flat_text(document: ReceiptDocument) -> str:
    """The receipt as one line of single-spaced words, so wrapping does not matter."""
    return " ".join(render_text(document, COLUMNS_80MM).split())


def plain_invoice(header: InvoiceHeader, *, reprint: bool = False) -> ReceiptDocument:
    return build_invoice_receipt(
        header=header,
        invoice=make_invoice(GROSS),
        bill=make_bill(),
        tenders=[cash(GROSS, Money(150000))],
        cashier="Ana Reyes",
        reprint=reprint,
    )


def test_vat_invoice_shows_every_required_element(vat_header: InvoiceHeader) -> None:
    text = flat_text(plain_invoice(vat_header))

    for expected in (
        "INVOICE",
        "DOROTHEO DENTAL CLINIC",
        "VAT REG TIN: 123-456-789-00000",
        "2F Santos Bldg, 123 Rizal Ave, Sta. Cruz, Manila",
        "MAIN-01-000123",
        "Date: 2025-03-14 02:30 PM",
        "Oral prophylaxis (cleaning) 1 x ₱800.00 ₱800.00",
        "Composite filling, one surface 2 x ₱160.00 ₱320.00",
        "TOTAL AMOUNT DUE ₱1,120.00",
        "VATable sales ₱1,000.00",
        "VAT-exempt sales ₱0.00",
        "Zero-rated sales ₱0.00",
        "VAT amount (12%) ₱120.00",
        "Sold to: Maria Santos",
        "Cashier: Ana Reyes",
        f"PTU No.: {POS.permit_to_use_number}",
        f"MIN: {POS.machine_id}",
        f"S/N: {POS.serial_number}",
        f"Accreditation No.: {POS.accreditation_number}",
    ):
        assert expected in text, expected
    assert NON_VAT_NOTICE not in text
    assert "NON-VAT" not in text
    assert "REPRINT" not in text


def test_non_vat_invoice_says_not_valid_for_input_tax(non_vat_header: InvoiceHeader) -> None:
    text = flat_text(plain_invoice(non_vat_header))

    assert "NON-VAT REG TIN: 123-456-789-00000" in text
    assert NON_VAT_NOTICE in text
    assert "VATable" not in text
    assert "VAT amount" not in text
    assert "TOTAL AMOUNT DUE ₱1,120.00" in text


def test_invoice_number_is_printed_large_and_bold(vat_header: InvoiceHeader) -> None:
    document = plain_invoice(vat_header)

    number_blocks = [b for b in document if isinstance(b, TextBlock) and b.text == "MAIN-01-000123"]
    assert len(number_blocks) == 1
    assert number_blocks[0].size is TextSize.LARGE
    assert number_blocks[0].bold
    assert document.name == "MAIN-01-000123"


def test_reprint_is_marked_at_top_and_bottom(vat_header: InvoiceHeader) -> None:
    lines = [
        line.strip()
        for line in render_text(plain_invoice(vat_header, reprint=True), 32).split("\n")
    ]
    printed = [line for line in lines if line]

    assert "REPRINT" in printed[0]
    assert "REPRINT" in printed[-1]


def test_vat_senior_discount_shows_id_exemption_and_discount(vat_header: InvoiceHeader) -> None:
    discount = senior_pwd_discount(GROSS, VatStatus.VAT)
    document = build_invoice_receipt(
        header=vat_header,
        invoice=make_invoice(discount.due),
        bill=make_bill(senior_pwd_id="SC-2020-001234", amount_due=discount.due),
        tenders=[cash(discount.due)],
        cashier="Ana Reyes",
        discount=discount,
        discount_kind=DiscountKind.SENIOR,
    )
    text = flat_text(document)

    for expected in (
        "Senior citizen ID No.: SC-2020-001234",
        "SC/PWD signature",
        "Gross amount ₱1,120.00",
        "Less: VAT (SC/PWD) ₱120.00",
        "Less: SC/PWD disc. 20% ₱200.00",
        "TOTAL AMOUNT DUE ₱800.00",
        "VATable sales ₱0.00",
        "VAT-exempt sales ₱1,000.00",
        "VAT amount (12%) ₱0.00",
    ):
        assert expected in text, expected


def test_non_vat_pwd_discount_without_kind_is_recognised(non_vat_header: InvoiceHeader) -> None:
    discount = senior_pwd_discount(GROSS, VatStatus.NON_VAT)
    text = flat_text(
        build_invoice_receipt(
            header=non_vat_header,
            invoice=make_invoice(discount.due),
            bill=make_bill(senior_pwd_id="PWD-NCR-778899"),
            tenders=[electronic(TenderMethod.QRPH, discount.due)],
            cashier="Ana Reyes",
            discount=discount,
        )
    )

    assert "SC/PWD ID No.: PWD-NCR-778899" in text
    assert "Less: SC/PWD disc. 20% ₱224.00" in text
    assert "TOTAL AMOUNT DUE ₱896.00" in text
    assert "Less: VAT" not in text


def test_promo_discount_is_not_presented_as_senior_pwd(vat_header: InvoiceHeader) -> None:
    promo = no_discount(GROSS)  # a zero promo still must not print the SC/PWD lines
    text = flat_text(
        build_invoice_receipt(
            header=vat_header,
            invoice=make_invoice(GROSS),
            bill=make_bill(),
            tenders=[cash(GROSS)],
            cashier="Ana Reyes",
            discount=promo,
            discount_kind=DiscountKind.PROMO,
        )
    )

    assert "SC/PWD" not in text
    assert "Less: promo discount ₱0.00" in text
    assert "VATable sales ₱1,000.00" in text


def test_split_tender_lists_each_method_and_cash_change(vat_header: InvoiceHeader) -> None:
    text = flat_text(
        build_invoice_receipt(
            header=vat_header,
            invoice=make_invoice(GROSS),
            bill=make_bill(),
            tenders=[
                cash(Money(50000), Money(100000)),
                electronic(TenderMethod.GCASH, Money(40000)),
                electronic(TenderMethod.CARD, Money(22000)),
            ],
            cashier="Ana Reyes",
        )
    )

    assert "Cash ₱500.00 Cash received ₱1,000.00 Change ₱500.00" in text
    assert "GCash ₱400.00" in text
    assert "Card ₱220.00" in text
    assert "Total paid ₱1,120.00" in text
    assert "Balance still due" not in text


def test_part_payment_shows_the_balance_still_due(vat_header: InvoiceHeader) -> None:
    text = flat_text(
        build_invoice_receipt(
            header=vat_header,
            invoice=make_invoice(GROSS),
            bill=make_bill(),
            tenders=[electronic(TenderMethod.PAYMAYA, Money(20000))],
            cashier="Ana Reyes",
        )
    )

    assert "Maya ₱200.00" in text
    assert "Balance still due ₱920.00" in text


def test_vat_breakdown_is_exact_and_rounds_half_up() -> None:
    assert vat_breakdown(Money(112000), 12) == (Money(100000), Money(12000))
    # 1.00 / 1.12 = 0.892857...: the sale rounds up to 0.89, VAT takes the rest.
    assert vat_breakdown(Money(100), 12) == (Money(89), Money(11))
    for centavos in range(0, 5000, 7):
        vatable, vat = vat_breakdown(Money(centavos), 12)
        assert vatable + vat == Money(centavos)


def test_header_from_settings_uses_the_clinic_identity(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        config_dir=tmp_path,
        clinic_registered_name="Dorotheo Dental Clinic",
        clinic_name="Dorotheo Dental Clinic",
        clinic_tin="111-222-333-00000",
        clinic_address="Quezon City",
        vat_registration=VatRegistration.VAT,
    )

    header = InvoiceHeader.from_settings(settings, POS)

    assert header.vat_status is VatStatus.VAT
    assert header.is_vat_registered
    assert header.tin == "111-222-333-00000"
    assert header.trade_name == ""  # same as the registered name: not printed twice


def test_refund_slip_has_amount_method_reason_and_signature_line(
    non_vat_header: InvoiceHeader,
) -> None:
    document = build_refund_slip(
        header=non_vat_header,
        bill=make_bill(),
        amount=Money(50000),
        method_label="Cash",
        reason="Filling postponed by the dentist",
        refunded_at=datetime(2025, 3, 15, 1, 0, tzinfo=UTC),
        processed_by="Ana Reyes",
        approved_by="Dr. Dorotheo",
        reference="RF-3f2a91",
        invoice_number="MAIN-01-000123",
    )
    text = flat_text(document)
    lines = render_text(document, 32).split("\n")

    for expected in (
        "REFUND SLIP",
        "Ref: RF-3f2a91",
        "Date: 2025-03-15 09:00 AM",
        "Invoice refunded: MAIN-01-000123",
        "Patient: Maria Santos",
        "AMOUNT REFUNDED ₱500.00",
        "Paid back by: Cash",
        "Reason: Filling postponed by the dentist",
        "Processed by: Ana Reyes",
        "Approved by: Dr. Dorotheo",
        "Signature over printed name: Maria Santos",
        "This slip is not an invoice.",
    ):
        assert expected in text, expected
    assert "_" * 32 in lines  # the line the patient signs on
    assert document.name == "refund-RF-3f2a91"
