"""The clinic client against the sandbox clinic server over real sockets."""

from __future__ import annotations

import httpx
import pytest

from pos_app.clinic import (
    AmountChanged,
    ClinicAuthError,
    ClinicClient,
    ClinicRefused,
    ClinicUnreachable,
)
from pos_app.domain.money import Money
from pos_sandbox.faults import FaultRule
from tests.integration.clinic.conftest import ClinicServer, clinic_bill, no_sleep_pacing

PAID = {
    "status": "paid",
    "paid": True,
    "payment_method": "cash",
    "payment_status": "succeeded",
    "paid_at": "2026-12-07T10:02:11+08:00",
    "invoice_number": "MAIN-01-000123",
}


def _pending(client: ClinicClient) -> tuple[int, Money]:
    page = client.list_bills(status="pending", page_size=1)
    bill = page.bills[0].bill
    assert bill.remote_id is not None
    return bill.remote_id, bill.amount_due


def test_pages_through_every_bill_in_updated_order_with_the_cursor(
    client: ClinicClient, server: ClinicServer
) -> None:
    seen = []
    cursor = None
    while True:
        page = client.bills_after(cursor, page_size=7)
        seen += [remote.cursor for remote in page.bills]
        if not page.has_next:
            break
        cursor = page.bills[-1].cursor
    assert len(seen) == len(server.state.bill_ids())
    assert seen == sorted(seen)
    assert [c.bill_id for c in seen] == server.state.bill_ids()


def test_bills_after_the_cursor_start_strictly_after_it(client: ClinicClient) -> None:
    first = client.bills_after(None, page_size=5)
    after = client.bills_after(first.bills[-1].cursor, page_size=5)
    assert after.bills[0].cursor > first.bills[-1].cursor
    assert after.count == first.count - 5


def test_amounts_are_read_exactly_in_centavos(client: ClinicClient, server: ClinicServer) -> None:
    remote = client.list_bills(page_size=1).bills[0]
    bill = remote.bill
    assert bill.amount_due == Money.total(line.total for line in bill.lines)
    assert str(remote.raw["amount"]) == bill.amount_due.to_decimal_str()


def test_patch_with_the_same_key_is_applied_once(
    client: ClinicClient, server: ClinicServer, control: httpx.Client
) -> None:
    remote_id, amount = _pending(client)
    body = PAID | {"amount_paid": amount.to_decimal_str()}
    client.patch_bill(remote_id, body, idempotency_key="key-1")
    again = client.patch_bill(remote_id, body, idempotency_key="key-1")
    assert again.bill.status.value == "paid"
    assert len(server.state.arrivals(remote_id)) == 1
    assert clinic_bill(control, remote_id)["invoice_number"] == "MAIN-01-000123"


def test_a_write_without_a_key_is_refused_before_sending(client: ClinicClient) -> None:
    with pytest.raises(ValueError, match="Idempotency-Key"):
        client.patch_bill(1, PAID, idempotency_key="")


def test_changed_amount_is_a_409_with_the_new_amount(
    client: ClinicClient, control: httpx.Client
) -> None:
    remote_id, amount = _pending(client)
    control.patch(f"/_control/bills/{remote_id}", json={"amount": "4000.00"}).raise_for_status()
    with pytest.raises(AmountChanged) as caught:
        client.patch_bill(
            remote_id, PAID | {"amount_paid": amount.to_decimal_str()}, idempotency_key="k2"
        )
    assert caught.value.amount == Money.of_pesos(4000)
    assert "₱4,000.00" in caught.value.user_message


def test_a_400_carries_the_servers_words(client: ClinicClient) -> None:
    remote_id, _ = _pending(client)
    with pytest.raises(ClinicRefused) as caught:
        client.patch_bill(remote_id, PAID | {"amount_paid": "abc"}, idempotency_key="k3")
    assert "amount_paid: A valid number is required." in caught.value.server_words
    assert "refused" in caught.value.user_message


def test_refunds_go_to_the_refunds_endpoint_with_their_key(
    client: ClinicClient, server: ClinicServer
) -> None:
    remote_id, amount = _pending(client)
    client.patch_bill(
        remote_id, PAID | {"amount_paid": amount.to_decimal_str()}, idempotency_key="p"
    )
    refund = {"amount": "100.00", "reason": "requested_by_customer", "refund_id": "ref_1"}
    client.create_refund(remote_id, refund, idempotency_key="r1")
    client.create_refund(remote_id, refund, idempotency_key="r1")
    kinds = [a.kind for a in server.state.arrivals(remote_id)]
    assert kinds == ["patch", "refund"]


def test_a_wrong_token_is_told_in_plain_words(server: ClinicServer) -> None:
    wrong = ClinicClient(base_url=server.url, token="nope", pacing=no_sleep_pacing([]))
    with pytest.raises(ClinicAuthError) as caught:
        wrong.check()
    assert "token" in caught.value.user_message
    assert "nope" not in str(caught.value)
    wrong.close()


def test_server_errors_are_retried_with_the_shared_policy(
    client: ClinicClient, server: ClinicServer, sleeps: list[float]
) -> None:
    server.faults.add(FaultRule("error", status=503, times=2))
    assert client.check() > 0
    assert len(sleeps) == 2  # two waits from pos_app.http_policy, none slept for real


def test_a_dropped_patch_is_resent_with_its_key_and_applied_once(
    client: ClinicClient, server: ClinicServer
) -> None:
    remote_id, amount = _pending(client)
    server.faults.add(FaultRule("drop_response", method="PATCH", times=1))
    client.patch_bill(
        remote_id, PAID | {"amount_paid": amount.to_decimal_str()}, idempotency_key="d"
    )
    assert len(server.state.arrivals(remote_id)) == 1


def test_a_stopped_server_is_unreachable(sleeps: list[float]) -> None:
    gone = ClinicClient(base_url="http://127.0.0.1:9", token="t", pacing=no_sleep_pacing(sleeps))
    with pytest.raises(ClinicUnreachable) as caught:
        gone.check()
    assert "cannot be reached" in caught.value.user_message
    gone.close()
