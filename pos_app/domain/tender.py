"""Tenders: the ways a bill gets paid, and the record of each payment taken."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from pos_app.domain.errors import AmountError
from pos_app.domain.money import Money

__all__ = ["SOURCE_METHODS", "Tender", "TenderMethod", "remaining", "settled_amount"]


class TenderMethod(StrEnum):
    """How the patient pays. Closed set; values are PayMongo's type names except ShopeePay's."""

    CASH = "cash"  # notes and coins at the counter; no PayMongo call
    QRPH = "qrph"  # PayMongo QR Ph code on the customer screen; any bank or e-wallet app pays it
    GCASH = "gcash"  # GCash e-wallet, redirect flow
    PAYMAYA = "paymaya"  # Maya e-wallet (PayMongo still calls it "paymaya"), redirect flow
    GRAB_PAY = "grab_pay"  # GrabPay e-wallet, redirect flow
    # ShopeePay e-wallet, redirect flow (payment intents only). The value is Kaha's own: PayMongo
    # spells it "shopeepay" or "shopee_pay", and the counter sends what the account's
    # capabilities say (domain/account_methods.py, paymongo-api.md 19.1 item 1).
    SHOPEE_PAY = "shopee_pay"
    CARD = "card"  # debit/credit card through a payment intent
    CHECKOUT = "checkout"  # PayMongo hosted checkout page: patient picks card or e-wallet there

    @property
    def label(self) -> str:
        """What the receptionist sees on buttons and receipts."""
        return _LABELS[self]

    @property
    def is_cash(self) -> bool:
        return self is TenderMethod.CASH

    @property
    def uses_paymongo(self) -> bool:
        return self is not TenderMethod.CASH


# The e-wallets PayMongo's older Sources flow also takes (it has no Maya)
SOURCE_METHODS = frozenset({TenderMethod.GCASH, TenderMethod.GRAB_PAY})

_LABELS: dict[TenderMethod, str] = {
    TenderMethod.CASH: "Cash",
    TenderMethod.QRPH: "QR Ph",
    TenderMethod.GCASH: "GCash",
    TenderMethod.PAYMAYA: "Maya",
    TenderMethod.GRAB_PAY: "GrabPay",
    TenderMethod.SHOPEE_PAY: "ShopeePay",
    TenderMethod.CARD: "Card",
    TenderMethod.CHECKOUT: "Card/e-wallet checkout",
}


@dataclass(frozen=True)
class Tender:
    """One payment recorded against a bill.

    ``amount`` is what goes to the bill. For cash, ``cash_tendered`` is what the patient handed
    over (at least ``amount``) and ``change_due`` is what goes back. ``attempt_id`` links an
    electronic tender to the ``PaymentAttempt`` that collected it.
    """

    id: int | None
    bill_id: int
    method: TenderMethod
    amount: Money
    attempt_id: str | None
    cash_tendered: Money | None = None

    def __post_init__(self) -> None:
        if self.cash_tendered is None:
            return
        if not self.method.is_cash:
            raise ValueError(f"cash_tendered only applies to cash, not {self.method}")
        if self.cash_tendered < self.amount:
            raise AmountError(
                f"The cash received ({self.cash_tendered}) is less than the amount to pay "
                f"({self.amount}). Please check the cash, or lower the amount for a part payment.",
                detail="cash tendered below amount",
            )

    @property
    def change_due(self) -> Money:
        """Change to hand back; zero for exact cash and for every non-cash tender."""
        if self.cash_tendered is None:
            return Money.ZERO
        return self.cash_tendered - self.amount


def settled_amount(tenders: Iterable[Tender]) -> Money:
    """Total of the tenders' ``amount`` (change excluded)."""
    return Money.total(tender.amount for tender in tenders)


def remaining(bill_amount_due: Money, tenders: Iterable[Tender]) -> Money:
    """What is still owed after ``tenders``; zero, never negative, once covered."""
    return bill_amount_due.minus_floor_zero(settled_amount(tenders))
