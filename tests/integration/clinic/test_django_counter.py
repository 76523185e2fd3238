"""A counter in TEST mode against the example Django clinic site, both real: the demo runs as its
own process (`python -m kaha_clinic.demo`) with its bills in an SQLite file, PayMongo is the
sandbox server, and the counter is wired by `build_services` as the app wires it. The counter
pulls every bill, takes cash (one bill after a senior discount) and a QR Ph payment, sends them,
and the results, with their Idempotency-Keys, are read back from the clinic's database."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from pos_app.app import build_services
from pos_app.config import Secrets, load_settings
from pos_app.domain.attempt import AttemptState
from pos_app.domain.bill import Bill, BillStatus
from pos_app.domain.clock import SystemClock
from pos_app.domain.money import Money
from pos_app.domain.tender import TenderMethod
from pos_app.services.collect.test_pages import submit_test_page
from pos_app.services.counter import CounterServices, PaymentBackend
from pos_sandbox.server import SandboxServer
from tests.integration.clinic.django_demo import DjangoDemo, django_demo, query

BILLS = 10_000  # about 11 s here (2 shared cores), so it runs in `make test`
TEST_KEY = "sk_test_" + secrets.token_hex(12)  # made up: the sandbox takes any well-formed key


@pytest.fixture(scope="module")
def paymongo() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        yield server


class Counter:
    """The counter's services in TEST mode, pointed at `paymongo` and the Django clinic."""

    def __init__(self, folder: Path, paymongo: SandboxServer, clinic: DjangoDemo) -> None:
        environ = {
            "POS_APP_DATA_DIR": str(folder / "data"),
            "POS_APP_CONFIG_DIR": str(folder / "config"),
            "POS_APP_PAYMONGO_BASE_URL": paymongo.paymongo_url,
            "POS_APP_CLINIC_BASE_URL": clinic.url,
        }
        keys = Secrets(paymongo_secret_key=TEST_KEY, clinic_token=clinic.token)
        self.services: CounterServices = build_services(load_settings(environ), keys)
        self.backend: PaymentBackend = self.services.start_payment_backend()

    def queue(self, count: int) -> list[Bill]:
        with self.services.database.unit_of_work(read_only=True) as uow:
            bills = uow.bills.list_queue(BillStatus.PENDING, 50)
        return [bill for bill in bills if bill.balance.centavos >= 200_00][:count]

    def bill(self, bill_id: int) -> Bill:
        with self.services.database.unit_of_work(read_only=True) as uow:
            bill = uow.bills.get(bill_id)
        assert bill is not None
        return bill

    def count_bills(self) -> int:
        with self.services.database.unit_of_work(read_only=True) as uow:
            return len(uow.bills.list_queue(None, 1_000_000))

    def waiting(self) -> dict[str, int | None]:
        """The outbox's waiting changes: Idempotency-Key -> the clinic's bill id."""
        with self.services.database.unit_of_work(read_only=True) as uow:
            messages = uow.outbox.next_batch(100)
            remote = uow.outbox.remote_ids([m.bill_id for m in messages])
        return {m.idempotency_key: remote[m.bill_id] for m in messages}


def _pesos(value: object) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _synced_counter_pays_and_refunds(tmp_path: Path, paymongo: SandboxServer, bills: int) -> None:
    token = "tok" + secrets.token_hex(16)
    with django_demo(tmp_path, bills=bills, token=token) as clinic:
        counter = Counter(tmp_path, paymongo, clinic)
        try:
            assert counter.services.mode.value == "test"
            sync = counter.backend.clinic
            assert sync is not None
            first = sync.run()
            assert first.failure is None, first.failure
            assert first.pull is not None
            assert first.pull.pulled == bills
            assert counter.count_bills() == bills

            cash_bill, discounted, qr_bill = counter.queue(3)
            collect = counter.backend.collect
            collect.pay_cash(cash_bill.id, cash_bill.balance, cash_bill.balance)

            discount = Money(discounted.amount_due.centavos // 5)  # senior/PWD 20%, at the counter
            with counter.services.database.unit_of_work() as uow:
                uow.bills.set_discount(
                    discounted.id,
                    discount=discount,
                    amount_due=discounted.amount_due - discount,
                    at=SystemClock().now(),
                )
                uow.commit()
            after = counter.bill(discounted.id).balance
            collect.pay_cash(discounted.id, after, after)

            qr = collect.start(qr_bill.id, TenderMethod.QRPH, qr_bill.balance)
            assert qr.display is not None
            assert qr.display.url is not None
            submit_test_page(qr.display.url)  # the patient's phone, on the sandbox's test page
            settled = collect.refresh(qr.attempt.id)
            assert settled.attempt.state is AttemptState.SUCCEEDED

            refund_key = uuid.uuid4().hex
            with counter.services.database.unit_of_work() as uow:  # as issue 14's refund will
                uow.outbox.enqueue(
                    cash_bill.id,
                    "refund",
                    {"amount": "100.00", "reason": "tooth not extracted", "method": "cash",
                     "refunded_at": SystemClock().now().isoformat(), "approved_by": "owner"},
                    at=SystemClock().now(),
                    idempotency_key=refund_key,
                )  # fmt: skip
                uow.commit()

            sent_keys = counter.waiting()
            assert len(sent_keys) == 4
            sent = sync.run()
            assert sent.failure is None, sent.failure
            assert sent.push is not None
            assert (sent.push.sent, sent.push.conflicts, sent.push.refused) == (4, 0, 0)
            assert sync.status().waiting == 0

            ours = (cash_bill, discounted, qr_bill)
            remote_ids = [bill.remote_id for bill in ours if bill.remote_id is not None]
            paid = {
                row[0]: row[1:]
                for row in query(
                    clinic.db,
                    "SELECT id, status, paid, amount, amount_paid, payment_method,"
                    " payment_intent_id, payment_status, invoice_number, paid_at"
                    " FROM kaha_clinic_bill WHERE id IN (?, ?, ?)",
                    *remote_ids,
                )
            }
            assert set(paid) == set(remote_ids)
            for bill, method in ((cash_bill, "cash"), (discounted, "cash"), (qr_bill, "qrph")):
                now = counter.bill(bill.id)
                status, flag, amount, amount_paid, how, intent, state, invoice, at = paid[
                    bill.remote_id
                ]
                assert (status, flag, how, state) == ("paid", 1, method, "succeeded")
                assert _pesos(amount_paid) == Decimal(now.amount_paid.centavos) / 100
                assert _pesos(amount) == Decimal((now.amount_due + now.discount).centavos) / 100
                assert str(invoice).startswith(counter.services.settings.invoice_prefix)
                assert at is not None
                assert (intent is None) == (method == "cash")
            assert _pesos(paid[discounted.remote_id][3]) < _pesos(paid[discounted.remote_id][2])

            keys = {
                row[0]: (row[1], row[2])
                for row in query(
                    clinic.db, "SELECT key, status_code, bill_id FROM kaha_clinic_idempotentanswer"
                )
            }
            assert keys == {
                key: (201 if key == refund_key else 200, remote)
                for key, remote in sent_keys.items()
            }

            refunds = query(
                clinic.db,
                "SELECT bill_id, amount, reason, method, approved_by FROM kaha_clinic_refund",
            )
            assert [(r[0], _pesos(r[1]), *r[2:]) for r in refunds] == [
                (cash_bill.remote_id, Decimal("100.00"), "tooth not extracted", "cash", "owner")
            ]
        finally:
            counter.services.shutdown()


def test_a_test_mode_counter_syncs_10000_bills_and_its_payments_and_refund_land_in_django(
    tmp_path: Path, paymongo: SandboxServer
) -> None:
    _synced_counter_pays_and_refunds(tmp_path, paymongo, BILLS)
