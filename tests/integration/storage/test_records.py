"""Outbox order per bill, and webhook event de-duplication."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from pos_app.storage import Database
from tests.integration.storage.conftest import T0, make_bill, minutes


def _two_bills(db: Database) -> tuple[int, int]:
    with db.unit_of_work() as uow:
        first = uow.bills.add(make_bill(number="B-1", remote_id=1))
        second = uow.bills.add(make_bill(number="B-2", remote_id=2))
        uow.commit()
    return first.id, second.id


def test_outbox_gives_messages_in_order_per_bill(db: Database) -> None:
    first, second = _two_bills(db)
    with db.unit_of_work() as uow:
        a1 = uow.outbox.enqueue(first, "payment", {"amount_paid": "1000.00"}, at=T0)
        b1 = uow.outbox.enqueue(second, "payment", {"amount_paid": "50.00"}, at=T0)
        a2 = uow.outbox.enqueue(first, "refund", {"amount": "500.00"}, at=T0 + minutes(1))
        uow.commit()
    with db.unit_of_work() as uow:
        batch = uow.outbox.next_batch()
        assert [m.id for m in batch] == [a1.id, b1.id, a2.id]
        assert [m.id for m in batch if m.bill_id == first] == [a1.id, a2.id]
        assert batch[0].payload == {"amount_paid": "1000.00"}
        assert batch[0].idempotency_key != batch[2].idempotency_key
        uow.outbox.schedule_retry(a1.id, "503 Service Unavailable", next_try_at=T0 + minutes(1))
        uow.outbox.mark_sent_many([b1.id], at=T0 + minutes(2))
        uow.commit()
    with db.unit_of_work() as uow:
        batch = uow.outbox.next_batch()
        assert [m.id for m in batch] == [a1.id, a2.id]
        assert batch[0].attempts == 1
        assert batch[0].last_error == "503 Service Unavailable"
        assert uow.outbox.pending_count() == 2
        sent = uow.outbox.get(b1.id)
        assert sent is not None
        assert sent.sent_at == T0 + minutes(2)


def test_outbox_keeps_a_given_idempotency_key(db: Database) -> None:
    first, _ = _two_bills(db)
    with db.unit_of_work() as uow:
        message = uow.outbox.enqueue(first, "payment", {}, at=T0, idempotency_key="k-123")
        uow.commit()
    assert message.idempotency_key == "k-123"


def test_webhook_event_is_recorded_once(db: Database) -> None:
    with db.unit_of_work() as uow:
        assert uow.webhook_events.record("evt_1", "payment.paid", at=T0) is True
        assert uow.webhook_events.record("evt_1", "payment.paid", at=T0) is False
        uow.commit()
    with db.unit_of_work() as uow:
        assert uow.webhook_events.record("evt_1", "payment.paid", at=T0) is False
        assert uow.webhook_events.is_processed("evt_1") is False
        uow.webhook_events.mark_processed("evt_1", at=T0 + minutes(1))
        uow.commit()
    with db.unit_of_work(read_only=True) as uow:
        assert uow.webhook_events.is_processed("evt_1") is True


def test_concurrent_deliveries_of_one_event_have_one_winner(db: Database) -> None:
    start = Barrier(4)

    def deliver(_: int) -> bool:
        start.wait(timeout=10)
        with db.unit_of_work() as uow:
            first = uow.webhook_events.record("evt_race", "payment.paid", at=T0)
            uow.commit()
        return first

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(deliver, range(4)))
    assert sorted(outcomes) == [False, False, False, True]
