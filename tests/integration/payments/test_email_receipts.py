"""Email receipts (issue 15 item 8): the invoice PDF reaches a real SMTP server in-process; with the
mail server down the counter goes on and the mail goes later, from the outbox with backoff."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from pos_app.app import build_services
from pos_app.config import Secrets, SmtpSecurity, load_settings
from pos_app.domain.bill import BillStatus
from pos_app.domain.clock import FakeClock
from pos_app.domain.errors import UserFacingError
from pos_app.services.collect.results import Settlement
from pos_app.services.counter import CounterServices, PaymentBackend
from pos_app.services.email_receipts import STOP_EMAIL_REFUSED, EmailReceipts, MailServer
from tests.smtp_server import MailBox, free_port, pdf_attachment, smtp_server

PATIENT = "juan.delacruz@example.com"


@dataclass
class Counter:
    services: CounterServices
    backend: PaymentBackend
    port: int

    def pay_cash(self) -> Settlement:
        with self.services.database.unit_of_work(read_only=True) as uow:
            bill = next(b for b in uow.bills.list_queue(BillStatus.PENDING, 50) if b.balance)
        paid = self.backend.collect.pay_cash(bill.id, bill.balance, bill.balance)
        assert paid.settlement is not None
        return paid.settlement


@pytest.fixture
def counter(tmp_path: Path) -> Iterator[Counter]:
    """Sandbox mode with email receipts on, pointed at a port where a test may start a server."""
    yield from _counter(tmp_path, emails_on=True)


@pytest.fixture
def quiet_counter(tmp_path: Path) -> Iterator[Counter]:
    """The same with no sender of its own running: the test runs the passes, on its clock."""
    yield from _counter(tmp_path, emails_on=False)


def _counter(tmp_path: Path, *, emails_on: bool) -> Iterator[Counter]:
    port = free_port()
    settings = load_settings(
        {
            "POS_APP_DATA_DIR": str(tmp_path / "data"),
            "POS_APP_CONFIG_DIR": str(tmp_path / "cfg"),
            "POS_APP_EMAIL_RECEIPTS_ENABLED": str(emails_on).lower(),
            "POS_APP_SMTP_HOST": "127.0.0.1",
            "POS_APP_SMTP_PORT": str(port),
            "POS_APP_SMTP_SECURITY": "none",
            "POS_APP_SMTP_FROM": "Dorotheo Dental <billing@dorotheo.example>",
        }
    )
    services = build_services(settings, Secrets())
    try:
        backend = services.start_payment_backend()
        assert backend.clinic is not None
        backend.clinic.run()
        yield Counter(services, backend, port)
    finally:
        services.shutdown()


def test_the_invoice_pdf_reaches_the_clinics_mail_server(counter: Counter) -> None:
    with smtp_server(counter.port) as box:
        settlement = counter.pay_cash()
        said = counter.services.receipts.email_invoice(settlement, f"  {PATIENT} ")
        assert said == f"The receipt will be emailed to {PATIENT}."
        (mail,) = box.wait_for(1)
    number = settlement.invoice.number
    assert box.recipients == [[PATIENT]]
    assert mail["To"] == PATIENT
    assert mail["From"] == "Dorotheo Dental <billing@dorotheo.example>"
    assert number in mail["Subject"]
    name, pdf = pdf_attachment(mail)
    assert name == f"{number}.pdf"
    assert pdf.startswith(b"%PDF")


def _emails(counter: Counter, clock: FakeClock) -> EmailReceipts:
    """The sender on a clock the test moves (not started: the test runs its passes)."""
    server = MailServer("127.0.0.1", counter.port, SmtpSecurity.NONE, "billing@dorotheo.example")
    return EmailReceipts(
        counter.services.database,
        counter.services.receipts,
        server,
        clock,
        clinic_name="Dorotheo Dental",
        draw=lambda: 1.0,  # the longest wait backoff allows: the retry is surely not due early
    )


def test_with_the_mail_server_down_the_counter_goes_on_and_the_mail_goes_later(
    quiet_counter: Counter,
) -> None:
    counter = quiet_counter
    clock = FakeClock()
    emails = _emails(counter, clock)
    first = counter.pay_cash()
    emails.queue(first.invoice.bill_id, first.invoice.number, PATIENT)  # at once: stored only
    assert emails.send_due() == 0  # nobody listens on the port
    with counter.services.database.unit_of_work(read_only=True) as uow:
        (waiting,) = uow.outbox.waiting_emails()
    assert waiting.attempts == 1
    assert waiting.last_error
    assert waiting.next_try_at is not None
    assert waiting.next_try_at > clock.now()

    second = counter.pay_cash()  # the counter goes on meanwhile
    assert second.invoice.number != first.invoice.number
    assert counter.backend.clinic is not None
    counter.backend.clinic.run()  # the clinic sender sends the payments, not the mail
    with counter.services.database.unit_of_work(read_only=True) as uow:
        assert uow.outbox.pending_count() == 0
        assert uow.outbox.waiting_emails() == [waiting]

    with smtp_server(counter.port) as box:
        assert emails.send_due() == 0  # back, but the wait is not over: backoff
        clock.advance(timedelta(minutes=5))
        assert emails.send_due() == 1
        (mail,) = box.wait_for(1)
    assert pdf_attachment(mail)[0] == f"{first.invoice.number}.pdf"
    with counter.services.database.unit_of_work(read_only=True) as uow:
        assert uow.outbox.waiting_emails() == []
        sent = uow.outbox.get(waiting.id)
    assert sent is not None
    assert sent.sent_at is not None


def test_an_address_the_mail_server_refuses_stops_that_mail_only(quiet_counter: Counter) -> None:
    counter = quiet_counter
    clock = FakeClock()
    emails = _emails(counter, clock)
    settlement = counter.pay_cash()
    box = MailBox()
    box.refuse = True
    with smtp_server(counter.port, box):
        emails.queue(settlement.invoice.bill_id, settlement.invoice.number, "nobody@example.com")
        assert emails.send_due() == 0
    with counter.services.database.unit_of_work(read_only=True) as uow:
        assert uow.outbox.waiting_emails() == []
        (stopped,) = uow.outbox.stopped(STOP_EMAIL_REFUSED)
    assert "No such user" in (stopped.last_error or "")


@pytest.mark.parametrize("typed", ["juan", "juan@", "two@example.com, three@example.com"])
def test_an_address_that_does_not_look_right_is_refused_in_plain_words(
    counter: Counter, typed: str
) -> None:
    settlement = counter.pay_cash()
    with pytest.raises(UserFacingError) as refused:
        counter.services.receipts.email_invoice(settlement, typed)
    assert "name@example.com" in refused.value.user_message
