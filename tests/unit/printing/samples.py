"""Sample clinic, bills, invoices and tenders for the printing tests."""

from __future__ import annotations

from datetime import UTC, datetime

from pos_app.domain.bill import Bill, BillLine, BillStatus, Patient
from pos_app.domain.discount import VatStatus
from pos_app.domain.invoice import Invoice
from pos_app.domain.money import Money
from pos_app.domain.tender import Tender, TenderMethod
from pos_app.printing.receipt import InvoiceHeader, PosIdentity

ISSUED_AT = datetime(2025, 3, 14, 6, 30, tzinfo=UTC)  # 2:30 PM in Manila

POS = PosIdentity(
    permit_to_use_number="FP012025-123-0456789-00000",
    machine_id="25031412345678901",
    serial_number="KAHA-SN-0001",
    accreditation_number="0450001234567000012345",
)


def make_header(vat_status: VatStatus) -> InvoiceHeader:
    return InvoiceHeader(
        registered_name="Dorotheo Dental Clinic",
        trade_name="Dorotheo Dental Clinic - Main",
        tin="123-456-789-00000",
        address="2F Santos Bldg, 123 Rizal Ave, Sta. Cruz, Manila",
        vat_status=vat_status,
        pos=POS,
    )


def make_bill(*, senior_pwd_id: str | None = None, amount_due: Money | None = None) -> Bill:
    lines = (
        BillLine("D1110", "Oral prophylaxis (cleaning)", 1, Money.of_pesos(800)),
        BillLine("D2391", "Composite filling, one surface", 2, Money(16000)),
    )
    gross = Money.total(line.total for line in lines)  # ₱1,120.00
    return Bill(
        id=7,
        number="B-2025-0007",
        patient=Patient(11, "Maria", "Santos", senior_pwd_id=senior_pwd_id),
        clinic_name="Dorotheo Dental Clinic - Main",
        description="Cleaning and filling",
        lines=lines,
        amount_due=amount_due or gross,
        amount_paid=Money.ZERO,
        status=BillStatus.PENDING,
        updated_at=ISSUED_AT,
    )


def make_invoice(total: Money, number: str = "MAIN-01-000123") -> Invoice:
    return Invoice(
        number=number, terminal_id="01", sequence=123, bill_id=7, issued_at=ISSUED_AT, total=total
    )


def cash(amount: Money, tendered: Money | None = None) -> Tender:
    return Tender(None, 7, TenderMethod.CASH, amount, None, cash_tendered=tendered)


def electronic(method: TenderMethod, amount: Money) -> Tender:
    return Tender(None, 7, method, amount, "attempt-1")
