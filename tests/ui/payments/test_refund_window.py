"""Refunds and overpayment cases through the real window against the in-process sandbox: part of
a GCash payment given back from the bill history; an overpayment case resolved both ways."""

from __future__ import annotations

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog
from pytestqt.qtbot import QtBot

from pos_app.domain.attempt import AttemptState
from pos_app.domain.errors import PermissionDenied
from pos_app.domain.money import Money
from pos_app.domain.refund import RefundState
from pos_app.domain.roles import Permission
from pos_app.domain.tender import TenderMethod
from pos_app.services.counter import CounterServices, PaymentBackend
from pos_app.services.refunds.port import RefundChannel, RefundOptions
from pos_app.ui.main_window import MainWindow
from pos_app.ui.refund_dialog import RefundDialog
from tests.ui.conftest import cell_text, keep_shot, key_click, key_clicks
from tests.ui.payments.conftest import WAIT_MS, paid_on_the_phone, shown_after


def sign_in_staff(services: CounterServices) -> None:
    """The sign-in window is another piece of work: sign the sandbox's demo staff in directly."""
    assert services.access is not None
    services.access.sign_in("demo-staff", "9002")


def refunds_in_ledger(backend: PaymentBackend) -> list[dict[str, object]]:
    answer = httpx.get(f"{backend.paymongo_url}/_control/ledger", timeout=10)
    answer.raise_for_status()
    return [e for e in answer.json()["ledger"] if e.get("kind") == "refund"]


def late_case(qtbot: QtBot, window: MainWindow, backend: PaymentBackend) -> str:
    """A QR Ph code cancelled at the counter, then paid anyway: an overpayment case."""
    with qtbot.waitSignal(
        window.payment.display_changed, timeout=WAIT_MS, check_params_cb=lambda u: u is not None
    ) as shown:
        window.payment.qrph_button.click()
    attempt = shown.args[0].attempt
    with qtbot.waitSignal(window.payment.display_changed, timeout=WAIT_MS):
        window.payment.remote.cancel_button.click()
    intent_id = attempt.paymongo_ids["intent"]
    answer = httpx.post(f"{backend.paymongo_url}/_control/objects/{intent_id}/pay_late")
    assert answer.status_code == 200, answer.text
    assert backend.collect.refresh(attempt.id).attempt.state is AttemptState.NEEDS_REVIEW
    return str(attempt.id)


def test_refund_part_of_a_gcash_payment_from_the_bill_history(
    qtbot: QtBot, window: MainWindow, counter: tuple[CounterServices, PaymentBackend]
) -> None:
    services, backend = counter
    settlement = paid_on_the_phone(
        qtbot, window, shown_after(qtbot, window, Qt.Key.Key_F8, Qt.Key.Key_1)
    )
    [tender] = settlement.tenders
    assert tender.method is TenderMethod.GCASH
    sign_in_staff(services)
    window.queue.select_bill(settlement.bill.id)
    qtbot.waitUntil(lambda: window.queue.current_bill() is not None, timeout=WAIT_MS)
    key_click(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    history = window.bill_history
    assert history is not None
    qtbot.waitUntil(history.refund_button.isEnabled, timeout=WAIT_MS)
    history.refund_button.click()
    dialog = window.refund_dialog
    assert isinstance(dialog, RefundDialog)
    qtbot.waitUntil(lambda: dialog.options is not None, timeout=WAIT_MS)
    assert cell_text(dialog.tenders, 0, 0) == "GCash"
    assert cell_text(dialog.tenders, 0, 3) == str(tender.amount)
    assert cell_text(dialog.tenders, 0, 4) == "PayMongo"

    dialog.form.amount.setText("100.00")
    dialog.form.reason.setText("Lab test not done")
    dialog.form.notes.setText("Dr. Reyes cancelled the CBC")
    keep_shot(dialog, "refund-dialog-paymongo.png")
    with qtbot.waitSignal(
        dialog.options_shown,
        timeout=WAIT_MS,
        check_params_cb=lambda o: isinstance(o, RefundOptions) and bool(o.bill.refunded),
    ) as reloaded:
        dialog.refund_button.click()
    options = reloaded.args[0]
    assert options.tenders[0].already_refunded == Money(100_00)
    assert options.tenders[0].refundable == tender.amount - Money(100_00)
    assert cell_text(dialog.tenders, 0, 3) == str(tender.amount - Money(100_00))
    assert dialog.refund is not None
    assert dialog.refund.refund.state in {RefundState.PENDING, RefundState.SUCCEEDED}
    assert "Pending" in dialog.status.text() or "Done" in dialog.status.text()
    keep_shot(dialog, "refund-dialog-paymongo-sent.png")
    [refund] = refunds_in_ledger(backend)
    assert refund["amount"] == 100_00
    dialog.close()


def test_resolve_an_overpayment_case_by_applying_it_and_another_by_a_refund_by_hand(
    qtbot: QtBot, window: MainWindow, counter: tuple[CounterServices, PaymentBackend]
) -> None:
    services, backend = counter
    bill = window.payment.bill
    assert bill is not None
    first = late_case(qtbot, window, backend)
    second = late_case(qtbot, window, backend)
    sign_in_staff(services)
    key_click(window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    cases = window.overpayments
    assert cases is not None
    qtbot.waitUntil(lambda: cases.table.rowCount() == 2, timeout=WAIT_MS)
    assert [c.attempt.id for c in cases.cases] == [first, second]
    assert cell_text(cases.table, 0, 3) == "QR Ph (refund by hand)"

    # the first: applied to the patient's open bill (its own, still unpaid)
    cases.table.selectRow(0)
    keep_shot(cases, "overpayment-cases.png")
    cases.apply_button.click()
    qtbot.waitUntil(
        lambda: cases.pick_bill is not None and cases.pick_bill.isVisible(), timeout=WAIT_MS
    )
    ask = cases.pick_bill
    assert isinstance(ask, QInputDialog)
    keep_shot(ask, "overpayment-apply-to-bill.png")
    with qtbot.waitSignal(cases.resolved, timeout=WAIT_MS) as resolved:
        ask.setTextValue(ask.comboBoxItems()[0])
        ask.accept()
    assert f"applied to bill {bill.number}" in resolved.args[0]
    qtbot.waitUntil(lambda: cases.table.rowCount() == 1, timeout=WAIT_MS)
    keep_shot(cases, "overpayment-case-resolved.png")

    # the second: QR Ph goes back by hand, cash from the drawer, with a slip
    cases.table.selectRow(0)
    refund_dialog = cases.refund_picked()
    assert refund_dialog is not None
    assert refund_dialog.form.by_hand
    assert refund_dialog.form.amount.isReadOnly()
    form = refund_dialog.form
    form.channel.setCurrentIndex(form.channel.findData(RefundChannel.E_WALLET.value))
    assert form.reference.isVisibleTo(refund_dialog)
    form.reference.setText("GC 7012 3345 8891")
    keep_shot(refund_dialog, "refund-dialog-manual.png")
    with qtbot.waitSignal(cases.loaded, timeout=WAIT_MS, check_params_cb=lambda c: c == []):
        refund_dialog.refund_button.click()
    assert refund_dialog.refund is not None
    assert refund_dialog.refund.refund.state is RefundState.SUCCEEDED
    assert refund_dialog.refund.slip_number
    assert refund_dialog.refund.slip_number in refund_dialog.status.text()
    assert refund_dialog.print_button.isVisible()
    keep_shot(refund_dialog, "refund-dialog-manual-done.png")
    assert "No overpayments to review." in cases.summary.text()
    with services.database.unit_of_work(read_only=True) as uow:
        actions = [(e.actor, e.action) for e in uow.audit.entries(limit=5000)]
        tenders = uow.tenders.list_for_bill(bill.id)
    assert ("demo-staff", "overpayment_applied") in actions
    assert ("demo-staff", "overpayment_refunded") in actions
    assert [t.method for t in tenders] == [TenderMethod.QRPH]
    refund_dialog.close()
    cases.close()


def test_a_receptionist_refunds_with_a_staff_pin_found_by_invoice_number_and_only_once(
    qtbot: QtBot, window: MainWindow, counter: tuple[CounterServices, PaymentBackend]
) -> None:
    services, backend = counter
    settlement = paid_on_the_phone(
        qtbot, window, shown_after(qtbot, window, Qt.Key.Key_F8, Qt.Key.Key_1)
    )
    services.access.sign_in("demo-receptionist", "9003")
    key_click(
        window,
        Qt.Key.Key_F,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.refund_dialog is None  # not for a receptionist on her own
    override = window.override
    assert override is not None
    assert override.isVisible()
    assert "demo-receptionist can't give refunds on their own" in override.reason.text()
    override.name_edit.setText("demo-staff")
    override.pin_edit.setText("9002")
    override.approve()
    qtbot.waitUntil(lambda: window.refund_dialog is not None, timeout=WAIT_MS)
    dialog = window.refund_dialog
    assert isinstance(dialog, RefundDialog)
    assert not dialog.results.isVisibleTo(dialog)

    # looking (find, what is refundable) leaves the approval for the refund itself
    key_clicks(dialog.search, settlement.invoice.number)
    with qtbot.waitSignal(dialog.options_shown, timeout=WAIT_MS) as shown:
        key_click(dialog.search, Qt.Key.Key_Return)
    assert shown.args[0].bill.invoice_number == settlement.invoice.number
    assert dialog.results.count() == 1
    assert cell_text(dialog.tenders, 0, 3) == str(settlement.tenders[0].amount)

    dialog.form.amount.setText("50.00")
    dialog.form.reason.setText("Overcharged for X-ray")
    with qtbot.waitSignal(dialog.options_shown, timeout=WAIT_MS):  # the new refundable
        dialog.refund_button.click()
    assert dialog.refund is not None
    assert dialog.refund.refund.requested_by == "demo-receptionist"
    assert dialog.refund.refund.approved_by == "demo-staff"
    assert [r["amount"] for r in refunds_in_ledger(backend)] == [50_00]
    with services.database.unit_of_work(read_only=True) as uow:
        asked = [e for e in uow.audit.entries() if e.action == "refund_requested"]
    assert [(e.actor, e.approver) for e in asked] == [("demo-receptionist", "demo-staff")]

    # the approval was for that one refund: the next one needs a staff PIN again
    with pytest.raises(PermissionDenied, match="can't give refunds"):
        services.access.require_approved(Permission.REFUND)
    dialog.close()
