"""Payment methods (fact sheet §5): validation of card details, QR Ph expiry, bank codes.

Threading contract: every function expects `PayMongoState.lock` to be held by the caller.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pos_sandbox.paymongo.cards import luhn_valid
from pos_sandbox.paymongo.errors import invalid, wrong_type
from pos_sandbox.paymongo.store import Store
from pos_sandbox.paymongo.validate import get_dict, get_int, metadata, need_str, one_of

Json = dict[str, Any]

SHOPEEPAY_SPELLINGS = frozenset({"shopeepay", "shopee_pay"})
METHOD_TYPES = {"card", "paymaya", "gcash", "grab_pay", "qrph", "dob", *SHOPEEPAY_SPELLINGS}
METHOD_TYPES |= {"brankas", "billease", "atome"}
REDIRECT_TYPES = METHOD_TYPES - {"card", "qrph"}


def check_account_spelling(store: Store, kind: str, pointer: str) -> None:
    """ShopeePay is accepted only as the account's capabilities spell it (19.1 item 1): the
    other spelling, or ShopeePay on an account without it, is refused like an unknown type."""
    if kind in SHOPEEPAY_SPELLINGS and kind not in store.config.capabilities:
        raise invalid(
            "parameter_invalid", f"{kind} is not a payment method of this account.", pointer
        )


def _card_details(store: Store, details: Json) -> tuple[Json, str]:
    number = need_str(details, "card_number", pointer="details.card_number").replace(" ", "")
    if not number.isdigit() or not 12 <= len(number) <= 19 or not luhn_valid(number):
        raise invalid(
            "parameter_format_invalid", "The card number is invalid.", "details.card_number"
        )
    month = get_int(details, "exp_month", minimum=1, maximum=12, pointer="details.exp_month")
    year = get_int(details, "exp_year", pointer="details.exp_year")
    assert month is not None
    assert year is not None
    year = year + 2000 if year < 100 else year
    today = dt.datetime.fromtimestamp(store.clock.now(), dt.UTC)
    if (year, month) < (today.year, today.month):
        raise invalid("parameter_invalid", "The card is already expired.", "details.exp_month")
    cvc = details.get("cvc")
    if cvc is None:
        raise invalid("parameter_required", "details.cvc is required.", "details.cvc")
    if not isinstance(cvc, str):
        raise wrong_type("details.cvc", "a string")
    if not cvc.isdigit() or not 3 <= len(cvc) <= 4:
        raise invalid("parameter_format_invalid", "The cvc is invalid.", "details.cvc")
    return {"last4": number[-4:], "exp_month": month, "exp_year": year}, number


def create_method(store: Store, livemode: bool, attrs: Json) -> Json:
    kind = one_of(attrs, "type", METHOD_TYPES)
    assert kind is not None
    check_account_spelling(store, kind, "type")
    details_in = get_dict(attrs, "details") or {}
    private: Json = {}
    details: Json | None = None
    extra: Json = {}
    if kind == "card":
        if not details_in:
            raise invalid("parameter_required", "details is required.", "details")
        details, private["card_number"] = _card_details(store, details_in)
    elif kind in {"dob", "brankas"}:
        details = {"bank_code": need_str(details_in, "bank_code", pointer="details.bank_code")}
    if kind == "qrph" or kind in SHOPEEPAY_SPELLINGS:
        low, high = (60, 9000) if kind == "qrph" else (1, 3600)
        expiry = get_int(attrs, "expiry_seconds", minimum=low, maximum=high, optional=True)
        if expiry is not None:
            extra["expiry_seconds"] = expiry
    billing = get_dict(attrs, "billing")
    attributes = {
        "billing": billing,
        "details": details,
        "type": kind,
        "metadata": metadata(attrs),
        **extra,
    }
    return store.add("pm_", "payment_method", livemode, attributes, private)


def update_method(store: Store, method: Json, attrs: Json) -> None:
    changes: Json = {}
    if "metadata" in attrs:
        changes["metadata"] = metadata(attrs)
    if "billing" in attrs:
        changes["billing"] = get_dict(attrs, "billing")
    store.touch(method, **changes)
