"""What the counter says and what PayMongo is told, through the real window against the sandbox:
keyed card turned off takes no card number, PayMongo's refusals in the receptionist's words (its
own code and detail kept in the log), and the clinic's bill number in every description PayMongo
stores."""

from __future__ import annotations

import logging

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from pos_app.domain.tender import TenderMethod
from pos_app.services.collect.results import AttemptUpdate
from pos_app.services.counter import CounterServices, PaymentBackend
from pos_app.ui.card_page import CardPage
from pos_app.ui.main_window import MainWindow
from tests.ui.conftest import key_click, key_clicks
from tests.ui.payments.conftest import WAIT_MS, link_of, phone, shown_after

KEYED_OFF = {"POS_APP_KEYED_CARD_ENABLED": "false"}
SOURCES = {"POS_APP_WALLET_SOURCES": "true"}


def _shown(window: MainWindow, text: str) -> bool:
    """``text`` is on screen in the main window."""
    return any(text in label.text() for label in window.findChildren(QLabel) if label.isVisible())


def _stored(backend: PaymentBackend, object_id: str) -> dict[str, object]:
    """The object as the sandbox keeps it (what PayMongo's dashboard would show)."""
    answer = httpx.get(f"{backend.paymongo_url}/_control/objects/{object_id}", timeout=10)
    answer.raise_for_status()
    attributes = answer.json()["data"]["attributes"]
    assert isinstance(attributes, dict)
    return attributes


# --- item 2: keyed card off -------------------------------------------------------------------


@pytest.mark.parametrize("counter", [KEYED_OFF], indirect=True)
def test_keyed_card_off_f3_takes_no_card_number_and_points_to_the_phone(
    qtbot: QtBot, window: MainWindow
) -> None:
    payment = window.payment
    key_click(window, Qt.Key.Key_F3)
    off = payment.card_off
    assert payment.pages.currentWidget() is off
    told = off.explanation.text()
    assert "Keyed card is off" in told
    assert "F4" in told
    assert "phone" in told
    # no screen in the window can take a card number: the form does not exist at all
    assert payment.card is None
    assert window.findChildren(CardPage) == []
    hints = [edit.placeholderText().lower() for edit in window.findChildren(QLineEdit)]
    assert not [hint for hint in hints if "card" in hint or "cvc" in hint]
    # F4 from there takes the card on the patient's phone
    update = shown_after(qtbot, window, Qt.Key.Key_F4)
    assert update.attempt.method is TenderMethod.CHECKOUT


# --- item 6: PayMongo's refusals in the receptionist's words --------------------------------


def test_payment_failed_for_unknown_reasons_says_what_to_do_next(
    qtbot: QtBot, window: MainWindow, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    update = shown_after(qtbot, window, Qt.Key.Key_F7)
    phone(link_of(update), authorize=False)  # the sandbox fails it as generic_decline
    qtbot.waitUntil(
        lambda: window.payment.current is not None and not window.payment.current.is_open,
        timeout=WAIT_MS,
    )
    current = window.payment.current
    assert current is not None
    told = current.message
    assert "unknown reasons" not in told
    assert "did not go through" in told
    assert "Try again" in told
    assert "cash (F6)" in told
    qtbot.waitUntil(lambda: _shown(window, told), timeout=WAIT_MS)
    # support still finds PayMongo's own code and words in the log
    assert "generic_decline" in caplog.text
    assert "failed to be processed due to unknown reasons" in caplog.text


def test_request_refused_by_paymongo_says_what_to_do_next(
    qtbot: QtBot,
    window: MainWindow,
    counter: tuple[CounterServices, PaymentBackend],
    caplog: pytest.LogCaptureFixture,
) -> None:
    _services, backend = counter
    httpx.post(
        f"{backend.paymongo_url}/_control/faults",
        json={"kind": "error", "status": 400, "method": "POST", "path_regex": "^/v1/payment_int"},
        timeout=10,
    ).raise_for_status()
    with qtbot.waitSignal(window.payment.problem, timeout=WAIT_MS) as refused:
        key_click(window, Qt.Key.Key_F7)
    told = refused.args[0]
    assert "refused the request" not in told
    assert "nothing was charged" in told.lower()
    assert "cash (F6)" in told
    assert _shown(window, told)
    # PayMongo's code and detail for support, in the log only
    assert "parameter_invalid" not in told
    assert "parameter_invalid: The request is invalid." in caplog.text


# --- item 8: the clinic's bill number in every description PayMongo stores -------------------


def _ledger_payments(backend: PaymentBackend) -> list[str]:
    ledger = httpx.get(f"{backend.paymongo_url}/_control/ledger", timeout=10).json()["ledger"]
    return [str(entry["id"]) for entry in ledger if entry["kind"] == "payment"]


def _bill_number(window: MainWindow) -> str:
    bill = window.payment.bill
    assert bill is not None
    return bill.number


def _assert_described(backend: PaymentBackend, object_id: str, number: str, bill_id: int) -> None:
    description = str(_stored(backend, object_id)["description"])
    assert description == f"Dorotheo Dental Clinic - Main — bill {number}", description
    assert f"bill {bill_id}" not in description.replace(number, "")


@pytest.mark.parametrize(
    ("keys", "kind"),
    [
        ((Qt.Key.Key_F7,), "intent"),  # QR Ph
        ((Qt.Key.Key_F8, Qt.Key.Key_2), "intent"),  # Maya through a payment intent
        ((Qt.Key.Key_F4,), "checkout"),  # card on the patient's phone
    ],
    ids=["qrph", "ewallet", "checkout"],
)
def test_paymongo_stores_the_bill_number_for_intents_and_checkout(
    qtbot: QtBot,
    window: MainWindow,
    counter: tuple[CounterServices, PaymentBackend],
    keys: tuple[Qt.Key, ...],
    kind: str,
) -> None:
    number = _bill_number(window)
    update = shown_after(qtbot, window, *keys)
    _assert_described(counter[1], update.attempt.paymongo_ids[kind], number, update.attempt.bill_id)


def test_paymongo_stores_the_bill_number_for_a_keyed_card(
    qtbot: QtBot, window: MainWindow, counter: tuple[CounterServices, PaymentBackend]
) -> None:
    number = _bill_number(window)
    key_click(window, Qt.Key.Key_F3)
    card = window.payment.card
    assert card is not None
    key_clicks(card.number_edit, "4343434343434345")
    key_clicks(card.expiry_edit, "12/30")
    key_clicks(card.cvc_edit, "123")
    with qtbot.waitSignal(window.payment.settled, timeout=WAIT_MS) as settled:
        card.charge_button.click()
    (payment,) = _ledger_payments(counter[1])  # made by the intent: it carries its description
    _assert_described(counter[1], payment, number, settled.args[0].bill.id)


@pytest.mark.parametrize("counter", [SOURCES], indirect=True)
def test_paymongo_stores_the_bill_number_for_a_source_and_its_payment(
    qtbot: QtBot, window: MainWindow, counter: tuple[CounterServices, PaymentBackend]
) -> None:
    backend = counter[1]
    number = _bill_number(window)
    update: AttemptUpdate = shown_after(qtbot, window, Qt.Key.Key_F8, Qt.Key.Key_1)
    bill_id = update.attempt.bill_id
    _assert_described(backend, update.attempt.paymongo_ids["source"], number, bill_id)
    with qtbot.waitSignal(window.payment.settled, timeout=WAIT_MS):
        phone(link_of(update))
    (payment,) = _ledger_payments(backend)  # the Payment the counter made from the source
    _assert_described(backend, payment, number, bill_id)
