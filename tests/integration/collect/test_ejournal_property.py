"""Property: whatever is printed, in whatever order (originals, reprints from the history, part
payments' acknowledgements, documents other code prints), each printout is in the e-journal once,
in order, with its document number and its reprint count, and the journal's numbers never skip."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos_app.config import load_settings
from pos_app.domain.bill import BillStatus
from pos_app.domain.money import Money
from pos_app.printing import build_refund_slip
from pos_app.services.collect import CollectService
from pos_app.services.receipts import ReceiptService
from pos_app.storage import Database
from pos_app.storage.repositories.journal import JournalEntry

EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def _entries(database: Database) -> list[JournalEntry]:
    with database.unit_of_work(read_only=True) as uow:
        return uow.journal.between(*EVER)


def _pay_three_bills(collect: CollectService, database: Database) -> None:
    """One paid at once, one paid in two parts, one part paid: 2 invoices, 2 acknowledgements."""
    with database.unit_of_work(read_only=True) as uow:
        bills = [b for b in uow.bills.list_queue(BillStatus.PENDING, 50) if b.balance > Money(200)]
    whole, two_parts, part = bills[:3]
    collect.pay_cash(whole.id, whole.balance, tendered=whole.balance)
    collect.pay_cash(two_parts.id, Money(100), tendered=Money(100))
    collect.pay_cash(two_parts.id, two_parts.balance - Money(100), tendered=two_parts.balance)
    collect.pay_cash(part.id, Money(100), tendered=Money(100))


def test_every_printout_is_in_the_journal_once_in_order(
    collect: CollectService, database: Database, tmp_path: Path
) -> None:
    receipts = ReceiptService(
        load_settings(
            {
                "POS_APP_DATA_DIR": str(tmp_path / "data"),
                "POS_APP_CONFIG_DIR": str(tmp_path / "cfg"),
            }
        ),
        database=database,
        cashier="Ana Reyes",
    )
    _pay_three_bills(collect, database)
    with database.unit_of_work(read_only=True) as uow:
        paid_or_part = uow.bills.list_queue(BillStatus.PAID, 50) + uow.bills.list_queue(
            BillStatus.PARTIALLY_PAID, 50
        )
    documents = [
        (bill.id, document.name, document.kind.value)
        for bill in paid_or_part
        for document in receipts.history(bill.id).documents
    ]
    assert sorted(kind for _, _, kind in documents) == ["acknowledgement"] * 2 + ["invoice"] * 2
    printed_before: Counter[str] = Counter()
    slips = iter(range(1, 10_000))

    @settings(
        max_examples=10,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(st.lists(st.integers(0, len(documents)), min_size=1, max_size=5))
    def prints_in_order(picks: list[int]) -> None:
        before = _entries(database)
        expected: list[tuple[str, str, int]] = []
        for pick in picks:
            if pick == len(documents):  # a document another part of the counter prints
                reference = f"R-{next(slips)}"
                bill = receipts.history(documents[0][0]).bill
                receipts._output(
                    build_refund_slip(
                        header=receipts._header,
                        bill=bill,
                        amount=Money(100),
                        method_label="Cash",
                        reason="Overcharged",
                        refunded_at=EVER[0],
                        processed_by="Joy Santos",
                        reference=reference,
                    ),
                    0,
                )
                expected.append(("refund_slip", f"refund-{reference}", 0))
                continue
            bill_id, name, kind = documents[pick]
            receipts.print_document(bill_id, name)
            expected.append((kind, name, printed_before[name]))
            printed_before[name] += 1

        new = _entries(database)[len(before) :]
        assert [(e.kind, e.document_number, e.reprint_number) for e in new] == expected
        assert [e.seq for e in _entries(database)] == list(range(1, len(before) + len(new) + 1))
        assert all(e.text.count("REPRINT No.") == (2 if e.reprint_number else 0) for e in new)

    prints_in_order()
