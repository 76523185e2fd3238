"""Golden files: the exact ESC/POS bytes and the PDF's text of every kind of invoice and of the
part-payment acknowledgement, so any change to what the patient takes home shows up in review.

Invoices: VAT and non-VAT × no discount, senior, PWD × one tender or a split tender × original or
REPRINT No. 2. Acknowledgements: VAT and non-VAT × original or REPRINT No. 1.

After a deliberate change to a document, regenerate them with ``make golden`` and read the diff
(``git diff tests/golden``) before committing it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from pos_app.domain.discount import DiscountKind, VatStatus, senior_pwd_discount
from pos_app.domain.money import Money
from pos_app.domain.tender import Tender, TenderMethod
from pos_app.printing import encode_escpos, render_pdf
from pos_app.printing.acknowledgement import PartPayment, build_acknowledgement
from pos_app.printing.document import ReceiptDocument
from pos_app.printing.receipt import build_invoice_receipt
from tests.unit.printing.samples import ISSUED_AT, cash, electronic, make_bill, make_header
from tests.unit.printing.samples import make_invoice as invoice_of
from tests.unit.printing.test_pdf import pdf_text

GOLDEN = Path(__file__).resolve().parents[2] / "golden"
UPDATE = os.environ.get("KAHA_UPDATE_GOLDEN") == "1"
GROSS = Money(112000)
SENIOR_PWD_IDS = {DiscountKind.SENIOR: "SC-2020-001234", DiscountKind.PWD: "PWD-NCR-0099"}


def _invoice(vat: VatStatus, kind: DiscountKind, split: bool, reprint: int) -> ReceiptDocument:
    discount = senior_pwd_discount(GROSS, vat) if kind is not DiscountKind.NONE else None
    due = GROSS if discount is None else discount.due
    tenders: list[Tender] = (
        [cash(Money(50000), Money(100000)), electronic(TenderMethod.GCASH, due - Money(50000))]
        if split
        else [cash(due, Money(200000))]
    )
    return build_invoice_receipt(
        header=make_header(vat),
        invoice=invoice_of(due),
        bill=make_bill(senior_pwd_id=SENIOR_PWD_IDS.get(kind), amount_due=due),
        tenders=tenders,
        cashier="Ana Reyes",
        discount=discount,
        discount_kind=None if discount is None else kind,
        reprint_number=reprint,
    )


def _acknowledgement(vat: VatStatus, reprint: int) -> ReceiptDocument:
    deposit = Tender(45, 7, TenderMethod.CASH, Money(50000), None, cash_tendered=Money(100000))
    return build_acknowledgement(
        header=make_header(vat),
        bill=make_bill(),
        payment=PartPayment.of([deposit], deposit, ISSUED_AT),
        cashier="Ana Reyes",
        reprint_number=reprint,
    )


def _cases() -> dict[str, Callable[[], ReceiptDocument]]:
    cases: dict[str, Callable[[], ReceiptDocument]] = {}
    for vat in VatStatus:
        tag = "vat" if vat is VatStatus.VAT else "nonvat"
        for kind in (DiscountKind.NONE, DiscountKind.SENIOR, DiscountKind.PWD):
            for split in (False, True):
                for reprint in (0, 2):
                    name = (
                        f"invoice-{tag}-{kind.value}-{'split' if split else 'cash'}"
                        f"-{'reprint2' if reprint else 'original'}"
                    )
                    cases[name] = partial(_invoice, vat, kind, split, reprint)
        for reprint in (0, 1):
            name = f"acknowledgement-{tag}-{'reprint1' if reprint else 'original'}"
            cases[name] = partial(_acknowledgement, vat, reprint)
    return cases


CASES = _cases()


def _check(path: Path, actual: bytes) -> None:
    if UPDATE:
        path.write_bytes(actual)
        return
    assert path.is_file(), f"{path.name} is missing: run `make golden`"
    expected = path.read_bytes()
    if actual != expected:
        at = next(
            (i for i, (a, b) in enumerate(zip(actual, expected, strict=False)) if a != b),
            min(len(actual), len(expected)),
        )
        pytest.fail(
            f"{path.name} differs from byte {at}: got {actual[max(0, at - 40) : at + 40]!r}, "
            f"golden {expected[max(0, at - 40) : at + 40]!r}. If the change is meant, "
            "run `make golden` and review `git diff tests/golden`."
        )


@pytest.mark.parametrize("name", sorted(CASES))
def test_escpos_bytes_match_the_golden_file(name: str) -> None:
    _check(GOLDEN / f"{name}.escpos", encode_escpos(CASES[name]()))


@pytest.mark.parametrize("name", sorted(CASES))
def test_pdf_text_matches_the_golden_file(name: str, tmp_path: Path) -> None:
    text = pdf_text(render_pdf(CASES[name]()), tmp_path)
    _check(GOLDEN / f"{name}.pdf.txt", text.encode("utf-8"))


def test_every_golden_file_belongs_to_a_case() -> None:
    expected = {f"{name}{suffix}" for name in CASES for suffix in (".escpos", ".pdf.txt")}
    on_disk = {path.name for path in GOLDEN.iterdir() if path.name != "README.md"}
    assert on_disk == expected
