"""The clinic server through the real window against the in-process sandbox: the offline
indicator, cash that waits and then arrives, and a bill the clinic changes while a QR is open."""

from __future__ import annotations

import httpx
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.domain.errors import UserFacingError
from pos_app.domain.money import Money
from pos_app.services.counter import CounterServices, PaymentBackend
from pos_app.ui.main_window import MainWindow
from tests.ui.conftest import keep_shot
from tests.ui.payments.conftest import counter, shown_after, window

__all__ = ["counter", "window"]

WAIT_MS = 30_000
# short deadlines and a 1 s sync interval, so going offline and coming back take seconds
FAST = {"POS_APP_REQUEST_DEADLINE_S": "1.5", "POS_APP_CLINIC_SYNC_INTERVAL_S": "1"}


def _indicator_text(window: MainWindow) -> str:
    assert window.clinic is not None
    indicator = window.clinic.indicator
    return indicator.text() if indicator.isVisible() else ""


@pytest.mark.parametrize("counter", [FAST], indirect=True)
def test_offline_indicator_comes_and_goes_and_cash_reaches_the_server_when_it_returns(
    qtbot: QtBot, window: MainWindow, counter: tuple[CounterServices, PaymentBackend]
) -> None:
    _, backend = counter
    url = backend.clinic_url
    assert url is not None
    assert window.clinic is not None
    assert window.clinic.driver is not None
    qtbot.waitUntil(lambda: window.clinic.driver.last_status is not None, timeout=WAIT_MS)  # type: ignore[union-attr]
    assert _indicator_text(window) == ""
    httpx.post(f"{url}/_control/faults", json={"kind": "error", "status": 503}).raise_for_status()
    window.sync_clinic_now()
    qtbot.waitUntil(
        lambda: "Clinic server offline since" in _indicator_text(window), timeout=WAIT_MS
    )
    assert "0 changes waiting" in _indicator_text(window)

    bill = window.payment.bill
    assert bill is not None
    assert bill.remote_id is not None
    window.payment.cash_button.click()
    window.payment.cash.tendered_edit.setText(bill.balance.format().lstrip("₱"))
    with qtbot.waitSignal(window.payment.settled, timeout=WAIT_MS):
        window.payment.cash.record_button.click()  # the counter keeps working from its cache
    qtbot.waitUntil(lambda: "1 change waiting" in _indicator_text(window), timeout=WAIT_MS)
    keep_shot(window, "clinic-offline.png")

    httpx.delete(f"{url}/_control/faults").raise_for_status()
    qtbot.waitUntil(lambda: _indicator_text(window) == "", timeout=WAIT_MS)  # clears by itself
    arrivals = httpx.get(f"{url}/_control/arrivals", params={"bill_id": bill.remote_id}).json()
    assert len(arrivals["arrivals"]) == 1
    record = httpx.get(f"{url}/_control/bills/{bill.remote_id}").json()
    assert record["status"] == "paid"
    assert record["invoice_number"] == "MAIN-01-000001"


@pytest.mark.parametrize("counter", [FAST], indirect=True)
def test_the_clinic_changes_the_amount_while_a_qr_is_open_and_it_must_be_accepted(
    qtbot: QtBot, window: MainWindow, counter: tuple[CounterServices, PaymentBackend]
) -> None:
    _, backend = counter
    url = backend.clinic_url
    assert url is not None
    assert window.clinic is not None
    bill = window.payment.bill
    assert bill is not None
    shown_after(qtbot, window, Qt.Key.Key_F7)  # the QR for the old amount is on screen
    httpx.patch(f"{url}/_control/bills/{bill.remote_id}", json={"amount": "4000.00"})
    window.sync_clinic_now()
    held = window.clinic.held
    assert held is not None
    qtbot.waitUntil(lambda: held.prompt is not None and held.prompt.isVisible(), timeout=WAIT_MS)
    assert held.prompt is not None
    expected = f"The clinic changed this bill: {bill.amount_due} → ₱4,000.00"
    assert expected in held.prompt.message.text()
    assert window.detail.bill is not None
    assert window.detail.bill.amount_due == bill.amount_due  # not changed under the receptionist
    keep_shot(window, "clinic-changed-amount.png")
    keep_shot(held.prompt, "clinic-changed-amount-prompt.png")
    with pytest.raises(UserFacingError, match="Accept the new amount"):  # nothing more collected
        backend.collect.pay_cash(bill.id, Money(100), Money(100))

    held.prompt.accept_button.click()
    qtbot.waitUntil(
        lambda: (
            window.detail.bill is not None and window.detail.bill.amount_due == Money.of_pesos(4000)
        ),
        timeout=WAIT_MS,
    )
    assert window.payment.bill is not None
    assert window.payment.bill.amount_due == Money.of_pesos(4000)
    assert window.clinic.driver is not None
    assert all(c.bill_id != bill.id for c in window.clinic.driver.sync.held_changes())
