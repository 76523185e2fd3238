"""Invoices on paper or PDF, built from a settlement.

Threading contract: ``preview_text`` is cheap and may run anywhere; ``print_invoice`` blocks on the
printer or the disk, so run it on a worker.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from pos_app.config import PrinterKind, Settings

if TYPE_CHECKING:  # printing loads with the first receipt, not with the window (~40 ms)
    from pos_app.printing import InvoiceHeader, ReceiptDocument
    from pos_app.services.collect.results import Settlement


class ReceiptService:
    def __init__(self, settings: Settings, *, cashier: str = "Front desk") -> None:
        self._settings = settings
        self._cashier = cashier

    @cached_property
    def _header(self) -> InvoiceHeader:
        from pos_app.printing import InvoiceHeader, PosIdentity

        settings = self._settings
        return InvoiceHeader.from_settings(
            settings,
            PosIdentity(
                permit_to_use_number=settings.permit_to_use_number,
                machine_id=settings.machine_id,
                serial_number=settings.machine_serial_number,
                accreditation_number=settings.accreditation_number,
            ),
        )

    def document(self, settlement: Settlement, *, reprint: bool = False) -> ReceiptDocument:
        from pos_app.printing import build_invoice_receipt

        return build_invoice_receipt(
            header=self._header,
            invoice=settlement.invoice,
            bill=settlement.bill,
            tenders=settlement.tenders,
            cashier=self._cashier,
            reprint=reprint,
        )

    def preview_text(self, settlement: Settlement) -> str:
        from pos_app.printing import COLUMNS_80MM, render_text

        return render_text(self.document(settlement), width=COLUMNS_80MM)

    def print_invoice(self, settlement: Settlement, *, reprint: bool = False) -> str:
        """Print (or save as PDF); returns where it went, in the receptionist's words."""
        from pos_app.printing import encode_escpos, save_pdf, send_to_printer

        document = self.document(settlement, reprint=reprint)
        kind = self._settings.printer_kind
        if kind is PrinterKind.PDF:
            folder = self._settings.data_dir / "receipts"
            suffix = "-reprint" if reprint else ""
            path = save_pdf(document, folder / f"{settlement.invoice.number}{suffix}.pdf")
            return f"Saved as PDF: {path}"
        send_to_printer(encode_escpos(document), kind, self._settings.printer_address)
        return "Sent to the receipt printer"

    @property
    def receipts_folder(self) -> Path:
        return self._settings.data_dir / "receipts"
