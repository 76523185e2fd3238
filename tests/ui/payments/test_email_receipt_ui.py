"""The Paid screen's "Email receipt…" through the real window against the in-process sandbox and
a real SMTP server (aiosmtpd): typed at the counter, queued at once, mailed in the background."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from pos_app.services.collect.results import Settlement
from pos_app.ui.main_window import MainWindow
from tests.smtp_server import free_port, pdf_attachment, smtp_server
from tests.ui.payments.conftest import WAIT_MS

PORT = free_port()
EMAIL_ON = {
    "POS_APP_EMAIL_RECEIPTS_ENABLED": "true",
    "POS_APP_SMTP_HOST": "127.0.0.1",
    "POS_APP_SMTP_PORT": str(PORT),
    "POS_APP_SMTP_SECURITY": "none",
    "POS_APP_SMTP_FROM": "billing@dorotheo.example",
}


def _paid_in_cash(qtbot: QtBot, window: MainWindow) -> Settlement:
    bill = window.payment.bill
    assert bill is not None
    window.payment.cash_button.click()
    window.payment.cash.tendered_edit.setText(bill.balance.format().lstrip("₱"))
    with qtbot.waitSignal(window.payment.settled, timeout=WAIT_MS) as settled:
        window.payment.cash.record_button.click()
    settlement = settled.args[0]
    assert isinstance(settlement, Settlement)
    return settlement


@pytest.mark.parametrize("counter", [EMAIL_ON], indirect=True)
def test_email_receipt_typed_at_the_paid_screen_goes_when_the_mail_server_is_back(
    qtbot: QtBot, window: MainWindow
) -> None:
    settlement = _paid_in_cash(qtbot, window)
    paid = window.payment.paid
    assert paid.email_row.isVisible()
    paid.email_edit.setText("maria.santos@example.com")
    paid.email_button.click()  # the mail server is down: queued all the same, at once
    qtbot.waitUntil(
        lambda: (
            paid.print_status.text() == "The receipt will be emailed to maria.santos@example.com."
        ),
        timeout=WAIT_MS,
    )
    paid.next_button.click()  # the counter goes on
    assert window.payment.pages.currentWidget() is window.payment.choose_page
    with smtp_server(PORT) as box:  # back: the sender's next try (a few seconds) finds it
        (mail,) = box.wait_for(1, timeout_s=30)
    assert mail["To"] == "maria.santos@example.com"
    assert pdf_attachment(mail)[0] == f"{settlement.invoice.number}.pdf"


def test_without_email_receipts_the_paid_screen_shows_no_email_field(
    qtbot: QtBot, window: MainWindow
) -> None:
    _paid_in_cash(qtbot, window)
    assert window.payment.pages.currentWidget() is window.payment.paid
    assert not window.payment.paid.email_row.isVisible()
