"""Wire models for payment intents, payment methods, sources, payments and refunds.

Frozen dataclasses built by ``from_json`` class methods. Amounts are ``int`` centavos, times are
unix seconds, statuses are closed enums (an unknown status is a malformed answer, not a string
that slips through to the UI).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from pos_app.paymongo.models._fields import Fields, resource, single


class PaymentIntentStatus(StrEnum):
    AWAITING_PAYMENT_METHOD = "awaiting_payment_method"  # new, or after a decline or expired QR
    AWAITING_NEXT_ACTION = "awaiting_next_action"  # attached; patient must scan, redirect or 3DS
    PROCESSING = "processing"  # transitory; resolves to succeeded or awaiting_payment_method
    AWAITING_CAPTURE = "awaiting_capture"  # manual capture: card authorised and held
    SUCCEEDED = "succeeded"  # paid (terminal)
    CANCELLED = "cancelled"  # cancelled by us (terminal)


class PaymentStatus(StrEnum):
    PENDING = "pending"  # not settled yet
    PAID = "paid"  # money received; stays paid after refunds (see refunds)
    FAILED = "failed"  # declined; failed_code says why


class SourceStatus(StrEnum):
    PENDING = "pending"  # waiting for the patient to authorise
    CHARGEABLE = "chargeable"  # authorised; we must create a Payment from it
    PAID = "paid"  # a Payment was created from it (terminal)
    CANCELLED = "cancelled"  # authorisation failed (terminal)
    EXPIRED = "expired"  # not authorised or not charged in time (terminal)


class RefundStatus(StrEnum):
    PENDING = "pending"  # accepted, not done yet
    PROCESSING = "processing"  # with the provider
    SUCCEEDED = "succeeded"  # money returned (terminal)
    FAILED = "failed"  # could not be refunded (terminal)


class RefundReason(StrEnum):
    DUPLICATE = "duplicate"
    FRAUDULENT = "fraudulent"
    REQUESTED_BY_CUSTOMER = "requested_by_customer"
    OTHERS = "others"


class CaptureType(StrEnum):
    AUTOMATIC = "automatic"
    MANUAL = "manual"


@dataclass(frozen=True, slots=True)
class Redirect:
    url: str
    return_url: str | None


@dataclass(frozen=True, slots=True)
class QrCode:
    """A QR Ph code to show the patient; ``image_url`` is a ``data:image/png;base64,`` URI."""

    id: str | None
    amount: int | None
    image_url: str
    test_url: str | None
    expires_at: str | None  # RFC 3339 text as PayMongo sends it


@dataclass(frozen=True, slots=True)
class NextAction:
    """What the patient must do next: ``redirect`` (e-wallet, 3DS) or ``consume_qr`` (QR Ph)."""

    type: str
    redirect: Redirect | None = None
    code: QrCode | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> NextAction:
        action_type = f.text("type")
        redirect = f.opt_obj("redirect")
        code = f.opt_obj("code")
        return cls(
            type=action_type,
            redirect=None
            if redirect is None
            else Redirect(url=redirect.text("url"), return_url=redirect.opt_text("return_url")),
            code=None
            if code is None
            else QrCode(
                id=code.opt_text("id"),
                amount=code.opt_integer("amount"),
                image_url=code.text("image_url"),
                test_url=code.opt_text("test_url"),
                expires_at=code.opt_text("expires_at"),
            ),
        )


@dataclass(frozen=True, slots=True)
class LastPaymentError:
    payment_id: str | None
    payment_method_id: str | None
    failed_code: str | None
    failed_message: str | None

    @classmethod
    def from_fields(cls, f: Fields) -> LastPaymentError:
        return cls(
            payment_id=f.opt_text("payment"),
            payment_method_id=f.opt_text("payment_method"),
            failed_code=f.opt_text("failed_code") or f.opt_text("code"),
            failed_message=f.opt_text("failed_message") or f.opt_text("message"),
        )


@dataclass(frozen=True, slots=True)
class PaymentSource:
    """``payment.source``: a card (``card_...`` with brand and last4) or an e-wallet source."""

    id: str | None
    type: str
    brand: str | None = None
    last4: str | None = None
    country: str | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> PaymentSource:
        return cls(
            id=f.opt_text("id"),
            type=f.text("type"),
            brand=f.opt_text("brand"),
            last4=f.opt_text("last4"),
            country=f.opt_text("country"),
        )


@dataclass(frozen=True, slots=True)
class Refund:
    id: str
    amount: int
    currency: str
    payment_id: str
    reason: RefundReason
    status: RefundStatus
    livemode: bool
    notes: str | None
    metadata: Mapping[str, str]
    created_at: int
    refunded_at: int | None

    @classmethod
    def from_json(cls, data: object, where: str = "refund") -> Refund:
        refund_id, f = resource(data, where, "refund")
        return cls(
            id=refund_id,
            amount=f.integer("amount"),
            currency=f.text("currency"),
            payment_id=f.text("payment_id"),
            reason=f.enum("reason", RefundReason),
            status=f.enum("status", RefundStatus),
            livemode=f.flag("livemode", default=False),
            notes=f.opt_text("notes"),
            metadata=f.metadata(),
            created_at=f.integer("created_at"),
            refunded_at=f.opt_integer("refunded_at"),
        )

    @classmethod
    def from_answer(cls, body: object) -> Refund:
        return cls.from_json(Fields(body, "answer").raw("data"), "data")


@dataclass(frozen=True, slots=True)
class Payment:
    id: str
    amount: int
    currency: str
    status: PaymentStatus
    livemode: bool
    fee: int | None
    net_amount: int | None
    payment_intent_id: str | None
    source: PaymentSource | None
    description: str | None
    failed_code: str | None
    failed_message: str | None
    metadata: Mapping[str, str]
    refunds: tuple[Refund, ...]
    created_at: int
    paid_at: int | None
    payout_id: str | None = None  # set once PayMongo pays the money out (section 19)

    @property
    def refunded_amount(self) -> int:
        """Centavos refunded or on their way back (failed refunds do not count)."""
        return sum(r.amount for r in self.refunds if r.status is not RefundStatus.FAILED)

    @classmethod
    def from_json(cls, data: object, where: str = "payment") -> Payment:
        payment_id, f = resource(data, where, "payment")
        source = f.opt_obj("source")
        return cls(
            id=payment_id,
            amount=f.integer("amount"),
            currency=f.text("currency"),
            status=f.enum("status", PaymentStatus),
            livemode=f.flag("livemode", default=False),
            fee=f.opt_integer("fee"),
            net_amount=f.opt_integer("net_amount"),
            payment_intent_id=f.opt_text("payment_intent_id"),
            source=None if source is None else PaymentSource.from_fields(source),
            description=f.opt_text("description"),
            failed_code=f.opt_text("failed_code"),
            failed_message=f.opt_text("failed_message"),
            metadata=f.metadata(),
            refunds=f.items("refunds", _embedded_refund, optional=True),
            created_at=f.integer("created_at"),
            paid_at=f.opt_integer("paid_at"),
            payout_id=_payout_id(f),
        )

    @classmethod
    def from_answer(cls, body: object) -> Payment:
        return cls.from_json(Fields(body, "answer").raw("data"), "data")


def _payout_id(f: Fields) -> str | None:
    # PayMongo documents `payout` as null until paid out, not its shape after: an id or an object.
    if not f.has("payout"):
        return None
    if isinstance(f.raw("payout"), str):
        return f.text("payout")
    return f.obj("payout").text("id")


def _embedded_refund(data: object, where: str) -> Refund:
    return Refund.from_json(data, where)


def embedded_payment(data: object, where: str) -> Payment:
    """A payment inside another resource; link events wrap each one in ``{"data": ...}``."""
    if isinstance(data, dict) and "attributes" not in data and "data" in data:
        return Payment.from_json(data["data"], f"{where}.data")
    return Payment.from_json(data, where)


@dataclass(frozen=True, slots=True)
class PaymentIntent:
    id: str
    amount: int
    currency: str
    status: PaymentIntentStatus
    livemode: bool
    client_key: str = field(repr=False)
    capture_type: CaptureType
    description: str | None
    statement_descriptor: str | None
    payment_method_allowed: tuple[str, ...]
    next_action: NextAction | None
    last_payment_error: LastPaymentError | None
    payments: tuple[Payment, ...] | None  # None: omitted (public-key retrieve)
    metadata: Mapping[str, str]
    created_at: int
    updated_at: int | None

    @classmethod
    def from_json(cls, data: object, where: str = "payment_intent") -> PaymentIntent:
        intent_id, f = resource(data, where, "payment_intent")
        next_action = f.opt_obj("next_action")
        last_error = f.opt_obj("last_payment_error")
        return cls(
            id=intent_id,
            amount=f.integer("amount"),
            currency=f.text("currency"),
            status=f.enum("status", PaymentIntentStatus),
            livemode=f.flag("livemode", default=False),
            client_key=f.text("client_key"),
            capture_type=f.enum("capture_type", CaptureType)
            if f.has("capture_type")
            else CaptureType.AUTOMATIC,
            description=f.opt_text("description"),
            statement_descriptor=f.opt_text("statement_descriptor"),
            payment_method_allowed=f.texts("payment_method_allowed", optional=True),
            next_action=None if next_action is None else NextAction.from_fields(next_action),
            last_payment_error=None
            if last_error is None
            else LastPaymentError.from_fields(last_error),
            payments=f.items("payments", embedded_payment) if f.has("payments") else None,
            metadata=f.metadata(),
            created_at=f.integer("created_at"),
            updated_at=f.opt_integer("updated_at"),
        )

    @classmethod
    def from_answer(cls, body: object) -> PaymentIntent:
        return cls.from_json(*single_raw(body))


@dataclass(frozen=True, slots=True)
class PaymentMethod:
    id: str
    type: str
    livemode: bool
    details: Mapping[str, object]  # card: last4, exp_month, exp_year (never the full number)
    billing: Mapping[str, object] | None
    metadata: Mapping[str, str]
    created_at: int

    @classmethod
    def from_answer(cls, body: object) -> PaymentMethod:
        method_id, f = single(body, "payment_method")
        details = f.opt_obj("details")
        billing = f.opt_obj("billing")
        return cls(
            id=method_id,
            type=f.text("type"),
            livemode=f.flag("livemode", default=False),
            details={} if details is None else dict(details.data),
            billing=None if billing is None else dict(billing.data),
            metadata=f.metadata(),
            created_at=f.integer("created_at"),
        )


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    type: str
    amount: int
    currency: str
    status: SourceStatus
    livemode: bool
    checkout_url: str | None
    success_url: str | None
    failed_url: str | None
    description: str | None
    metadata: Mapping[str, str]
    created_at: int

    @classmethod
    def from_json(cls, data: object, where: str = "source") -> Source:
        source_id, f = resource(data, where, "source")
        redirect = f.opt_obj("redirect")
        return cls(
            id=source_id,
            type=f.text("type"),
            amount=f.integer("amount"),
            currency=f.text("currency"),
            status=f.enum("status", SourceStatus),
            livemode=f.flag("livemode", default=False),
            checkout_url=None if redirect is None else redirect.opt_text("checkout_url"),
            success_url=None if redirect is None else redirect.opt_text("success"),
            failed_url=None if redirect is None else redirect.opt_text("failed"),
            description=f.opt_text("description"),
            metadata=f.metadata(),
            created_at=f.integer("created_at"),
        )

    @classmethod
    def from_answer(cls, body: object) -> Source:
        return cls.from_json(*single_raw(body))


def single_raw(body: object) -> tuple[object, str]:
    """The raw ``data`` object of a single-resource answer, for ``from_json``."""
    return Fields(body, "answer").raw("data"), "data"
