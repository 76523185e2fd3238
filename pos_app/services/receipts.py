"""Invoices and acknowledgement receipts on paper or PDF, built from a settlement or a bill's
history, each print counted: the first is the original, every later one a numbered REPRINT.

Every document leaves through ``_output`` (refund slips and readings too), which first copies it
into the e-journal (services.journal); a counted print writes its count, its audit entry and its
journal copy in one transaction, before the paper comes out.

The cashier printed is the person signed in at the counter (``access``), "Front desk" while
nobody is. A reprint needs ``Permission.REPRINT``, checked here with the print's count in one
transaction (``access.require_approved``); the audit row names both people after an override.
Without ``access`` (screens tried out with fakes) nothing is checked.

Threading contract: ``preview_text`` and ``document`` are cheap and may run anywhere (for a
discounted bill they read its senior/PWD record, one small query); the
``print_*`` methods and ``history`` block on the database and the printer or the disk, so run
them on a worker.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from pos_app.config import PrinterKind, Settings
from pos_app.domain.clock import Clock, SystemClock
from pos_app.domain.errors import NotFound
from pos_app.domain.roles import Permission

if TYPE_CHECKING:  # printing loads with the first receipt, not with the window (~40 ms)
    from pos_app.domain.bill import Bill
    from pos_app.printing import InvoiceHeader, ReceiptDocument
    from pos_app.printing.acknowledgement import PartPayment
    from pos_app.printing.refund_slip import RefundSlip
    from pos_app.services.access import AccessService
    from pos_app.services.collect.results import Settlement
    from pos_app.services.documents import BillHistory
    from pos_app.services.email_receipts import EmailReceipts
    from pos_app.storage import Database
    from pos_app.storage.unit_of_work import UnitOfWork

    _Build = Callable[[int], ReceiptDocument]  # a document from its reprint number


class ReceiptService:
    """Without a ``database`` (screens tried out with fakes) prints are counted in memory."""

    def __init__(
        self,
        settings: Settings,
        *,
        database: Database | None = None,
        cashier: str = "Front desk",
        clock: Clock | None = None,
        access: AccessService | None = None,
    ) -> None:
        self._settings = settings
        self._database = database
        self._access = access
        self._cashier = cashier
        self._clock = clock or SystemClock()
        self._counted_in_memory: dict[str, int] = {}
        self._emails: EmailReceipts | None = None

    def use_access(self, access: AccessService) -> None:
        """Who is signed in, once start-up has made the access service (set once)."""
        self._access = access

    @property
    def cashier(self) -> str:
        """The name printed as cashier: the person signed in now."""
        name = None if self._access is None else self._access.actor_name()
        return name or self._cashier

    def use_email(self, emails: EmailReceipts | None) -> None:
        """Email receipts, when the clinic turned them on (services.email_receipts; set once)."""
        self._emails = emails

    def adopt(self, built: ReceiptService) -> None:
        """The window's receipts made before start-up opened the books: take the built one's
        database, folder (the practice folder in sandbox mode) and email (set once)."""
        self._settings = built._settings
        self._database = built._database
        self._emails = built._emails

    @property
    def can_email(self) -> bool:
        return self._emails is not None

    def email_invoice(self, settlement: Settlement, address: str) -> str:
        """Queue the invoice's PDF for ``address`` (blocks on the database: call it on a
        worker); the mail goes in the background. Returns what the receptionist is told."""
        if self._emails is None:
            raise NotFound("Email receipts are off: see docs/email-receipts.md to turn them on.")
        invoice = settlement.invoice
        return self._emails.queue(invoice.bill_id, invoice.number, address)

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

    @property
    def header(self) -> InvoiceHeader:
        """The seller's details and the terminal's registration, as every document prints them."""
        return self._header

    def print_reading(self, document: ReceiptDocument, *, reprint_number: int = 0) -> str:
        """Print an X-reading, shift close or Z-reading (counted by the reading service)."""
        return self._output(document, reprint_number)

    def document(self, settlement: Settlement, *, reprint_number: int = 0) -> ReceiptDocument:
        """The invoice; a bill with a discount reads its senior/PWD record (a small query)."""
        from pos_app.printing import build_invoice_receipt

        bill, discount, kind = settlement.bill, None, None
        if not bill.discount.is_zero and self._database is not None:
            from pos_app.services.discounts import applied_to, with_id_on_patient

            applied = applied_to(self._database, bill.id)
            if applied is not None:
                bill = with_id_on_patient(bill, applied)
                discount, kind = applied.result, applied.card.kind
        return build_invoice_receipt(
            header=self._header,
            invoice=settlement.invoice,
            bill=bill,
            tenders=settlement.tenders,
            cashier=self.cashier,
            discount=discount,
            discount_kind=kind,
            reprint_number=reprint_number,
        )

    def acknowledgement(
        self, bill: Bill, payment: PartPayment, *, reprint_number: int = 0
    ) -> ReceiptDocument:
        from pos_app.printing.acknowledgement import build_acknowledgement

        return build_acknowledgement(
            header=self._header,
            bill=bill,
            payment=payment,
            cashier=self.cashier,
            reprint_number=reprint_number,
        )

    def preview_text(self, settlement: Settlement) -> str:
        from pos_app.printing import COLUMNS_80MM, render_text

        return render_text(self.document(settlement), width=COLUMNS_80MM)

    def print_invoice(self, settlement: Settlement) -> str:
        """Print (or save as PDF) the settlement's invoice: the original the first time, a
        numbered REPRINT after; returns what happened, in the receptionist's words."""
        invoice = settlement.invoice

        def build(number: int) -> ReceiptDocument:
            return self.document(settlement, reprint_number=number)

        return self._print_counted(invoice.number, "invoice", invoice.bill_id, build)

    def history(self, bill_id: int) -> BillHistory:
        """The bill's tenders, invoice, refunds and documents (blocks on the database)."""
        from pos_app.services.documents import bill_history

        if self._database is None:
            raise NotFound("Bill history needs the counter's database.")
        return bill_history(self._database, bill_id)

    def print_document(self, bill_id: int, name: str) -> str:
        """Print the bill's document ``name`` (invoice or acknowledgement) from its history."""
        from pos_app.services.collect.results import Settlement
        from pos_app.services.documents import DocumentKind

        history = self.history(bill_id)
        document = history.document(name)
        if document.kind is DocumentKind.INVOICE:
            assert history.invoice is not None
            tenders = tuple(tender for tender, _ in history.tenders)
            return self.print_invoice(Settlement(history.bill, history.invoice, tenders))
        payment = history.part_payment(name)
        if payment is None:
            raise NotFound(f"Bill {history.bill.number} has no part payment {name}.")
        return self.print_acknowledgement(history.bill, payment)

    def print_latest_acknowledgement(self, bill_id: int) -> str:
        """The part-paid screen's Print: the bill's last part payment's acknowledgement."""
        from pos_app.services.documents import DocumentKind

        history = self.history(bill_id)
        names = [d.name for d in history.documents if d.kind is DocumentKind.ACKNOWLEDGEMENT]
        if not names:
            raise NotFound(f"Bill {history.bill.number} has no part payment to acknowledge.")
        return self.print_document(bill_id, names[-1])

    def print_acknowledgement(self, bill: Bill, payment: PartPayment) -> str:
        """Print a part payment's acknowledgement receipt, counted like an invoice."""

        def build(number: int) -> ReceiptDocument:
            return self.acknowledgement(bill, payment, reprint_number=number)

        return self._print_counted(payment.number, "acknowledgement", bill.id, build)

    def _print_counted(self, name: str, kind: str, bill_id: int, build: _Build) -> str:
        """Count the print of ``name``, build it with its reprint number, copy it into the
        e-journal (one transaction), then print it."""
        if self._database is None:
            number = self._count(name, kind, bill_id)
            return self._output(build(number), number, kind=kind)
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            number = self._count_in(uow, name, kind, bill_id, now)
            document = build(number)
            self._journal_in(uow, document, number, kind, now)
            uow.commit()
        return self._send(document, number)

    def refund_slip(self, slip: RefundSlip, *, reprint_number: int = 0) -> ReceiptDocument:
        from pos_app.printing.refund_slip import build_refund_slip

        return build_refund_slip(header=self._header, slip=slip, reprint_number=reprint_number)

    def print_refund_slip(self, slip: RefundSlip, bill_id: int) -> str:
        """Print a manual refund's slip for the patient to sign, counted like an invoice (the
        first is the original, later ones REPRINT); the same output path as every document."""
        number = self._count(slip.number, "refund_slip", bill_id)
        return self._output(self.refund_slip(slip, reprint_number=number), number)

    def _count(self, name: str, kind: str, bill_id: int) -> int:
        """Count a print before it leaves (0: the original); reprints go in the audit log."""
        if self._database is None:
            number = self._counted_in_memory.get(name, -1) + 1
            self._counted_in_memory[name] = number
            return number
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            number = self._count_in(uow, name, kind, bill_id, now)
            uow.commit()
        return number

    def _count_in(self, uow: UnitOfWork, name: str, kind: str, bill_id: int, now: datetime) -> int:
        number = uow.documents.record_print(name=name, kind=kind, bill_id=bill_id, at=now)
        approver = None
        if number and self._access is not None:  # refused: nothing counted, nothing sent
            approver = self._access.require_approved(Permission.REPRINT).approver_name
        uow.audit.append(
            at=now,
            actor=self.cashier,
            action="reprint" if number else "print",
            subject=f"{kind}:{name}",
            approver=approver,
            details={"bill_id": bill_id, "reprint": number},
        )
        return number

    def _journal_in(
        self,
        uow: UnitOfWork,
        document: ReceiptDocument,
        number: int,
        kind: str | None,
        now: datetime,
    ) -> None:
        from pos_app.services.journal import record_printout

        record_printout(
            uow,
            document,
            reprint_number=number,
            terminal_id=self._settings.terminal_id,
            at=now,
            kind=kind,
            person=self.cashier,
        )

    def _output(
        self, document: ReceiptDocument, reprint_number: int, *, kind: str | None = None
    ) -> str:
        """The one way out for a document counted elsewhere or not at all (a refund slip, a
        reading): copied into the e-journal in its own transaction, then printed. ``kind``
        defaults to the document's title ("REFUND SLIP" -> "refund_slip")."""
        if self._database is not None:
            now = self._clock.now()
            with self._database.unit_of_work() as uow:
                self._journal_in(uow, document, reprint_number, kind, now)
                uow.commit()
        return self._send(document, reprint_number)

    def _send(self, document: ReceiptDocument, reprint_number: int) -> str:
        """To the printer or a PDF; only after the document is in the e-journal."""
        from pos_app.printing import encode_escpos, save_pdf, send_to_printer

        kind = self._settings.printer_kind
        what = f"REPRINT No. {reprint_number} of {document.name}. " if reprint_number else ""
        if kind is PrinterKind.PDF:
            suffix = f"-reprint-{reprint_number}" if reprint_number else ""
            path = save_pdf(document, self.receipts_folder / f"{document.name}{suffix}.pdf")
            return f"{what}Saved as PDF: {path}"
        send_to_printer(encode_escpos(document), kind, self._settings.printer_address)
        return f"{what}Sent to the receipt printer"

    @property
    def receipts_folder(self) -> Path:
        return self._settings.data_dir / "receipts"
