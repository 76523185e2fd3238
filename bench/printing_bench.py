"""Printing an invoice: the document model to ESC/POS bytes and to a receipt PDF, and the copy the
e-journal keeps of it (its plain text on 80 mm paper, written in the print's transaction).

The invoice is the heaviest ordinary one: a VAT clinic, a senior citizen discount, a split tender
(cash with change plus GCash), marked REPRINT No. 2. Each step is timed over ``RUNS`` calls after
``WARM_UP`` (the first call pays for imports and font loading, once per counter).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bench.common import Figure, median, percentile
from pos_app.domain.bill import Bill, BillLine, BillStatus, Patient
from pos_app.domain.discount import DiscountKind, VatStatus, senior_pwd_discount
from pos_app.domain.invoice import Invoice
from pos_app.domain.money import Money
from pos_app.domain.tender import Tender, TenderMethod
from pos_app.printing import (
    COLUMNS_80MM,
    InvoiceHeader,
    PosIdentity,
    ReceiptDocument,
    build_invoice_receipt,
    encode_escpos,
    render_pdf,
    render_text,
)
from pos_app.storage import open_database

RUNS = 50
WARM_UP = 3
ESCPOS_TARGET_MS = 10.0
PDF_TARGET_MS = 100.0
AT = datetime(2026, 12, 7, 6, 30, tzinfo=UTC)


def _invoice() -> ReceiptDocument:
    lines = (
        BillLine("D1110", "Oral prophylaxis (cleaning)", 1, Money(80000)),
        BillLine("D2391", "Composite filling, one surface", 2, Money(16000)),
    )
    discount = senior_pwd_discount(Money(112000), VatStatus.VAT)
    bill = Bill(
        id=7,
        number="B-2026-0007",
        patient=Patient(11, "Maria", "Santos", senior_pwd_id="SC-2020-001234"),
        clinic_name="Dorotheo Dental Clinic",
        description="Cleaning and filling",
        lines=lines,
        amount_due=discount.due,
        amount_paid=discount.due,
        status=BillStatus.PAID,
        updated_at=AT,
    )
    header = InvoiceHeader(
        registered_name="Dorotheo Dental Clinic",
        tin="123-456-789-00000",
        address="2F Santos Bldg, 123 Rizal Ave, Sta. Cruz, Manila",
        vat_status=VatStatus.VAT,
        pos=PosIdentity("FP012025-123-0456789-00000", "25031412345678901", "SN-1", "045000123"),
    )
    return build_invoice_receipt(
        header=header,
        invoice=Invoice("MAIN-01-000123", "01", 123, 7, AT, discount.due),
        bill=bill,
        tenders=[
            Tender(1, 7, TenderMethod.CASH, Money(50000), None, cash_tendered=Money(100000)),
            Tender(2, 7, TenderMethod.GCASH, discount.due - Money(50000), "attempt-1"),
        ],
        cashier="Ana Reyes",
        discount=discount,
        discount_kind=DiscountKind.SENIOR,
        reprint_number=2,
    )


def _times_ms(step: Callable[[], object]) -> list[float]:
    return _wall_and_cpu_ms(step)[0]


def _wall_and_cpu_ms(step: Callable[[], object]) -> tuple[list[float], list[float]]:
    """Wall-clock and this process's CPU time per call, in ms (on a shared machine the gap
    between the two is time spent waiting for a core)."""
    for _ in range(WARM_UP):
        step()
    wall, cpu = [], []
    for _ in range(RUNS):
        started, started_cpu = time.perf_counter(), time.process_time()
        step()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def _journal_copy_ms(document: ReceiptDocument) -> list[float]:
    """The copy into the e-journal, on a SQLite file with the production pragmas."""
    with tempfile.TemporaryDirectory() as folder:
        database = open_database(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        try:

            def copy() -> None:
                with database.unit_of_work() as uow:
                    uow.journal.append(
                        terminal_id="01",
                        kind="invoice",
                        document_number=document.name,
                        reprint_number=2,
                        printed_at=AT,
                        person="Ana Reyes",
                        text=render_text(document, width=COLUMNS_80MM),
                    )
                    uow.commit()

            return _times_ms(copy)
        finally:
            database.dispose()


def run() -> list[Figure]:
    document = _invoice()
    escpos = _times_ms(lambda: encode_escpos(document))
    pdf, pdf_cpu = _wall_and_cpu_ms(lambda: render_pdf(document))
    reference = time.perf_counter()
    sum(range(10**7))
    reference_ms = (time.perf_counter() - reference) * 1000
    journal = _journal_copy_ms(document)
    note = f"senior, split tender, reprint; {RUNS} runs"
    return [
        Figure(
            "invoice to ESC/POS bytes (median)",
            median(escpos),
            "ms",
            f"< {ESCPOS_TARGET_MS:g} ms",
            median(escpos) < ESCPOS_TARGET_MS,
            note,
        ),
        Figure("invoice to ESC/POS bytes (p95)", percentile(escpos, 95), "ms"),
        Figure(
            "invoice to receipt PDF (median)",
            median(pdf),
            "ms",
            f"< {PDF_TARGET_MS:g} ms",
            median(pdf) < PDF_TARGET_MS,
            note,
        ),
        Figure("invoice to receipt PDF (p95)", percentile(pdf, 95), "ms"),
        Figure("invoice to receipt PDF, CPU time of this process (median)", median(pdf_cpu), "ms"),
        Figure(
            "e-journal copy of a print (median)",
            median(journal),
            "ms",
            note="text + one committed insert, synchronous=FULL",
        ),
        Figure("CPU reference: sum(range(10**7)) (compare runs with it)", reference_ms, "ms"),
    ]
