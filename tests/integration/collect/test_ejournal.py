"""The e-journal over a real database (SQLite and PostgreSQL): every printout copied in, in
order, as printed, by whom; read per day by staff only; never changed or deleted."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from pos_app.config import load_settings
from pos_app.domain.bill import BillStatus
from pos_app.domain.clock import FakeClock
from pos_app.domain.errors import PermissionDenied
from pos_app.domain.money import Money
from pos_app.printing import COLUMNS_80MM, PrinterError, build_refund_slip, render_text
from pos_app.services.access import AccessService, prepare_demo_people
from pos_app.services.collect import CollectService
from pos_app.services.collect.results import Settlement
from pos_app.services.journal import JournalService
from pos_app.services.receipts import ReceiptService
from pos_app.storage import Database
from pos_app.storage.repositories.journal import JournalEntry, JournalRepository
from tests.unit.printing.test_pdf import pdf_text


@pytest.fixture
def receipts(database: Database, tmp_path: Path) -> ReceiptService:
    settings = load_settings(
        {"POS_APP_DATA_DIR": str(tmp_path / "data"), "POS_APP_CONFIG_DIR": str(tmp_path / "cfg")}
    )
    return ReceiptService(settings, database=database, cashier="Ana Reyes")


def _journal(database: Database) -> list[JournalEntry]:
    with database.unit_of_work(read_only=True) as uow:
        return uow.journal.between(
            datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
        )


def _pending_bill(database: Database) -> int:
    with database.unit_of_work(read_only=True) as uow:
        rows = uow.bills.list_queue(BillStatus.PENDING, 50)
    return next(b.id for b in rows if b.amount_due.centavos > 100_00)


def _paid(collect: CollectService, database: Database) -> tuple[int, Settlement]:
    bill_id = _pending_bill(database)
    with database.unit_of_work(read_only=True) as uow:
        bill = uow.bills.get(bill_id)
    assert bill is not None
    paid = collect.pay_cash(bill_id, bill.balance, tendered=bill.balance)
    assert paid.settlement is not None
    return bill_id, paid.settlement


def _access(database: Database, name: str, pin: str) -> AccessService:
    prepare_demo_people(database, FakeClock(), sandbox=True)
    access = AccessService(database, FakeClock())
    access.sign_in(name, pin)
    return access


def test_every_printout_is_in_the_e_journal_in_order_as_printed(
    collect: CollectService, database: Database, receipts: ReceiptService
) -> None:
    bill_id = _pending_bill(database)
    deposit = collect.pay_cash(bill_id, Money(50_00), tendered=Money(100_00))
    acknowledgement = receipts.print_latest_acknowledgement(bill_id)
    rest = collect.pay_cash(bill_id, deposit.bill.balance, tendered=deposit.bill.balance)
    assert rest.settlement is not None
    number = rest.settlement.invoice.number
    receipts.print_invoice(rest.settlement)  # the original
    receipts.print_document(bill_id, number)  # REPRINT No. 1, from the bill history
    slip = build_refund_slip(  # another helper's document, through the same way out
        header=receipts._header,
        bill=rest.bill,
        amount=Money(10_00),
        method_label="Cash",
        reason="Overcharged",
        refunded_at=datetime(2026, 12, 7, 3, 0, tzinfo=UTC),
        processed_by="Joy Santos",
        reference="R-1",
    )
    receipts._output(slip, 0)

    entries = _journal(database)
    assert [(e.seq, e.kind, e.reprint_number) for e in entries] == [
        (1, "acknowledgement", 0),
        (2, "invoice", 0),
        (3, "invoice", 1),
        (4, "refund_slip", 0),
    ]
    assert [e.document_number for e in entries[1:3]] == [number, number]
    assert [e.person for e in entries] == ["Ana Reyes"] * 3 + ["Joy Santos"]
    assert "ACKNOWLEDGEMENT RECEIPT" in entries[0].text
    assert entries[0].document_number in acknowledgement
    assert "REPRINT" not in entries[1].text
    assert entries[2].text.count("*** REPRINT No. 1 ***") == 2
    assert entries[3].text == render_text(slip, width=COLUMNS_80MM)
    assert {e.terminal_id for e in entries} == {"01"}


def test_a_print_the_printer_refuses_is_still_in_the_journal_with_its_count(
    collect: CollectService, database: Database, tmp_path: Path
) -> None:
    settings = load_settings(
        {
            "POS_APP_DATA_DIR": str(tmp_path / "data"),
            "POS_APP_CONFIG_DIR": str(tmp_path / "cfg"),
            "POS_APP_PRINTER_KIND": "escpos_file",
            "POS_APP_PRINTER_ADDRESS": str(tmp_path / "no-such-folder" / "lp0"),
        }
    )
    receipts = ReceiptService(settings, database=database, cashier="Ana Reyes")
    bill_id, settlement = _paid(collect, database)

    with pytest.raises(PrinterError):
        receipts.print_invoice(settlement)

    (entry,) = _journal(database)
    assert (entry.kind, entry.reprint_number) == ("invoice", 0)
    assert receipts.history(bill_id).document(entry.document_number).reprint_count == 0


def test_the_journal_cannot_be_changed_or_emptied(
    collect: CollectService, database: Database, receipts: ReceiptService
) -> None:
    _, settlement = _paid(collect, database)
    receipts.print_invoice(settlement)
    (entry,) = _journal(database)

    # the repository offers adding and reading, nothing else
    verbs = {name for name in dir(JournalRepository) if not name.startswith("_")}
    assert verbs == {"append", "between"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.text = "edited"  # type: ignore[misc]
    # and the database itself refuses, whatever tool asks
    for statement in ("DELETE FROM e_journal", "UPDATE e_journal SET text = 'edited'"):
        with database.unit_of_work() as uow, pytest.raises(DBAPIError, match="never changed"):
            uow.session.execute(text(statement))
    assert _journal(database) == [entry]


def test_a_day_is_read_and_exported_by_staff_only(
    collect: CollectService, database: Database, receipts: ReceiptService, tmp_path: Path
) -> None:
    _, settlement = _paid(collect, database)
    receipts.print_invoice(settlement)
    receipts.print_invoice(settlement)
    (first, _) = _journal(database)
    day = first.printed_at.astimezone(ZoneInfo("Asia/Manila")).date()

    receptionist = JournalService(
        database, _access(database, "demo-receptionist", "9003"), terminal_id="01"
    )
    with pytest.raises(PermissionDenied):
        receptionist.day(day)
    staff = JournalService(
        database,
        _access(database, "demo-staff", "9002"),
        terminal_id="01",
        export_folder=tmp_path / "out",
    )
    journal = staff.day(day)
    other_day = staff.day(day.replace(year=day.year - 1))
    written = staff.export_day(day, pdf=False)
    pdf = staff.export_day(day, pdf=True)

    assert len(journal.entries) == 2
    assert other_day.entries == ()
    assert written.read_text(encoding="utf-8") == journal.text()
    assert f"#2  invoice  {first.document_number}  REPRINT 1" in journal.text()
    words = " ".join(pdf_text(pdf.read_bytes(), tmp_path).split())
    assert f"#1 invoice {first.document_number} original" in words
    assert "REPRINT No. 1" in words
