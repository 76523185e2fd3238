"""Issue 16, reconciliation: money PayMongo took after Kaha closed a payment is found by one run
(webhooks off: nothing but the run looks), becomes an overpayment case, never a second invoice.
The sandbox's ledger is the oracle of what PayMongo really took."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pos_app.domain.attempt import AttemptState
from pos_app.domain.bill import BillStatus
from pos_app.domain.clinic_time import PHILIPPINE_TIME
from pos_app.domain.reconciliation import FlagKind, PaymentOutcome
from pos_app.domain.tender import TenderMethod
from pos_app.services.collect import CollectService
from pos_app.services.reconcile.service import ReconcileService
from pos_app.storage import Database
from pos_sandbox.server import SandboxServer
from tests.integration.collect.conftest import patient_pays


def _open_bill(database: Database, skip: int = 0) -> tuple[int, object]:
    with database.unit_of_work(read_only=True) as uow:
        bills = [
            b
            for b in uow.bills.list_queue(BillStatus.PENDING, 50)
            if b.amount_due.centavos > 100_00
        ]
    bill = bills[skip]
    return bill.id, bill.balance


def _paid_ledger(sandbox: SandboxServer) -> list[dict[str, object]]:
    return [
        e for e in sandbox.paymongo.ledger() if e["kind"] == "payment" and e["status"] == "paid"
    ]


def _invoices(database: Database, bill_id: int) -> int:
    with database.unit_of_work(read_only=True) as uow:
        return 0 if uow.invoices.get_for_bill(bill_id) is None else 1


def test_a_qrph_paid_after_it_expired_becomes_a_case(
    collect: CollectService, reconciler: ReconcileService, database: Database, fresh: SandboxServer
) -> None:
    bill_id, balance = _open_bill(database)
    update = collect.start(bill_id, TenderMethod.QRPH, balance)  # type: ignore[arg-type]
    fresh.paymongo.advance_clock(31 * 60)
    assert collect.refresh(update.attempt.id).attempt.state is AttemptState.EXPIRED
    fresh.paymongo.pay_late(update.attempt.paymongo_ids["intent"])  # nothing watches it now

    result = reconciler.run()

    [late] = _paid_ledger(fresh)
    assert [case.payment_id for case in result.new_cases] == [late["id"]]
    assert result.outcomes[PaymentOutcome.CASE] == 1
    assert [a.id for a in collect.overpayment_cases()] == [update.attempt.id]
    assert _invoices(database, bill_id) == 0
    # the receptionist reads the clinic's bill number, never Kaha's internal id
    with database.unit_of_work(read_only=True) as uow:
        bill = uow.bills.get(bill_id)
    assert bill is not None
    [raised] = [line for line in result.lines(PHILIPPINE_TIME) if line.startswith("RAISED")]
    assert f"(bill {bill.number})" in raised
    cases = reconciler.open_cases()
    assert cases.bill_number(bill_id) == bill.number


def test_a_qrph_paid_twice_is_one_tender_and_one_case(
    collect: CollectService, reconciler: ReconcileService, database: Database, fresh: SandboxServer
) -> None:
    bill_id, balance = _open_bill(database)
    update = collect.start(bill_id, TenderMethod.QRPH, balance)  # type: ignore[arg-type]
    assert update.display is not None
    assert update.display.url is not None
    patient_pays(update.display.url)
    assert collect.refresh(update.attempt.id).settlement is not None
    fresh.paymongo.pay_late(update.attempt.paymongo_ids["intent"])  # the second scan

    result = reconciler.run()

    first, second = _paid_ledger(fresh)
    assert result.outcomes[PaymentOutcome.TENDER] == 1
    assert [case.payment_id for case in result.new_cases] == [second["id"]]
    assert [a.id for a in collect.overpayment_cases()] == [update.attempt.id]
    assert _invoices(database, bill_id) == 1
    assert first["id"] != second["id"]


def test_a_checkout_paid_after_it_was_cancelled_becomes_a_case(
    collect: CollectService, reconciler: ReconcileService, database: Database, fresh: SandboxServer
) -> None:
    bill_id, balance = _open_bill(database)
    update = collect.start(bill_id, TenderMethod.CHECKOUT, balance)  # type: ignore[arg-type]
    assert collect.cancel(update.attempt.id).attempt.state is AttemptState.CANCELLED
    session = fresh.paymongo.get(update.attempt.paymongo_ids["checkout"])
    fresh.paymongo.pay_late(session["attributes"]["payment_intent"]["id"])

    result = reconciler.run()

    [late] = _paid_ledger(fresh)
    assert [case.payment_id for case in result.new_cases] == [late["id"]]
    assert [a.id for a in collect.overpayment_cases()] == [update.attempt.id]
    assert _invoices(database, bill_id) == 0


def test_a_second_run_raises_nothing_twice_and_reads_only_what_is_new(
    collect: CollectService, reconciler: ReconcileService, database: Database, fresh: SandboxServer
) -> None:
    bill_id, balance = _open_bill(database)
    update = collect.start(bill_id, TenderMethod.QRPH, balance)  # type: ignore[arg-type]
    collect.cancel(update.attempt.id)
    fresh.paymongo.pay_late(update.attempt.paymongo_ids["intent"])
    assert len(reconciler.run().new_cases) == 1

    again = reconciler.run()
    assert again.new_cases == ()
    assert again.payments_listed == 0  # stopped at the stored cursor
    since = datetime.fromtimestamp(fresh.paymongo.clock.now(), tz=UTC) - timedelta(days=1)
    reread = reconciler.run(since=since)
    assert reread.payments_listed == 1
    assert reread.already_known == 1
    assert reread.new_cases == ()


def test_money_paid_while_the_counter_was_not_looking_is_recorded_once(
    collect: CollectService, reconciler: ReconcileService, database: Database, fresh: SandboxServer
) -> None:
    bill_id, balance = _open_bill(database)
    update = collect.start(bill_id, TenderMethod.QRPH, balance)  # type: ignore[arg-type]
    assert update.display is not None
    assert update.display.url is not None
    patient_pays(update.display.url)  # no poll, no webhook: only reconciliation sees it

    result = reconciler.run()

    assert result.outcomes[PaymentOutcome.APPLIED] == 1
    assert result.new_cases == ()
    assert _invoices(database, bill_id) == 1


def test_a_payment_no_attempt_knows_is_a_case_and_another_counters_is_not(
    reconciler: ReconcileService, fresh: SandboxServer
) -> None:
    from pos_sandbox.paymongo.payouts import bulk_payments

    with fresh.paymongo.lock:
        bulk_payments(
            fresh.paymongo.store,
            False,
            [
                {"amount": 50_000, "metadata": {"kaha_attempt": "gone"}},
                {"amount": 40_000, "metadata": {"kaha_attempt": "x", "kaha_terminal": "02"}},
            ],
        )
    result = reconciler.run()
    assert result.outcomes[PaymentOutcome.UNMATCHED] == 1
    assert result.outcomes[PaymentOutcome.OTHER_COUNTER] == 1
    cases = reconciler.open_cases()
    assert [p.amount.centavos for p in cases.payments] == [50_000]


def test_a_paymongo_tender_with_no_payment_at_paymongo_is_flagged(
    collect: CollectService, reconciler: ReconcileService, database: Database, fresh: SandboxServer
) -> None:
    bill_id, balance = _open_bill(database)
    update = collect.start(bill_id, TenderMethod.QRPH, balance)  # type: ignore[arg-type]
    assert update.display is not None
    assert update.display.url is not None
    patient_pays(update.display.url)
    collect.refresh(update.attempt.id)
    fresh.paymongo.reset()  # PayMongo forgets the payment: the tender is now unbacked

    result = reconciler.run()

    [flag] = result.new_flags
    assert flag.kind is FlagKind.TENDER_WITHOUT_PAYMENT
    assert flag.bill_id == bill_id
    assert reconciler.run().new_flags == ()  # raised once


def test_another_counters_payment_on_a_shared_database_is_left_to_that_counter(
    reconciler: ReconcileService, database: Database, fresh: SandboxServer
) -> None:
    """Money at risk: counter 01 settling counter 02's paid QR in its own invoice series, or
    raising it as an overpayment to refund; it is counter 02's to settle (issue 16 item 3)."""
    from pos_app.services.collect import CounterIdentity
    from tests.integration.collect.conftest import SandboxTimeClock, make_client

    bill_id, balance = _open_bill(database)
    with make_client(fresh) as client:
        other = CollectService(
            database,
            client,
            SandboxTimeClock(fresh),
            CounterIdentity(terminal_id="02", invoice_prefix="MAIN", clinic_name="Test Clinic"),
        )
        try:
            update = other.start(bill_id, TenderMethod.QRPH, balance)  # type: ignore[arg-type]
            intent = fresh.paymongo.get(update.attempt.paymongo_ids["intent"])
            assert intent["attributes"]["metadata"]["kaha_terminal"] == "02"
            assert update.display is not None
            assert update.display.url is not None
            patient_pays(update.display.url)  # counter 02 has not looked yet

            result = reconciler.run()  # counter 01's run

            assert result.outcomes[PaymentOutcome.OTHER_COUNTER] == 1
            assert result.new_cases == ()
            assert _invoices(database, bill_id) == 0  # counter 01 numbered nothing
            settled = other.refresh(update.attempt.id).settlement
            assert settled is not None
            assert settled.invoice.number.startswith("MAIN-02-")
        finally:
            other.close()
