"""Wire models for PayMongo-hosted payment pages: checkout sessions and (legacy) links."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from pos_app.paymongo.models._fields import Fields, resource
from pos_app.paymongo.models.payments import Payment, PaymentIntent, embedded_payment, single_raw


class CheckoutSessionStatus(StrEnum):
    ACTIVE = "active"  # can still be paid; NOT proof that it is unpaid (see payments)
    EXPIRED = "expired"  # expired by us or by time (terminal)


class LinkStatus(StrEnum):
    UNPAID = "unpaid"  # waiting for payment
    PAID = "paid"  # paid (see payments)
    REFUNDED = "refunded"  # paid, then refunded


@dataclass(frozen=True, slots=True)
class LineItem:
    """One line on a checkout page; ``amount`` is the unit price in centavos."""

    name: str
    amount: int
    quantity: int
    currency: str = "PHP"
    description: str | None = None

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "name": self.name,
            "amount": self.amount,
            "quantity": self.quantity,
            "currency": self.currency,
        }
        if self.description is not None:
            data["description"] = self.description
        return data

    @classmethod
    def from_json(cls, data: object, where: str) -> LineItem:
        f = Fields(data, where)
        return cls(
            name=f.text("name"),
            amount=f.integer("amount"),
            quantity=f.integer("quantity"),
            currency=f.text("currency"),
            description=f.opt_text("description"),
        )


@dataclass(frozen=True, slots=True)
class CheckoutSession:
    id: str
    status: CheckoutSessionStatus
    livemode: bool
    checkout_url: str
    client_key: str = field(repr=False)
    line_items: tuple[LineItem, ...]
    payment_method_types: tuple[str, ...]
    payments: tuple[Payment, ...]
    payment_intent: PaymentIntent | None
    reference_number: str | None
    description: str | None
    success_url: str | None
    cancel_url: str | None
    metadata: Mapping[str, str]
    created_at: int
    paid_at: int | None

    @classmethod
    def from_json(cls, data: object, where: str = "checkout_session") -> CheckoutSession:
        session_id, f = resource(data, where, "checkout_session")
        intent = f.raw("payment_intent")
        return cls(
            id=session_id,
            status=f.enum("status", CheckoutSessionStatus),
            livemode=f.flag("livemode", default=False),
            checkout_url=f.text("checkout_url"),
            client_key=f.text("client_key"),
            line_items=f.items("line_items", LineItem.from_json),
            payment_method_types=f.texts("payment_method_types"),
            payments=f.items("payments", embedded_payment, optional=True),
            payment_intent=None
            if intent is None
            else PaymentIntent.from_json(intent, f"{f.where}.payment_intent"),
            reference_number=f.opt_text("reference_number"),
            description=f.opt_text("description"),
            success_url=f.opt_text("success_url"),
            cancel_url=f.opt_text("cancel_url"),
            metadata=f.metadata(),
            created_at=f.integer("created_at"),
            paid_at=f.opt_integer("paid_at"),
        )

    @classmethod
    def from_answer(cls, body: object) -> CheckoutSession:
        return cls.from_json(*single_raw(body))


@dataclass(frozen=True, slots=True)
class Link:
    id: str
    amount: int
    currency: str
    description: str | None
    remarks: str | None
    status: LinkStatus
    archived: bool
    livemode: bool
    checkout_url: str
    reference_number: str
    payments: tuple[Payment, ...]
    created_at: int

    @classmethod
    def from_json(cls, data: object, where: str = "link") -> Link:
        link_id, f = resource(data, where, "link")
        return cls(
            id=link_id,
            amount=f.integer("amount"),
            currency=f.text("currency"),
            description=f.opt_text("description"),
            remarks=f.opt_text("remarks"),
            status=f.enum("status", LinkStatus),
            archived=f.flag("archived", default=False),
            livemode=f.flag("livemode", default=False),
            checkout_url=f.text("checkout_url"),
            reference_number=f.text("reference_number"),
            payments=f.items("payments", embedded_payment, optional=True),
            created_at=f.integer("created_at"),
        )

    @classmethod
    def from_answer(cls, body: object) -> Link:
        return cls.from_json(*single_raw(body))
