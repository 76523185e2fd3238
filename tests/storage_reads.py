"""Reads tests make of the counter's database to check the app's work: queries the app itself
never needs (it reaches invoices and bills by bill, number or page), so they live here."""

from __future__ import annotations

from sqlalchemy import select

from pos_app.domain.bill import Bill
from pos_app.domain.invoice import Invoice
from pos_app.storage import UnitOfWork
from pos_app.storage.models import BillRow, InvoiceRow
from pos_app.storage.repositories.invoices import invoice_from_row


def invoices_of(uow: UnitOfWork, terminal_id: str) -> list[Invoice]:
    """Every invoice of ``terminal_id``'s series, in sequence order."""
    query = select(InvoiceRow).where(InvoiceRow.terminal_id == terminal_id)
    rows = uow.session.scalars(query.order_by(InvoiceRow.sequence))
    return [invoice_from_row(row) for row in rows]


def bill_by_remote_id(uow: UnitOfWork, remote_id: int) -> Bill | None:
    """The local copy of the clinic server's bill ``remote_id``."""
    bill_id = uow.session.scalar(select(BillRow.id).where(BillRow.remote_id == remote_id))
    return None if bill_id is None else uow.bills.get(bill_id)
