"""The counter offers only what the PayMongo account has, and knows PayMongo's amount limits.

Through the real main window against the embedded sandbox (paymongo-api.md 19.1 items 1-3;
issue 17 item 6: "QR Ph needs at least ₱20.00" before anything is asked of PayMongo).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.app import build_services
from pos_app.config import Secrets, load_settings
from pos_app.domain.tender import TenderMethod
from pos_app.services.counter import CounterServices, PaymentBackend
from pos_app.ui.main_window import MainWindow
from pos_sandbox.paymongo.config import PayMongoConfig
from pos_sandbox.paymongo.state import PayMongoState
from tests.ui.conftest import cell_text, key_click, key_clicks, signed_in
from tests.ui.payments.conftest import WAIT_MS
from tests.ui.payments.test_payment_panel import _start_qr

WITHOUT_SHOPEEPAY = ["card", "gcash", "paymaya", "grab_pay", "qrph"]


@pytest.fixture
def counter(
    tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[CounterServices, PaymentBackend]]:
    """The counter on an embedded sandbox whose account has ``request.param`` capabilities
    (the default capabilities when not parametrized)."""
    data = tmp_path / "data"
    data.mkdir()
    capabilities: list[str] | None = getattr(request, "param", None)
    if capabilities is not None:  # the embedded sandbox starts from its saved state
        state = PayMongoState(config=PayMongoConfig(capabilities=capabilities))
        state.save(data / "sandbox-state.json")
    settings = load_settings(
        {"POS_APP_DATA_DIR": str(data), "POS_APP_CONFIG_DIR": str(tmp_path / "cfg")}
    )
    services = signed_in(build_services(settings, Secrets()))
    backend = services.start_payment_backend()
    assert backend.clinic is not None  # sandbox mode: bills come from the clinic stand-in
    backend.clinic.run()
    yield services, backend
    services.shutdown()


def _intents_asked(backend: PaymentBackend) -> int:
    answer = httpx.get(f"{backend.paymongo_url}/_control/requests", timeout=10).json()
    entries = answer["requests"] if isinstance(answer, dict) else answer
    return sum(1 for e in entries if e["method"] == "POST" and e["path"] == "/v1/payment_intents")


@pytest.mark.parametrize("counter", [WITHOUT_SHOPEEPAY], indirect=True)
def test_an_account_without_shopeepay_is_not_offered_it(
    window: MainWindow, counter: tuple[CounterServices, PaymentBackend]
) -> None:
    _, backend = counter
    assert not backend.methods.offers(TenderMethod.SHOPEE_PAY)
    wallets = window.payment.wallets
    key_click(window, Qt.Key.Key_F8)
    assert window.payment.pages.currentWidget() is wallets
    assert wallets.buttons[TenderMethod.SHOPEE_PAY].isHidden()
    shown = [m for m, button in wallets.buttons.items() if not button.isHidden()]
    assert shown == [TenderMethod.GCASH, TenderMethod.PAYMAYA, TenderMethod.GRAB_PAY]
    assert not window.payment.qrph_button.isHidden()


def test_shopeepay_is_offered_when_the_account_has_it(window: MainWindow) -> None:
    assert not window.payment.wallets.buttons[TenderMethod.SHOPEE_PAY].isHidden()


@pytest.mark.parametrize(
    ("typed", "keys", "words"),
    [
        ("10.00", (Qt.Key.Key_F7,), "QR Ph needs at least ₱20.00"),
        ("100,000.00", (Qt.Key.Key_F8, Qt.Key.Key_1), "GCash takes less than ₱100,000.00"),
    ],
)
def test_an_amount_paymongo_would_refuse_is_refused_at_the_counter(
    window: MainWindow,
    counter: tuple[CounterServices, PaymentBackend],
    typed: str,
    keys: tuple[Qt.Key, ...],
    words: str,
) -> None:
    _, backend = counter
    before = _intents_asked(backend)
    payment = window.payment
    payment.amount_edit.clear()
    key_clicks(payment.amount_edit, typed)
    for key in keys:
        key_click(window, key)
    assert payment.pages.currentWidget() is payment.choose_page
    assert words in payment.hint.text()
    assert payment.current is None
    assert payment.qrph_button.isEnabled()  # nothing started: the counter is free
    assert _intents_asked(backend) == before  # no request left for PayMongo


def test_a_late_qrph_payment_is_listed_to_refund_by_hand(
    qtbot: QtBot, window: MainWindow, counter: tuple[CounterServices, PaymentBackend]
) -> None:
    # 19.1 item 5: PayMongo refuses every QR Ph refund, so staff are told to hand it back
    _, backend = counter
    update = _start_qr(qtbot, window)
    with qtbot.waitSignal(window.payment.display_changed, timeout=WAIT_MS):
        window.payment.remote.cancel_button.click()
    intent_id = update.attempt.paymongo_ids["intent"]
    answer = httpx.post(f"{backend.paymongo_url}/_control/objects/{intent_id}/pay_late")
    assert answer.status_code == 200, answer.text
    backend.collect.refresh(update.attempt.id)
    key_click(window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    dialog = window.overpayments
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=WAIT_MS)
    assert cell_text(dialog.table, 0, 3) == "QR Ph (refund by hand)"
