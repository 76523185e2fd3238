"""Reading a page of bills: repeated patients and lines are read once, each still checked."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pos_app.clinic.errors import ClinicBadAnswer
from pos_app.clinic.wire import parse_bill, parse_page


def _bill(bill_id: int, *, price: object = "1500.00", quantity: object = 1) -> dict[str, Any]:
    return {
        "id": bill_id,
        "patient": {"id": 51, "first_name": "Maria", "last_name": "Peña", "senior_pwd_id": None},
        "clinic": {"id": 1, "name": "Main"},
        "description": "Cleaning",
        "lines": [
            {"code": "PROPH", "description": "Cleaning", "quantity": quantity, "unit_price": price},
            {"code": "XRAY", "description": "X-ray", "quantity": 2, "unit_price": "600.50"},
        ],
        "amount": "2701.00",
        "status": "pending",
        "updated_at": f"2026-12-07T09:00:{bill_id:02d}.000001+08:00",
    }


def _page(*bills: dict[str, Any]) -> dict[str, Any]:
    return {"count": len(bills), "next": None, "previous": None, "results": list(bills)}


def test_a_page_reads_as_each_bill_alone() -> None:
    bills = [_bill(n) for n in range(1, 6)]
    page = parse_page(_page(*copy.deepcopy(bills)))
    alone = [parse_bill(bill) for bill in bills]
    assert [r.bill for r in page.bills] == [r.bill for r in alone]
    assert [r.cursor for r in page.bills] == [r.cursor for r in alone]
    assert page.bills[0].bill.lines[1].unit_price.centavos == 60050
    assert page.bills[3].bill.patient.last_name == "Peña"


@pytest.mark.parametrize(
    ("price", "quantity"), [("15.001", 1), (1500, 1), ("1500.00", -1), ("1500.00", [1])]
)
def test_a_bad_line_after_good_ones_is_still_refused(price: object, quantity: object) -> None:
    good = [_bill(n) for n in range(1, 4)]
    with pytest.raises(ClinicBadAnswer):
        parse_page(_page(*good, _bill(4, price=price, quantity=quantity)))
