"""The random-kill loop is only as good as its oracle: each invariant must catch its breach.

A real QR Ph payment is made against the sandbox; then the ledger (or the local state) is bent
the way a bug would bend it, and the oracle must say so.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pos_app.domain.tender import TenderMethod
from pos_app.services.collect.test_pages import submit_test_page
from pos_app.storage import Database, open_database
from pos_sandbox.server import SandboxServer
from tests.integration.payments.crash_harness import add_bill
from tests.integration.payments.crash_runner import AMOUNT, collect, counter_service
from tests.reliability.kill_oracle import paid_payments, series_problems, violations


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        server.paymongo.configure(rate_limit_per_second=None)
        yield server


@pytest.fixture
def paid(tmp_path: Path, sandbox: SandboxServer) -> Iterator[tuple[Database, int, str]]:
    """A database with one bill paid by QR Ph through the sandbox: (database, bill, db url)."""
    sandbox.reset()
    sandbox.paymongo.configure(rate_limit_per_second=None)
    url = f"sqlite:///{tmp_path / 'counter.sqlite3'}"
    database = open_database(url)
    bill_id = add_bill(database)
    collect(url, sandbox.paymongo_url, bill_id, "qrph")
    yield database, bill_id, url
    database.dispose()


def _ledger(sandbox: SandboxServer) -> list[dict[str, Any]]:
    return sandbox.paymongo.ledger()


def test_a_clean_payment_breaks_nothing(
    sandbox: SandboxServer, paid: tuple[Database, int, str]
) -> None:
    database, bill_id, _ = paid
    assert len(paid_payments(_ledger(sandbox))) == 1
    assert violations(_ledger(sandbox), database, [bill_id]) == []


def test_an_invoice_for_money_paymongo_never_took(
    sandbox: SandboxServer, paid: tuple[Database, int, str]
) -> None:
    database, bill_id, _ = paid
    without = [e for e in _ledger(sandbox) if e["kind"] != "payment"]
    problems = violations(without, database, [bill_id])
    assert any("PayMongo took only 0 of its 1 tenders" in p for p in problems), problems


def test_a_second_unflagged_payment_on_one_bill(
    sandbox: SandboxServer, paid: tuple[Database, int, str]
) -> None:
    database, bill_id, _ = paid
    ledger = _ledger(sandbox)
    twin = copy.deepcopy(paid_payments(ledger)[0])
    twin["id"] = "pay_twin"
    problems = violations([*ledger, twin], database, [bill_id])
    assert any("2 unflagged successful payments" in p for p in problems), problems


def test_a_payment_with_no_local_record(
    sandbox: SandboxServer, paid: tuple[Database, int, str]
) -> None:
    database, bill_id, _ = paid
    ledger = _ledger(sandbox)
    stray = copy.deepcopy(paid_payments(ledger)[0])
    stray.update(id="pay_stray", metadata={"kaha_attempt": "att_unknown"})
    problems = violations([*ledger, stray], database, [bill_id])
    assert problems == ["PayMongo payment pay_stray has no local attempt (att_unknown)"]


def test_money_taken_while_the_attempt_stays_open_is_a_loss(
    sandbox: SandboxServer, paid: tuple[Database, int, str]
) -> None:
    database, _, url = paid
    bill_id = add_bill(database, "B-OPEN")
    service = counter_service(url, sandbox.paymongo_url)
    try:
        update = service.start(bill_id, TenderMethod.QRPH, AMOUNT)
        assert update.display is not None
        assert update.display.url is not None
        submit_test_page(update.display.url)  # paid at PayMongo; the counter never looks again
    finally:
        service.close()
    problems = violations(_ledger(sandbox), database, [bill_id])
    assert any("still awaiting_payment after recovery" in p for p in problems), problems
    assert any("not recorded: attempt" in p for p in problems), problems


@pytest.mark.parametrize(
    ("sequences", "broken"), [([], False), ([1, 2, 3], False), ([1, 3], True), ([1, 1], True)]
)
def test_invoice_series_without_gaps_or_duplicates(sequences: list[int], broken: bool) -> None:
    assert bool(series_problems(sequences)) is broken
