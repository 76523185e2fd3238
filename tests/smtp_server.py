"""A real SMTP server in the test's process (aiosmtpd), for email receipts: it keeps every mail
it accepts and lets a test wait for the next one."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

WAIT_S = 10.0


class MailBox:
    """aiosmtpd's handler: the mails received, in order; ``refuse`` turns recipients away."""

    def __init__(self) -> None:
        self.mails: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self.refuse = False
        self._arrived = threading.Condition()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(mail, EmailMessage)
        with self._arrived:
            self.mails.append(mail)
            self.recipients.append(list(envelope.rcpt_tos))
            self._arrived.notify_all()
        return "250 Message accepted"

    def wait_for(self, count: int, timeout_s: float = WAIT_S) -> list[EmailMessage]:
        with self._arrived:
            arrived = self._arrived.wait_for(lambda: len(self.mails) >= count, timeout_s)
        assert arrived, f"{len(self.mails)} mails arrived, {count} expected"
        return list(self.mails)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(port: int, box: MailBox | None = None) -> Iterator[MailBox]:
    """An SMTP server on 127.0.0.1:``port`` (no TLS) until the block ends."""
    box = box or MailBox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def pdf_attachment(mail: EmailMessage) -> tuple[str, bytes]:
    """The one PDF attached: its file name and bytes."""
    (part,) = [p for p in mail.iter_attachments() if p.get_content_type() == "application/pdf"]
    content = part.get_content()
    assert isinstance(content, bytes)
    return str(part.get_filename()), content
