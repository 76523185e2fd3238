"""Counted prints and the bill history over a real database: one original per document, every
later print a numbered REPRINT in the audit log; a part payment's acknowledgement receipt."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos_app.config import load_settings
from pos_app.domain.bill import BillStatus
from pos_app.domain.money import Money
from pos_app.services.collect import CollectService
from pos_app.services.collect.results import Settlement
from pos_app.services.documents import DocumentKind
from pos_app.services.receipts import ReceiptService
from pos_app.storage import Database
from pos_app.storage.repositories.audit_breaks import first_break
from tests.unit.printing.test_pdf import pdf_text


@pytest.fixture
def receipts(database: Database, tmp_path: Path) -> ReceiptService:
    settings = load_settings(
        {"POS_APP_DATA_DIR": str(tmp_path / "data"), "POS_APP_CONFIG_DIR": str(tmp_path / "cfg")}
    )
    return ReceiptService(settings, database=database, cashier="Ana Reyes")


def _pending_bill(database: Database) -> int:
    with database.unit_of_work(read_only=True) as uow:
        rows = uow.bills.list_queue(BillStatus.PENDING, 50)
    return next(b.id for b in rows if b.amount_due.centavos > 100_00)


def _paid_in_two(collect: CollectService, database: Database) -> Settlement:
    bill_id = _pending_bill(database)
    deposit = collect.pay_cash(bill_id, Money(50_00), tendered=Money(100_00))
    rest = collect.pay_cash(bill_id, deposit.bill.balance, tendered=deposit.bill.balance)
    assert rest.settlement is not None
    return rest.settlement


def _pdf(message: str) -> Path:
    return Path(message.split(": ", 1)[1])


def test_printing_twice_makes_one_original_then_numbered_reprints_in_the_audit_log(
    collect: CollectService, database: Database, receipts: ReceiptService, tmp_path: Path
) -> None:
    settlement = _paid_in_two(collect, database)
    number, bill_id = settlement.invoice.number, settlement.bill.id

    first = receipts.print_invoice(settlement)  # the Paid screen's Ctrl+P
    second = receipts.print_invoice(settlement)  # and again
    third = receipts.print_document(bill_id, number)  # from the bill history

    assert first.startswith("Saved as PDF")
    assert _pdf(first).name == f"{number}.pdf"
    assert second.startswith(f"REPRINT No. 1 of {number}")
    assert third.startswith(f"REPRINT No. 2 of {number}")
    assert "REPRINT" not in pdf_text(_pdf(first).read_bytes(), tmp_path)
    assert "REPRINT No. 1" in pdf_text(_pdf(second).read_bytes(), tmp_path)
    assert "REPRINT No. 2" in pdf_text(_pdf(third).read_bytes(), tmp_path)
    assert receipts.history(bill_id).document(number).reprint_count == 2
    with database.unit_of_work(read_only=True) as uow:
        prints = [e for e in uow.audit.entries() if e.subject == f"invoice:{number}"]
        assert first_break(uow.session) is None
    assert [(e.action, e.actor, e.details["reprint"]) for e in prints] == [
        ("print", "Ana Reyes", 0),
        ("reprint", "Ana Reyes", 1),
        ("reprint", "Ana Reyes", 2),
    ]


def test_a_part_payment_has_its_acknowledgement_and_the_history_shows_it_all(
    collect: CollectService, database: Database, receipts: ReceiptService, tmp_path: Path
) -> None:
    bill_id = _pending_bill(database)
    deposit = collect.pay_cash(bill_id, Money(50_00), tendered=Money(100_00))

    history = receipts.history(bill_id)
    assert history.invoice is None
    assert [t.amount for t, _ in history.tenders] == [Money(50_00)]
    (document,) = history.documents
    assert document.kind is DocumentKind.ACKNOWLEDGEMENT
    assert document.reprint_count is None
    text = pdf_text(_pdf(receipts.print_document(bill_id, document.name)).read_bytes(), tmp_path)
    words = " ".join(text.split())
    assert "ACKNOWLEDGEMENT RECEIPT" in words
    assert "THIS IS NOT AN INVOICE" in words
    assert "REPRINT" not in words
    assert f"Balance still due {deposit.bill.balance}" in words.replace(" .", "")

    rest = collect.pay_cash(bill_id, deposit.bill.balance, tendered=deposit.bill.balance)
    assert rest.settlement is not None
    history = receipts.history(bill_id)
    assert [d.kind for d in history.documents] == [
        DocumentKind.ACKNOWLEDGEMENT,  # the deposit's, already printed once
        DocumentKind.INVOICE,  # the whole bill, both tenders
    ]
    assert [d.reprint_count for d in history.documents] == [0, None]
    assert history.invoice == rest.settlement.invoice
    again = receipts.print_document(bill_id, document.name)
    assert again.startswith(f"REPRINT No. 1 of {document.name}")
