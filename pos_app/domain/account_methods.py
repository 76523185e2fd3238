"""Which ways of paying the clinic's PayMongo account has, and how PayMongo spells each.

Read from ``GET /v1/merchants/capabilities/payment_methods``, a bare JSON array of strings
(paymongo-api.md 19.1 item 2). ShopeePay's type is spelled ``shopeepay`` in PayMongo's current
e-wallets guide (developers.paymongo.com/docs/payment-acceptance-e-wallets) and ``shopee_pay`` in
older integrations (19.1 item 1): both are read, and the counter sends back exactly the spelling
the account's capabilities used, never a hard-coded one.

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pos_app.domain.errors import UserFacingError
from pos_app.domain.tender import TenderMethod

__all__ = ["AccountMethods", "MethodUnavailable"]

# Every spelling PayMongo is known to use for each way of paying, the current one first.
_SPELLINGS: Mapping[TenderMethod, tuple[str, ...]] = {
    TenderMethod.QRPH: ("qrph",),
    TenderMethod.GCASH: ("gcash",),
    TenderMethod.PAYMAYA: ("paymaya",),
    TenderMethod.GRAB_PAY: ("grab_pay",),
    TenderMethod.SHOPEE_PAY: ("shopeepay", "shopee_pay"),
    TenderMethod.CARD: ("card",),
}
# A hosted checkout offers the patient whatever of these the account has.
CHECKOUT_METHODS = (
    TenderMethod.CARD,
    TenderMethod.GCASH,
    TenderMethod.PAYMAYA,
    TenderMethod.GRAB_PAY,
    TenderMethod.QRPH,
)


class MethodUnavailable(UserFacingError):
    """The clinic's PayMongo account does not take this way of paying."""


@dataclass(frozen=True)
class AccountMethods:
    """The account's ways of paying; ``wire_types`` maps each one it has to PayMongo's spelling."""

    wire_types: Mapping[TenderMethod, str] = field(default_factory=dict)

    @classmethod
    def from_capabilities(cls, names: Iterable[str]) -> AccountMethods:
        have = set(names)
        found: dict[TenderMethod, str] = {}
        for method, spellings in _SPELLINGS.items():
            spelled = next((name for name in spellings if name in have), None)
            if spelled is not None:
                found[method] = spelled
        return cls(found)

    @classmethod
    def assumed(cls) -> AccountMethods:
        """Until PayMongo answered: every method, in its current spelling (PayMongo still
        refuses what the account lacks, in words the counter shows)."""
        return cls({method: spellings[0] for method, spellings in _SPELLINGS.items()})

    def offers(self, method: TenderMethod) -> bool:
        if method is TenderMethod.CASH:
            return True
        if method is TenderMethod.CHECKOUT:
            return bool(self.checkout_types())
        return method in self.wire_types

    def require(self, method: TenderMethod) -> None:
        """Raise ``MethodUnavailable`` (in the receptionist's words) unless the account has it."""
        if not self.offers(method):
            raise MethodUnavailable(
                f"The clinic's PayMongo account does not take {method.label}. "
                "Use another way to pay, or ask the clinic manager to turn it on at PayMongo.",
                detail=method.value,
            )

    def wire_type(self, method: TenderMethod) -> str:
        """PayMongo's type for ``method`` as this account spells it."""
        self.require(method)
        return self.wire_types[method]

    def checkout_types(self) -> list[str]:
        """The types a hosted checkout may offer, as the account spells them."""
        return [self.wire_types[m] for m in CHECKOUT_METHODS if m in self.wire_types]
