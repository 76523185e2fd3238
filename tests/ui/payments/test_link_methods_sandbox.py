"""Every method shown as a QR/link, through the real screens against the sandbox: GCash and GrabPay
through Sources (the ``wallet_sources`` setting), and the unhappy paths of every link method —
the patient failing on the phone, the receptionist cancelling, the link running out.

The patient's side is the sandbox's test page, submitted by the test as the phone would.
"""

from __future__ import annotations

import httpx
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.domain.attempt import AttemptState
from pos_app.domain.bill import BillStatus
from pos_app.services.collect.results import AttemptUpdate
from pos_app.services.counter import CounterServices, PaymentBackend
from pos_app.ui.main_window import MainWindow
from tests.ui.payments.conftest import WAIT_MS, link_of, paid_on_the_phone, phone, shown_after

SOURCES = {"POS_APP_WALLET_SOURCES": "true"}
uses_sources = pytest.mark.parametrize("counter", [SOURCES], indirect=True)

GCASH, MAYA, GRABPAY, SHOPEEPAY = Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4
# (keys after choosing the bill, the counter's extra settings): every method shown as a link
LINK_METHODS = {
    "gcash-intent": ((Qt.Key.Key_F8, GCASH), {}),
    "maya-intent": ((Qt.Key.Key_F8, MAYA), {}),
    "grabpay-intent": ((Qt.Key.Key_F8, GRABPAY), {}),
    "shopeepay-intent": ((Qt.Key.Key_F8, SHOPEEPAY), {}),
    "card-on-phone": ((Qt.Key.Key_F4,), {}),
    "gcash-source": ((Qt.Key.Key_F8, GCASH), SOURCES),
    "grabpay-source": ((Qt.Key.Key_F8, GRABPAY), SOURCES),
}
EWALLETS = [name for name in LINK_METHODS if name != "card-on-phone"]


def each(names: list[str]) -> pytest.MarkDecorator:
    return pytest.mark.parametrize(
        ("keys", "counter"),
        [LINK_METHODS[name] for name in names],
        ids=names,
        indirect=["counter"],
    )


@pytest.fixture
def backend(counter: tuple[CounterServices, PaymentBackend]) -> PaymentBackend:
    return counter[1]


def _paymongo_object(update: AttemptUpdate) -> str:
    """The PayMongo object the patient's link belongs to."""
    ids = update.attempt.paymongo_ids
    return ids.get("source") or ids.get("checkout") or ids["intent"]


def _payments(backend: PaymentBackend) -> list[dict[str, object]]:
    ledger = httpx.get(f"{backend.paymongo_url}/_control/ledger", timeout=10).json()["ledger"]
    return [entry for entry in ledger if entry["kind"] == "payment"]


def _closed(qtbot: QtBot, window: MainWindow) -> AttemptUpdate:
    """Wait until the payment on screen is over, and return the news that closed it."""
    qtbot.waitUntil(
        lambda: window.payment.current is not None and not window.payment.current.is_open,
        timeout=WAIT_MS,
    )
    current = window.payment.current
    assert current is not None
    return current


def _offers_a_new_try(window: MainWindow) -> None:
    remote = window.payment.remote
    assert remote.qr_label.pixmap().isNull(), "a closed payment's QR is still on screen"
    assert remote.countdown.text() == ""
    assert not remote.link_box.isVisibleTo(remote)
    assert remote.again_button.isVisibleTo(remote)
    assert not remote.cancel_button.isVisibleTo(remote)
    assert window.payment.settlement is None


@uses_sources
@pytest.mark.parametrize(("key", "method"), [(GCASH, "gcash"), (GRABPAY, "grab_pay")])
def test_source_wallet_is_charged_by_the_counter_when_the_patient_approves(
    qtbot: QtBot,
    window: MainWindow,
    backend: PaymentBackend,
    key: Qt.Key,
    method: str,
) -> None:
    update = shown_after(qtbot, window, Qt.Key.Key_F8, key)
    assert set(update.attempt.idempotency_keys) == {"source", "payment"}  # a Source, not an intent
    settlement = paid_on_the_phone(qtbot, window, update)
    assert [tender.method.value for tender in settlement.tenders] == [method]
    assert settlement.bill.status is BillStatus.PAID
    # the counter made exactly one Payment from the chargeable source
    payments = _payments(backend)
    assert len(payments) == 1
    assert payments[0]["amount"] == update.attempt.amount.centavos


@uses_sources
def test_maya_stays_on_payment_intents_with_the_sources_setting(
    qtbot: QtBot, window: MainWindow
) -> None:
    update = shown_after(qtbot, window, Qt.Key.Key_F8, MAYA)
    assert "intent" in update.attempt.idempotency_keys
    with qtbot.waitSignal(window.payment.settled, timeout=WAIT_MS):
        phone(link_of(update))


@each(EWALLETS)
def test_patient_fails_on_the_phone_and_the_receptionist_is_told(
    qtbot: QtBot,
    window: MainWindow,
    backend: PaymentBackend,
    keys: tuple[Qt.Key, ...],
) -> None:
    update = shown_after(qtbot, window, *keys)
    phone(link_of(update), authorize=False)
    closed = _closed(qtbot, window)
    assert closed.attempt.state is AttemptState.FAILED
    told = window.payment.remote.status.text()
    assert told.startswith(("Declined", "The payment did not go through")), told
    _offers_a_new_try(window)
    assert closed.bill.status is BillStatus.PENDING
    assert _payments(backend) == []


@each(list(LINK_METHODS))
def test_escape_cancels_the_link_and_nothing_is_charged(
    qtbot: QtBot,
    window: MainWindow,
    backend: PaymentBackend,
    keys: tuple[Qt.Key, ...],
) -> None:
    first = shown_after(qtbot, window, *keys)
    with qtbot.waitSignal(
        window.payment.display_changed,
        timeout=WAIT_MS,
        check_params_cb=lambda u: u is not None and not u.is_open,
    ) as changed:
        window.payment.remote.cancel_button.click()
    assert changed.args[0].attempt.state is AttemptState.CANCELLED
    assert window.payment.remote.status.text() == "Cancelled. Nothing was charged."
    _offers_a_new_try(window)
    assert _payments(backend) == []
    # "Try again" (F7) starts the same method again for the same bill (issue 17)
    again = shown_after(qtbot, window, Qt.Key.Key_F7)
    assert again.attempt.method is first.attempt.method
    assert again.bill.id == first.bill.id


@each(list(LINK_METHODS))
def test_a_link_that_runs_out_closes_and_offers_a_new_one(
    qtbot: QtBot,
    window: MainWindow,
    backend: PaymentBackend,
    keys: tuple[Qt.Key, ...],
) -> None:
    update = shown_after(qtbot, window, *keys)
    answer = httpx.post(
        f"{backend.paymongo_url}/_control/objects/{_paymongo_object(update)}/expire", timeout=10
    )
    assert answer.status_code == 200, answer.text
    closed = _closed(qtbot, window)  # noticed by the monitor's next look, with no key pressed
    assert closed.attempt.state is AttemptState.EXPIRED
    _offers_a_new_try(window)
    assert window.customer_display.qr.isHidden()
