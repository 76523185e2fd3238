"""Where the patient's phone lands after paying by e-wallet or card checkout.

See docs/payment-finished.md.

PayMongo sends the phone to a page of ours when the e-wallet or card page is done: the payment
intent's ``return_url``, the source's ``redirect.success``/``failed``, the checkout session's
``success_url``/``cancel_url``. Which page, first that applies:

1. the ``payment_finished_url`` setting (the clinic's own web page);
2. sandbox mode: the embedded sandbox's page (``/sandbox/payment-finished``);
3. a clinic server: its page (``/api/payment-finished/``, kaha_clinic.finished);
4. none: card checkout shows PayMongo's own result page; e-wallets, which need an address,
   go to PayMongo's public site (start-up logs a warning asking for the setting, and tells the
   owner in the window, as the settings window does beside the setting: ``no_clinic_page``).

Sources and checkout sessions say how it ended (``?outcome=paid`` or ``failed``); a payment
intent's single return address cannot, so its page says the counter's screen has the result.
"""

from __future__ import annotations

import logging
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

log = logging.getLogger(__name__)

SANDBOX_PAGE = "/sandbox/payment-finished"
CLINIC_PAGE = "/api/payment-finished/"
PAYMONGO_SITE = "https://www.paymongo.com/"  # for e-wallets when there is no page at all
NO_CLINIC_PAGE = (
    "After paying by e-wallet or card on their phone, patients land on PayMongo's page, not "
    "the clinic's: to show your own, set “Page after paying by phone” in "
    "Owner → Settings… → Clinic."
)


def payment_finished_url(
    setting: str, *, sandbox_url: str | None, clinic_url: str | None
) -> str | None:
    """The page per the order above; None when there is none (see ``return_address``)."""
    if setting:
        return setting
    if sandbox_url:
        return sandbox_url.rstrip("/") + SANDBOX_PAGE
    if clinic_url:
        return clinic_url.rstrip("/") + CLINIC_PAGE
    log.warning(
        "no payment_finished_url and no clinic server: after an e-wallet payment the patient's "
        "phone goes to PayMongo's site; set payment_finished_url (docs/payment-finished.md)"
    )
    return None


def no_clinic_page(setting: str, *, sandbox: bool, clinic_url: str | None) -> str | None:
    """What to tell the owner when a real PayMongo key has no page of the clinic's to send
    the patient's phone to (case 4 above); None when there is one."""
    if setting.strip() or sandbox or (clinic_url or "").strip():
        return None
    return NO_CLINIC_PAGE


def return_address(page: str | None) -> str:
    """For a payment intent (e-wallet or 3DS), which must have an address."""
    return page or PAYMONGO_SITE


def with_outcome(page: str | None, outcome: Literal["paid", "failed"]) -> str | None:
    """The page with ``outcome`` in its query (None stays None: PayMongo's own page)."""
    if page is None:
        return None
    parts = urlsplit(page)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "outcome"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("outcome", outcome)])))
