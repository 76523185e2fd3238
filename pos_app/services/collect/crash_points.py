"""Named places where a payment can be interrupted, for the crash tests.

With ``POS_APP_CRASH_AT=<name>`` in the environment the process kills itself with SIGKILL when it
reaches that place: no cleanup, no flush, exactly like a power cut. Without it, nothing happens.
"""

from __future__ import annotations

import os
import signal

CRASH_ENV = "POS_APP_CRASH_AT"
NAMES = (
    "attempt_committed",  # the attempt row and its keys are stored; nothing sent
    "intent_sent",  # the create requests are about to leave
    "intent_answered",  # PayMongo answered the creates; ids not stored yet
    "attach_sent",  # attach is about to leave
    "attach_answered",  # attach answered; the QR not stored yet
    "paid_before_invoice",  # PayMongo says paid; tender and invoice not stored yet
    "invoice_committed",  # bill settled and invoice stored; nothing printed yet
)
# The steps of a GCash/GrabPay Source payment (collect/sources.py), between the ones above.
SOURCE_NAMES = (
    "attempt_committed",
    "source_sent",  # the create-source request is about to leave
    "source_answered",  # PayMongo made the source; its id not stored yet
    "payment_sent",  # the source is chargeable; the create-payment request is about to leave
    "payment_answered",  # PayMongo made the payment; its id not stored yet
    "paid_before_invoice",
    "invoice_committed",
)

# The steps of a refund (services/refunds): through PayMongo, then by hand.
REFUND_NAMES = (
    "refund_committed",  # the refund row and its Idempotency-Key are stored; nothing sent
    "refund_sent",  # the create-refund request is about to leave
    "refund_answered",  # PayMongo answered; the refund's id not stored yet
    "refund_done_before_booking",  # PayMongo says succeeded; bill and outbox not updated yet
    "refund_booked",  # refund, bill and outbox message stored together
)
MANUAL_REFUND_NAMES = ("slip_committed",)  # manual refund and its slip number stored; not printed


class CrashPoints:
    def __init__(self, crash_at: str | None = None) -> None:
        self.crash_at = crash_at if crash_at is not None else os.environ.get(CRASH_ENV)

    def reached(self, name: str) -> None:
        assert name in (*NAMES, *SOURCE_NAMES, *REFUND_NAMES, *MANUAL_REFUND_NAMES), name
        if self.crash_at == name:
            os.kill(os.getpid(), signal.SIGKILL)
