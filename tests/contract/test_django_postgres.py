"""The Django app on PostgreSQL: writes sent at once with one key apply once under row locks.

On SQLite the site serialises writers (IMMEDIATE transactions); on PostgreSQL "once" rests on
`select_for_update` and the unique stored key, so it is tested there too: the example site runs
as a real process on a throwaway PostgreSQL server (the one the storage tests use).
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg
import pytest

from tests.contract.test_writing import at_once
from tests.integration.postgres_cluster import PostgresCluster, start_cluster

TOKEN = "tok_postgres_contract"


@dataclass
class Site:
    url: str
    database_url: str


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresCluster]:
    started = start_cluster()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def site(cluster: PostgresCluster) -> Iterator[Site]:
    database_url = cluster.new_database().replace("postgresql+psycopg://", "postgresql://")
    command = [sys.executable, "-m", "kaha_clinic.demo", "--port", "0", "--token", TOKEN,
               "--bills", "5", "--database-url", database_url]  # fmt: skip
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as demo:
        try:
            assert demo.stdout is not None
            first = demo.stdout.readline()
            assert first.startswith("Clinic server:"), first
            yield Site(first.split()[2], database_url)
        finally:
            demo.terminate()
            demo.wait(timeout=20)


def _count(site: Site, sql: str, bill_id: int) -> int:
    with psycopg.connect(site.database_url) as connection:
        row = connection.execute(sql, (bill_id,)).fetchone()
    assert row is not None
    return int(row[0])


def _pending_bill(site: Site) -> dict[str, Any]:
    headers = {"Authorization": f"Token {TOKEN}"}
    page = httpx.get(site.url + "/api/billing/", params={"status": "pending"}, headers=headers)
    bill = page.json()["results"][0]
    assert isinstance(bill, dict)
    return bill


def test_patches_and_refunds_at_once_with_one_key_apply_once_on_postgres(site: Site) -> None:
    bill = _pending_bill(site)
    path = f"/api/billing/{bill['id']}/"
    body = {"status": "paid", "amount_paid": bill["amount"], "payment_method": "cash",
            "payment_status": "succeeded", "invoice_number": "MAIN-01-000777"}  # fmt: skip
    key = {"Idempotency-Key": str(uuid.uuid4())}
    patches = at_once(site.url, lambda c: c.patch(path, json=body, headers=key), TOKEN)
    assert {answer.status_code for answer in patches} == {200}
    assert len({answer.text for answer in patches}) == 1

    refund_key = {"Idempotency-Key": str(uuid.uuid4())}
    refund = {"amount": "100.00", "method": "cash", "reason": "requested_by_customer"}
    refunds = at_once(
        site.url, lambda c: c.post(path + "refunds/", json=refund, headers=refund_key), TOKEN
    )
    assert {answer.status_code for answer in refunds} == {201}
    assert len({answer.text for answer in refunds}) == 1
    stored = _count(site, "SELECT count(*) FROM kaha_clinic_refund WHERE bill_id = %s", bill["id"])
    assert stored == 1
