"""E-wallets, card on phone and keyed cards through the real screens against the sandbox.

The patient's side is the sandbox's test page, submitted by the test as the phone would.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.domain.tender import TenderMethod
from pos_app.ui.main_window import MainWindow
from tests.ui.conftest import key_click, key_clicks
from tests.ui.payments.conftest import WAIT_MS, link_of, paid_on_the_phone, phone, shown_after

DECLINES = {
    "4200000000000018": "card_expired",
    "4300000000000017": "cvc_invalid",
    "4400000000000016": "generic_decline",
    "4500000000000015": "fraudulent",
    "5100000000000198": "insufficient_funds",
    "5200000000000197": "processor_blocked",
    "5300000000000196": "lost_card",
    "5400000000000195": "stolen_card",
    "5500000000000194": "processor_unavailable",
    "4600000000000014": "blocked",
}
THREE_DS = "4120000000000007"
PLAIN_CARD = "4343434343434345"


@pytest.mark.parametrize(
    ("key", "method"),
    [
        (Qt.Key.Key_1, TenderMethod.GCASH),
        (Qt.Key.Key_2, TenderMethod.PAYMAYA),
        (Qt.Key.Key_3, TenderMethod.GRAB_PAY),
        (Qt.Key.Key_4, TenderMethod.SHOPEE_PAY),
    ],
)
def test_ewallet_link_paid_on_the_phone(
    qtbot: QtBot, window: MainWindow, key: Qt.Key, method: TenderMethod
) -> None:
    settlement = paid_on_the_phone(qtbot, window, shown_after(qtbot, window, Qt.Key.Key_F8, key))
    assert [tender.method for tender in settlement.tenders] == [method]


def test_card_on_phone_checkout_paid(qtbot: QtBot, window: MainWindow) -> None:
    update = shown_after(qtbot, window, Qt.Key.Key_F4)
    assert update.attempt.method is TenderMethod.CHECKOUT
    with qtbot.waitSignal(window.payment.settled, timeout=WAIT_MS) as settled:
        phone(link_of(update), method="gcash")
    assert settled.args[0].invoice.number


def _type_card(window: MainWindow, number: str) -> None:
    key_click(window, Qt.Key.Key_F3)
    card = window.payment.card
    assert card is not None
    assert window.payment.pages.currentWidget() is card
    key_clicks(card.number_edit, number)
    key_clicks(card.expiry_edit, "12/30")
    key_clicks(card.cvc_edit, "123")
    card.charge_button.click()
    # the number is gone from every widget the moment it is sent
    assert card.number_edit.text() == ""
    assert card.cvc_edit.text() == ""


def _receptionist_reads(window: MainWindow) -> str:
    payment = window.payment
    if payment.card is not None and payment.pages.currentWidget() is payment.card:
        return payment.card.problem.text()
    if payment.pages.currentWidget() is payment.remote and payment.current is not None:
        return "" if payment.current.is_open else payment.remote.status.text()
    return payment.hint.text()


def test_keyed_card_paid(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.payment.settled, timeout=WAIT_MS) as settled:
        _type_card(window, PLAIN_CARD)
    assert [t.method for t in settled.args[0].tenders] == [TenderMethod.CARD]


@pytest.mark.parametrize("number", list(DECLINES))
def test_keyed_card_decline_is_told_and_nothing_is_charged(
    qtbot: QtBot, window: MainWindow, number: str
) -> None:
    _type_card(window, number)
    qtbot.waitUntil(lambda: _receptionist_reads(window) != "", timeout=WAIT_MS)
    told = _receptionist_reads(window)
    assert "declined" in told.lower(), told  # "Declined: …" or "The bank declined the card: …"
    assert number not in told
    assert window.payment.settlement is None


@pytest.mark.parametrize("authorize", [True, False])
def test_keyed_card_3ds_on_the_phone(qtbot: QtBot, window: MainWindow, authorize: bool) -> None:
    with qtbot.waitSignal(
        window.payment.display_changed, timeout=WAIT_MS, check_params_cb=lambda u: u is not None
    ) as shown:
        _type_card(window, THREE_DS)
    update = shown.args[0]
    assert window.payment.remote.link_box.isVisibleTo(window.payment.remote)
    if authorize:
        with qtbot.waitSignal(window.payment.settled, timeout=WAIT_MS):
            phone(link_of(update))
        return
    phone(link_of(update), authorize=False)
    qtbot.waitUntil(lambda: _receptionist_reads(window) != "", timeout=WAIT_MS)
    assert window.payment.settlement is None
    assert window.payment.remote.again_button.isVisibleTo(window.payment.remote)
