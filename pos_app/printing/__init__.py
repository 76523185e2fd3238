"""Receipts: the BIR invoice and the refund slip as printer-neutral documents, and their renderers.

``receipt`` builds a ``ReceiptDocument`` from domain objects; ``layout.render_text`` previews it,
``escpos.encode_escpos`` / ``escpos.send_to_printer`` print it on a thermal printer and
``pdf.render_pdf`` / ``pdf.save_pdf`` make a PDF. No Qt here (an import-linter contract says so).
"""

from pos_app.printing.document import ReceiptDocument
from pos_app.printing.escpos import PrinterError, encode_escpos, send_to_printer
from pos_app.printing.layout import COLUMNS_58MM, COLUMNS_80MM, render_text
from pos_app.printing.pdf import render_pdf, save_pdf
from pos_app.printing.receipt import (
    InvoiceHeader,
    PosIdentity,
    build_invoice_receipt,
    build_refund_slip,
)

__all__ = [
    "COLUMNS_58MM",
    "COLUMNS_80MM",
    "InvoiceHeader",
    "PosIdentity",
    "PrinterError",
    "ReceiptDocument",
    "build_invoice_receipt",
    "build_refund_slip",
    "encode_escpos",
    "render_pdf",
    "render_text",
    "save_pdf",
    "send_to_printer",
]
