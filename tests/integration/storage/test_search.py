"""Bill search: any word prefix of the patient's name or the bill number, case-insensitive."""

from __future__ import annotations

import pytest

from pos_app.domain.bill import BillStatus, BillSummary
from pos_app.storage import Database
from pos_app.storage.repositories import bill_search
from pos_app.storage.search import prefix_upper_bound, query_words, tokens_for
from tests.integration.storage.conftest import T0, make_bill, minutes

PEOPLE = [
    ("B-000812", "Maria", "Santos", BillStatus.PENDING),
    ("B-000813", "Jose", "Dela Cruz", BillStatus.PENDING),
    ("B-000814", "Ana", "Peña", BillStatus.PAID),
    ("B-001812", "Mario", "Santiago", BillStatus.PENDING),
    ("W-000007", "Liza", "Cruz-Santos", BillStatus.PARTIALLY_PAID),
]


@pytest.fixture
def searchable(db: Database) -> Database:
    with db.unit_of_work() as uow:
        for index, (number, first, last, status) in enumerate(PEOPLE):
            uow.bills.add(
                make_bill(
                    number=number,
                    first_name=first,
                    last_name=last,
                    patient_id=100 + index,
                    remote_id=index + 1,
                    status=status,
                    updated_at=T0 + minutes(index),
                )
            )
        uow.commit()
    return db


def _numbers(db: Database, text: str, status: BillStatus | None = None) -> list[str]:
    with db.unit_of_work(read_only=True) as uow:
        return [bill.number for bill in uow.bills.search(text, status)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sant", ["W-000007", "B-001812", "B-000812"]),
        ("SANTOS", ["W-000007", "B-000812"]),
        ("maria sant", ["B-000812"]),
        ("sant mar", ["B-001812", "B-000812"]),
        ("B-000812", ["B-000812"]),
        ("812", ["B-000812"]),
        ("1812", ["B-001812"]),
        ("000812", ["B-000812"]),
        ("pena", ["B-000814"]),
        ("Peña", ["B-000814"]),
        ("dela cruz", ["B-000813"]),
        ("cruz", ["W-000007", "B-000813"]),
        ("cruz-santos", ["W-000007"]),
        ("zzz", []),
    ],
)
def test_search_finds_by_any_word_prefix(
    searchable: Database, query: str, expected: list[str]
) -> None:
    assert _numbers(searchable, query) == expected


def test_search_filters_by_status(searchable: Database) -> None:
    assert _numbers(searchable, "sant", BillStatus.PENDING) == ["B-001812", "B-000812"]


def test_blank_search_gives_the_queue(searchable: Database) -> None:
    assert _numbers(searchable, "  ") == [p[0] for p in reversed(PEOPLE)]


def test_search_returns_whole_bills(searchable: Database) -> None:
    with searchable.unit_of_work(read_only=True) as uow:
        (bill,) = uow.bills.search("maria santos")
    assert bill.patient.full_name == "Maria Santos"
    assert len(bill.lines) == 2


def test_search_respects_the_limit(searchable: Database) -> None:
    with searchable.unit_of_work(read_only=True) as uow:
        assert len(uow.bills.search("b", limit=2)) == 2


def test_tokens_and_query_words_normalize_alike() -> None:
    assert tokens_for(["B-000812", "María", "Dela Cruz-Santos"]) == {
        "b",
        "000812",
        "b000812",
        "812",
        "maria",
        "dela",
        "cruz",
        "santos",
        "cruzsantos",
    }
    assert query_words("  B-000812  ") == ["b000812"]
    assert query_words("mar maria") == ["maria"]
    assert prefix_upper_bound("sant") == "sanu"


# (WALKED_WORDS, SPARSE_MATCHES) that force each plan, and the thresholds' edges.
PLANS = {
    "walk": (100, 10_000),
    "walk one stored word at a time": (1, 10_000),
    "sparse": (0, 10_000),
    "sparse at its edge": (0, 1),
    "dense": (0, 0),
}


@pytest.mark.parametrize("plan", PLANS)
@pytest.mark.parametrize("query", ["sant", "sant mar", "cruz", "b", "maria sant", "b 81"])
def test_every_query_plan_gives_the_same_answer(
    searchable: Database, monkeypatch: pytest.MonkeyPatch, query: str, plan: str
) -> None:
    expected = _numbers(searchable, query)
    walked, sparse = PLANS[plan]
    monkeypatch.setattr(bill_search, "WALKED_WORDS", walked)
    monkeypatch.setattr(bill_search, "SPARSE_MATCHES", sparse)
    assert _numbers(searchable, query) == expected
    assert _numbers(searchable, query, BillStatus.PENDING) == [
        n for n in expected if n in {"B-000812", "B-000813", "B-001812"}
    ]


def test_payment_moves_a_bill_to_the_top_and_out_of_pending(searchable: Database) -> None:
    with searchable.unit_of_work() as uow:
        (maria,) = uow.bills.search("maria")
        uow.bills.set_payment_state(
            maria.id, amount_paid=maria.amount_due, status=BillStatus.PAID, at=T0 + minutes(60)
        )
        uow.commit()
    assert _numbers(searchable, "sant")[0] == "B-000812"
    assert "B-000812" not in _numbers(searchable, "sant", BillStatus.PENDING)
    assert _numbers(searchable, "sant", BillStatus.PAID) == ["B-000812"]


@pytest.mark.parametrize("query", ["sant", "sant mar", "cruz b", "b 8", "santos b", "b 0 w"])
def test_a_smaller_limit_gives_the_first_of_the_full_answer(
    searchable: Database, query: str
) -> None:
    full = _numbers(searchable, query)
    with searchable.unit_of_work(read_only=True) as uow:
        for limit in range(1, 5):
            assert [b.number for b in uow.bills.search(query, limit=limit)] == full[:limit]


@pytest.mark.parametrize("status", [None, BillStatus.PENDING, BillStatus.PAID])
@pytest.mark.parametrize("query", ["", "sant", "sant mar", "cruz", "812", "zzz"])
def test_queue_rows_are_the_search_answer_without_the_lines(
    searchable: Database, query: str, status: BillStatus | None
) -> None:
    with searchable.unit_of_work(read_only=True) as uow:
        whole = uow.bills.search(query, status) if query else uow.bills.list_queue(status)
        rows = uow.bills.queue_rows(query, status)
    assert rows == [BillSummary.of(bill) for bill in whole]
    assert [row.balance for row in rows] == [bill.balance for bill in whole]
