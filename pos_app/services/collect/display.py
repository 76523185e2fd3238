"""What the patient is shown for an open payment: PayMongo's QR Ph image, or a link drawn as a QR.

Threading contract: pure functions of PayMongo's answers; call them from any thread.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from pos_app.domain.attempt import PaymentAttempt
from pos_app.paymongo.models import PaymentIntent
from pos_app.services.collect.results import PaymentDisplay


def payment_description(clinic_name: str, bill_number: str) -> str:
    """The description PayMongo stores with every intent, source, payment and checkout session,
    shown in its dashboard: the clinic's own bill number (B-000845), which staff search for,
    never Kaha's internal bill id."""
    return f"{clinic_name} — bill {bill_number}"


def payment_metadata(attempt: PaymentAttempt, terminal_id: str) -> dict[str, str]:
    """What Kaha stores with every PayMongo object it creates: reconciliation matches a payment to
    its attempt by it, and leaves another counter's payments (``kaha_terminal``) to that counter."""
    return {
        "kaha_attempt": attempt.id,
        "kaha_bill": str(attempt.bill_id),
        "kaha_terminal": terminal_id,
    }


def link_display(attempt: PaymentAttempt, url: str, clinic_name: str) -> PaymentDisplay:
    """An e-wallet, 3-D Secure, source or checkout page: the phone opens ``url`` from the QR."""
    return PaymentDisplay(
        attempt_id=attempt.id,
        bill_id=attempt.bill_id,
        method=attempt.method,
        amount=attempt.amount,
        qr_png=None,
        qr_text=url,
        url=url,
        expires_at=None,  # PayMongo documents no expiry for these pages
        clinic_name=clinic_name,
    )


def intent_display(
    attempt: PaymentAttempt, intent: PaymentIntent, clinic_name: str
) -> PaymentDisplay | None:
    """The intent's ``next_action``: a redirect page, or a QR Ph code with its expiry."""
    next_action = intent.next_action
    if next_action is None:
        return None
    if next_action.redirect is not None:
        return link_display(attempt, next_action.redirect.url, clinic_name)
    code = next_action.code
    if code is None:
        return None
    return PaymentDisplay(
        attempt_id=attempt.id,
        bill_id=attempt.bill_id,
        method=attempt.method,
        amount=attempt.amount,
        qr_png=png_from_data_uri(code.image_url),
        qr_text=None,
        url=code.test_url,
        expires_at=parse_paymongo_time(code.expires_at) if code.expires_at else None,
        clinic_name=clinic_name,
    )


def parse_paymongo_time(text: str) -> datetime:
    """RFC 3339 as PayMongo writes it, including nanosecond fractions Python cannot parse."""
    stamp = text.strip().replace("Z", "+00:00")
    if "." in stamp:
        head, rest = stamp.split(".", 1)
        zone = rest.lstrip("0123456789")  # the fraction's digits only, not the offset's
        digits = rest[: len(rest) - len(zone)]
        stamp = f"{head}.{digits[:6].ljust(6, '0')}{zone}"
    moment = datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def png_from_data_uri(uri: str) -> bytes | None:
    prefix, _, data = uri.partition(",")
    if not prefix.startswith("data:image/png;base64"):
        return None
    try:
        return base64.b64decode(data, validate=True)
    except ValueError:
        return None
