"""Email receipts (off by default; docs/email-receipts.md): the invoice PDF to the patient through
the clinic's own mail server.

Asking never waits on the mail server: ``queue`` stores an outbox row (kind ``email_receipt``) and
wakes the sender, a daemon thread of its own. The sender keeps the clinic sender's bookkeeping on
the row: a mail server that is away or busy is tried again after a wait that doubles with full
jitter up to 5 minutes (``OUTBOX_BACKOFF``), the next try stored on the row so a restart keeps it;
a mail server that refuses the address for good (a 5xx answer) stops that one message, with its
words kept. A retry after a lost answer sends the same Message-ID, so the patient's mail program
can tell a repeat.

Threading contract: ``queue`` blocks on the database (call it on a worker); ``send_due`` blocks on
the mail server and runs on the sender's thread (tests may call it directly, without ``start``);
``start`` and ``stop`` may be called from any thread.
"""

from __future__ import annotations

import logging
import random
import smtplib
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate

from pos_app.config import SmtpSecurity
from pos_app.domain.clock import Clock
from pos_app.domain.errors import NotFound, PosError, UserFacingError
from pos_app.http_policy import RetryPolicy, backoff_s
from pos_app.services.clinic_sync.sender import OUTBOX_BACKOFF
from pos_app.services.receipts import ReceiptService
from pos_app.storage import Database, OutboxMessage
from pos_app.storage.repositories.outbox import EMAIL_RECEIPT_KIND

log = logging.getLogger(__name__)

STOP_EMAIL_REFUSED = "email_refused"  # the mail server refused the address or the message
IDLE_WAIT_S = 300.0  # with nothing waiting, look again this often (a wake comes sooner)


@dataclass(frozen=True)
class MailServer:
    """The clinic's SMTP server; the password comes from the keyring (secret smtp_password)."""

    host: str
    port: int
    security: SmtpSecurity
    sender: str  # the From address patients see
    user: str = ""
    password: str | None = field(default=None, repr=False)
    timeout_s: float = 30.0


class EmailReceipts:
    def __init__(
        self,
        database: Database,
        receipts: ReceiptService,
        server: MailServer,
        clock: Clock,
        *,
        clinic_name: str,
        backoff: RetryPolicy = OUTBOX_BACKOFF,
        draw: Callable[[], float] | None = None,
    ) -> None:
        self._database = database
        self._receipts = receipts
        self._server = server
        self._clock = clock
        self._clinic_name = clinic_name
        self._backoff = backoff
        self._draw = draw or random.Random().random
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="email-receipts", daemon=True)

    def queue(self, bill_id: int, invoice_number: str, address: str) -> str:
        """Queue the invoice's PDF for ``address``; returns what the receptionist is told."""
        to = _checked_address(address)
        with self._database.unit_of_work() as uow:
            uow.outbox.enqueue(
                bill_id,
                EMAIL_RECEIPT_KIND,
                {"to": to, "invoice": invoice_number},
                at=self._clock.now(),
            )
            uow.commit()
        self._wake.set()
        return f"The receipt will be emailed to {to}."

    def send_due(self, limit: int = 20) -> int:
        """Send the waiting receipts that are due; stops at the first sign the server is away.
        Returns how many went."""
        now = self._clock.now()
        with self._database.unit_of_work(read_only=True) as uow:
            waiting = uow.outbox.waiting_emails(limit)
        due = [m for m in waiting if m.next_try_at is None or m.next_try_at <= now]
        sent = 0
        for message in due:
            try:
                mail = self._mail(message)
            except PosError as unsendable:  # no such invoice on the bill any more
                self._stop(message, unsendable.user_message)
                continue
            try:
                self._send(mail)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as refused:
                self._stop(message, str(refused))
                continue
            except smtplib.SMTPResponseException as answer:
                if 500 <= answer.smtp_code < 600:
                    self._stop(message, f"{answer.smtp_code} {answer.smtp_error!r}")
                    continue
                self._retry_later(message, f"{answer.smtp_code} {answer.smtp_error!r}")
                break
            except (OSError, smtplib.SMTPException) as away:  # down, busy, cut off
                self._retry_later(message, f"{type(away).__name__}: {away}")
                break
            with self._database.unit_of_work() as uow:
                uow.outbox.mark_sent_many([message.id], at=self._clock.now())
                uow.commit()
            sent += 1
        return sent

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.send_due()
            except Exception:  # the database, the PDF: logged; the next wake tries again
                log.exception("email receipts: a pass failed")
            self._wake.wait(self._seconds_to_next())
            self._wake.clear()

    def _seconds_to_next(self) -> float:
        with self._database.unit_of_work(read_only=True) as uow:
            waiting = uow.outbox.waiting_emails(100)
        tries = [m.next_try_at for m in waiting if m.next_try_at is not None]
        if len(tries) < len(waiting):
            return 0.5  # one is due now (queued during this pass)
        if not tries:
            return IDLE_WAIT_S
        return max(0.5, min((min(tries) - self._clock.now()).total_seconds(), IDLE_WAIT_S))

    def _send(self, mail: EmailMessage) -> None:
        send_mail(self._server, mail)

    def _mail(self, message: OutboxMessage) -> EmailMessage:
        from pos_app.printing.pdf import render_pdf
        from pos_app.services.collect.results import Settlement

        number = str(message.payload["invoice"])
        history = self._receipts.history(message.bill_id)
        if history.invoice is None or history.invoice.number != number:
            raise NotFound(f"Invoice {number} is not on bill {history.bill.number}.")
        tenders = tuple(tender for tender, _ in history.tenders)
        document = self._receipts.document(Settlement(history.bill, history.invoice, tenders))
        mail = EmailMessage()
        mail["From"] = self._server.sender
        mail["To"] = str(message.payload["to"])
        mail["Subject"] = f"Your invoice {number} from {self._clinic_name}"
        mail["Date"] = formatdate(localtime=True)
        mail["Message-ID"] = f"<{message.idempotency_key}@kaha.receipt>"  # the same on a retry
        mail.set_content(
            f"Thank you for your payment to {self._clinic_name}.\n\n"
            f"Your invoice {number} is attached as a PDF.\n"
        )
        mail.add_attachment(
            render_pdf(document), maintype="application", subtype="pdf", filename=f"{number}.pdf"
        )
        return mail

    def _stop(self, message: OutboxMessage, words: str) -> None:
        log.warning("email receipt %d not sent (refused): %s", message.id, words)
        with self._database.unit_of_work() as uow:
            uow.outbox.stop(message.id, STOP_EMAIL_REFUSED, words, at=self._clock.now())
            uow.commit()

    def _retry_later(self, message: OutboxMessage, error: str) -> None:
        wait = backoff_s(self._backoff, message.attempts + 1, self._draw())
        next_try = self._clock.now() + timedelta(seconds=max(wait, 0.5))
        log.info("email receipt %d waits for the mail server: %s", message.id, error)
        with self._database.unit_of_work() as uow:
            uow.outbox.schedule_retry(message.id, error, next_try_at=next_try)
            uow.commit()


def send_mail(server: MailServer, mail: EmailMessage) -> None:
    """Send ``mail`` through ``server`` (its security, its login); smtplib's errors and
    OSError say why not. Email receipts and the settings window's test both send here."""
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if server.security is SmtpSecurity.SSL:
        smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=server.timeout_s, context=context)
    else:
        smtp = smtplib.SMTP(server.host, server.port, timeout=server.timeout_s)
    with smtp:
        if server.security is SmtpSecurity.STARTTLS:
            smtp.starttls(context=context)
        if server.user:
            smtp.login(server.user, server.password or "")
        smtp.send_message(mail)


def mail_trouble(exc: BaseException) -> str:
    """What went wrong with the mail server, in a few words (the settings window's test)."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "it refused the user name or password."
    if isinstance(exc, smtplib.SMTPResponseException):
        words = exc.smtp_error
        text = words.decode(errors="replace") if isinstance(words, bytes) else str(words)
        return f"it answered {exc.smtp_code} {text}."
    if isinstance(exc, TimeoutError):
        return "it did not answer in time."
    if isinstance(exc, ConnectionRefusedError):
        return "nothing answers at that address and port."
    return f"{exc}." if str(exc) else f"{type(exc).__name__}."


def trial_message(sender: str, clinic_name: str) -> EmailMessage:
    """The settings window's test email: to the clinic's own From address."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = sender
    mail["Subject"] = f"Kaha test email from {clinic_name}"
    mail["Date"] = formatdate(localtime=True)
    mail.set_content(
        "This is a test from Kaha's settings window: email receipts can go out through "
        "this mail server.\n"
    )
    return mail


def _checked_address(address: str) -> str:
    """One plain address, as typed at the counter; refused in plain words otherwise."""
    text = address.strip()
    try:
        parsed = Address(addr_spec=text)
    except (ValueError, IndexError) as bad:
        raise UserFacingError(
            "That email address doesn't look right. Type it like name@example.com."
        ) from bad
    if not parsed.username or "." not in parsed.domain:
        raise UserFacingError(
            "That email address doesn't look right. Type it like name@example.com."
        )
    return parsed.addr_spec
