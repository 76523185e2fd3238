"""Every search plan against a plain Python reference, over bills with many shared names.

The three plans (walk, sparse, dense; see bill_search) must give exactly the answer of the
definition: bills with a word starting with each query word, newest first (ties broken by
the newer id), at most ``limit``. The bills share a few names and many timestamps, so the
merge of walks, the dropping of a bill found through two of its words, and the tie order
are all exercised. SQLite only: the plans' SQL is checked on PostgreSQL by test_search.py.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos_app.domain.bill import Bill, BillStatus
from pos_app.storage import Database, open_database
from pos_app.storage.repositories import bill_search
from pos_app.storage.search import query_words, tokens_for
from tests.integration.storage.conftest import T0, make_bill, minutes

FIRST = ("Maria", "Mario", "Mark", "Jose", "Josefina", "Ana")
LAST = ("Santos", "Santiago", "Dela Cruz", "Cruz-Santos", "Reyes", "Peña")
PLANS = {"walk": (100, 10_000), "sparse": (0, 10_000), "dense": (0, 0)}


@pytest.fixture(scope="module")
def crowd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, list[Bill]]]:
    rng = random.Random(20261129)
    bills = [
        make_bill(
            number=f"{rng.choice('BW')}-{index:06d}",
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            patient_id=index,
            remote_id=index,
            status=rng.choice(list(BillStatus)),
            updated_at=T0 + minutes(rng.randrange(40)),  # many bills share a time
        )
        for index in range(1, 241)
    ]
    database = open_database(f"sqlite:///{tmp_path_factory.mktemp('plans') / 'kaha.db'}")
    with database.unit_of_work() as uow:
        stored = [uow.bills.add(bill) for bill in bills]
        uow.commit()
    yield database, stored
    database.dispose()


def _expected(bills: list[Bill], text: str, status: BillStatus | None, limit: int) -> list[int]:
    words = query_words(text)
    found = [
        bill
        for bill in bills
        if (status is None or bill.status is status)
        and all(any(token.startswith(word) for token in _tokens(bill)) for word in words)
    ]
    found.sort(key=lambda bill: (bill.updated_at, bill.id), reverse=True)
    return [bill.id for bill in found[:limit]]


def _tokens(bill: Bill) -> set[str]:
    return tokens_for([bill.number, bill.patient.first_name, bill.patient.last_name])


WORDS = st.sampled_from(
    ["m", "ma", "mar", "mari", "maria", "jos", "josef", "a", "s", "sant", "santo", "santi",
     "cruz", "cruzs", "dela", "reyes", "pena", "b", "w", "b0", "00", "1", "12", "w-000", "zz"]
)  # fmt: skip


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    words=st.lists(WORDS, min_size=1, max_size=3),
    status=st.none() | st.sampled_from(list(BillStatus)),
    limit=st.sampled_from([1, 3, 10, 200]),
)
def test_each_plan_gives_the_answer_the_definition_gives(
    crowd: tuple[Database, list[Bill]],
    monkeypatch: pytest.MonkeyPatch,
    words: list[str],
    status: BillStatus | None,
    limit: int,
) -> None:
    database, bills = crowd
    text = " ".join(words)
    expected = _expected(bills, text, status, limit)
    for plan, (walked, sparse) in PLANS.items():
        monkeypatch.setattr(bill_search, "WALKED_WORDS", walked)
        monkeypatch.setattr(bill_search, "SPARSE_MATCHES", sparse)
        with database.unit_of_work(read_only=True) as uow:
            found = [row.id for row in uow.bills.queue_rows(text, status, limit)]
        assert found == expected, plan
