"""PayMongo's amount limits for each way of paying, known before asking.

One table, read by the payment service (which refuses to start a payment PayMongo would refuse)
and by the screen (which says so before anything is sent). Sources: paymongo-api.md section 9 and
19.1 item 3 — a payment intent takes 2000 to 999999999 centavos ("The minimum value for the amount
is 2000.", developers.paymongo.com/docs/qr-ph-errors); GCash fails a payment of ₱100,000 or more
with ``AMOUNT_EXCEED_LIMIT`` (developers.paymongo.com/docs/ewallet-errors); the other e-wallets
take up to ₱100,000 (PayMongo help centre, [M]); the older Sources flow starts at ₱100.00.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pos_app.domain.errors import AmountError
from pos_app.domain.money import Money
from pos_app.domain.tender import TenderMethod

__all__ = [
    "AMOUNT_LIMITS",
    "SOURCE_LIMITS",
    "AmountLimit",
    "PaymentLimitError",
    "check_amount_limit",
    "limit_problem",
]

INTENT_MINIMUM = Money(2000)  # ₱20.00
INTENT_MAXIMUM = Money(999_999_999)  # ₱9,999,999.99
E_WALLET_MAXIMUM = Money.of_pesos(100_000)


@dataclass(frozen=True, slots=True)
class AmountLimit:
    """The amounts one payment by a method may have: ``minimum`` up to ``maximum``, both
    included, or below ``below`` where PayMongo's rule is "under" an amount."""

    minimum: Money
    maximum: Money
    below: Money | None = None

    def allows(self, amount: Money) -> bool:
        if amount < self.minimum or amount > self.maximum:
            return False
        return self.below is None or amount < self.below


_INTENT = AmountLimit(INTENT_MINIMUM, INTENT_MAXIMUM)
_E_WALLET = AmountLimit(INTENT_MINIMUM, E_WALLET_MAXIMUM)

# Through a payment intent (QR Ph, e-wallets, cards) or a checkout session (which makes one).
AMOUNT_LIMITS: Mapping[TenderMethod, AmountLimit] = {
    TenderMethod.QRPH: _INTENT,
    TenderMethod.CARD: _INTENT,
    TenderMethod.CHECKOUT: _INTENT,
    TenderMethod.GCASH: AmountLimit(INTENT_MINIMUM, INTENT_MAXIMUM, below=E_WALLET_MAXIMUM),
    TenderMethod.PAYMAYA: _E_WALLET,
    TenderMethod.GRAB_PAY: _E_WALLET,
    TenderMethod.SHOPEE_PAY: _E_WALLET,
}
# Through PayMongo's older Sources flow (GCash and GrabPay only).
SOURCE_LIMITS: Mapping[TenderMethod, AmountLimit] = {
    TenderMethod.GCASH: AmountLimit(Money(10_000), INTENT_MAXIMUM, below=E_WALLET_MAXIMUM),
    TenderMethod.GRAB_PAY: AmountLimit(Money(10_000), E_WALLET_MAXIMUM),
}


class PaymentLimitError(AmountError):
    """The amount is outside what PayMongo takes for this way of paying; nothing was sent."""


def limit_problem(method: TenderMethod, amount: Money, *, via_source: bool = False) -> str | None:
    """What to tell the receptionist when PayMongo would refuse ``amount`` for ``method``, or
    None when it is within the limits (cash has none)."""
    limit = (SOURCE_LIMITS if via_source else AMOUNT_LIMITS).get(method)
    if limit is None or limit.allows(amount):
        return None
    label = method.label
    if amount < limit.minimum:
        return (
            f"{label} needs at least {limit.minimum}. Take {amount} in cash, "
            f"or collect a larger part of the bill by {label}."
        )
    if limit.below is not None and amount >= limit.below:
        return (
            f"{label} takes less than {limit.below} per payment. Collect part of the bill now "
            "and the rest as a second payment, or use another way to pay."
        )
    return (
        f"{label} takes at most {limit.maximum} per payment. Collect part of the bill now "
        "and the rest as a second payment."
    )


def check_amount_limit(method: TenderMethod, amount: Money, *, via_source: bool = False) -> None:
    """Raise ``PaymentLimitError`` (in the receptionist's words) when PayMongo would refuse."""
    problem = limit_problem(method, amount, via_source=via_source)
    if problem is not None:
        raise PaymentLimitError(problem, detail=f"{method.value} {amount.centavos} centavos")
