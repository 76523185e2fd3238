"""What the counter hands the payment service: who is collecting, and a card typed at the counter.

Threading contract: immutable values; share them freely.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo

from pos_app.domain.account_methods import AccountMethods
from pos_app.domain.clinic_time import zone_named


@dataclass(frozen=True)
class CounterIdentity:
    """Who is collecting: the counter's invoice series and the name shown to patients."""

    terminal_id: str
    invoice_prefix: str
    clinic_name: str
    cashier: str = "counter"  # the audit's actor while nobody is signed in
    keyed_card_enabled: bool = False
    # the page PayMongo sends the patient's phone to after an e-wallet, 3DS or checkout page
    # (collect.finished; None: PayMongo's own result where it has one)
    finished_page: str | None = None
    # what the PayMongo account takes, and how it spells each type (read from its capabilities)
    paymongo_methods: AccountMethods = field(default_factory=AccountMethods.assumed)
    time_zone: str = "Asia/Manila"  # the clinic's: walk-in bill numbers read as its clock
    # the name of the person signed in at the counter now (AccessService.actor_name), if any
    signed_in: Callable[[], str | None] = field(default=lambda: None, compare=False)

    @property
    def actor(self) -> str:
        """Who the audit names for what this counter does now: the signed-in person."""
        return self.signed_in() or self.cashier

    @property
    def zone(self) -> tzinfo:
        return zone_named(self.time_zone)


@dataclass(frozen=True, repr=False)
class CardDetails:
    """A card typed at the counter (keyed entry). Held in memory for one request, never stored."""

    number: str
    exp_month: int
    exp_year: int
    cvc: str
    name: str | None = None
    email: str | None = None

    def __repr__(self) -> str:
        return f"CardDetails(****{self.number[-4:]})"

    def paymongo_details(self) -> dict[str, object]:
        """The ``details`` of a card payment method, as PayMongo wants them."""
        return {
            "card_number": self.number.replace(" ", ""),
            "exp_month": self.exp_month,
            "exp_year": self.exp_year,
            "cvc": self.cvc,
        }
