"""Money of an overpayment case applied to another bill of the patient, refunded from that bill
through the real window's refund dialog (Ctrl+Shift+F): its own line, PayMongo from the case's
original payment."""

from __future__ import annotations

from dataclasses import replace

import httpx
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.domain.attempt import AttemptState
from pos_app.domain.bill import BillStatus
from pos_app.domain.money import Money
from pos_app.domain.refund import RefundState
from pos_app.domain.tender import TenderMethod
from pos_app.services.counter import CounterServices, PaymentBackend
from pos_app.services.refunds.port import RefundOptions
from pos_app.ui.main_window import MainWindow
from pos_app.ui.refund_dialog import RefundDialog
from tests.ui.conftest import cell_text, keep_shot, key_click, key_clicks
from tests.ui.payments.conftest import WAIT_MS
from tests.ui.payments.test_refund_window import refunds_in_ledger, sign_in_staff

CASE = Money(150_00)


def _late_gcash_case(window: MainWindow, backend: PaymentBackend) -> tuple[str, int, str]:
    """GCash started for the bill on screen, cancelled, then paid anyway: (attempt id, bill id,
    the case's PayMongo payment id)."""
    bill = window.payment.bill
    assert bill is not None
    update = backend.collect.start(bill.id, TenderMethod.GCASH, CASE)
    backend.collect.cancel(update.attempt.id)
    intent_id = update.attempt.paymongo_ids["intent"]
    answer = httpx.post(f"{backend.paymongo_url}/_control/objects/{intent_id}/pay_late")
    assert answer.status_code == 200, answer.text
    assert backend.collect.refresh(update.attempt.id).attempt.state is AttemptState.NEEDS_REVIEW
    return update.attempt.id, bill.id, str(answer.json()["data"]["id"])


def _second_visit(services: CounterServices, bill_id: int) -> str:
    """Another open bill of the same patient; returns its number."""
    with services.database.unit_of_work() as uow:
        first = uow.bills.get(bill_id)
        assert first is not None
        number = f"{first.number}-2"
        uow.bills.add(
            replace(
                first,
                id=0,
                remote_id=None if first.remote_id is None else first.remote_id + 900_000,
                number=number,
                amount_due=Money(900_00),
                amount_paid=Money.ZERO,
                status=BillStatus.PENDING,
            )
        )
        uow.commit()
    return number


def test_refund_dialog_offers_applied_overpayment_money_through_paymongo_from_its_payment(
    qtbot: QtBot, window: MainWindow, counter: tuple[CounterServices, PaymentBackend]
) -> None:
    services, backend = counter
    attempt_id, bill_id, payment_id = _late_gcash_case(window, backend)
    number = _second_visit(services, bill_id)
    sign_in_staff(services)
    assert backend.overpayments is not None
    [other] = [b for b in backend.overpayments.open_bills_for(attempt_id) if b.number == number]
    backend.overpayments.apply_to_bill(attempt_id, other.id, "second visit")

    key_click(
        window,
        Qt.Key.Key_F,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: window.refund_dialog is not None, timeout=WAIT_MS)
    dialog = window.refund_dialog
    assert isinstance(dialog, RefundDialog)
    key_clicks(dialog.search, number)
    with qtbot.waitSignal(dialog.options_shown, timeout=WAIT_MS) as shown:
        key_click(dialog.search, Qt.Key.Key_Return)
    options = shown.args[0]
    assert isinstance(options, RefundOptions)
    assert options.bill.bill_number == number
    assert cell_text(dialog.tenders, 0, 0) == "GCash (applied overpayment)"
    assert cell_text(dialog.tenders, 0, 3) == str(CASE)
    assert cell_text(dialog.tenders, 0, 4) == (
        f"PayMongo, from the overpayment's payment {payment_id}"
    )
    assert not dialog.form.by_hand

    dialog.form.amount.setText(CASE.to_decimal_str())
    dialog.form.reason.setText("Second visit cancelled")
    keep_shot(dialog, "refund-dialog-applied-overpayment.png")
    with qtbot.waitSignal(
        dialog.options_shown,
        timeout=WAIT_MS,
        check_params_cb=lambda o: isinstance(o, RefundOptions) and bool(o.bill.refunded),
    ) as reloaded:
        dialog.refund_button.click()
    assert reloaded.args[0].tenders[0].refundable == Money.ZERO
    assert dialog.refund is not None
    assert dialog.refund.refund.state in {RefundState.PENDING, RefundState.SUCCEEDED}
    assert dialog.refund.refund.paymongo_payment_id == payment_id
    assert [(r["payment_id"], r["amount"]) for r in refunds_in_ledger(backend)] == [
        (payment_id, CASE.centavos)
    ]
    dialog.close()
