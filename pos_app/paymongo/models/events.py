"""Wire models for webhooks (the registration) and events (what a webhook delivers)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from pos_app.paymongo.models._fields import Fields, resource
from pos_app.paymongo.models.hosted import CheckoutSession, Link
from pos_app.paymongo.models.payments import (
    Payment,
    PaymentIntent,
    Refund,
    Source,
    single_raw,
)


class WebhookStatus(StrEnum):
    ENABLED = "enabled"  # events are delivered
    DISABLED = "disabled"  # by the merchant, or by PayMongo after repeated failed deliveries


@dataclass(frozen=True, slots=True)
class Webhook:
    id: str
    url: str
    events: tuple[str, ...]
    status: WebhookStatus
    livemode: bool
    secret_key: str = field(repr=False)  # the HMAC key (whsk_...): never log it
    disabled_reason: str | None
    created_at: int

    @classmethod
    def from_json(cls, data: object, where: str = "webhook") -> Webhook:
        hook_id, f = resource(data, where, "webhook")
        return cls(
            id=hook_id,
            url=f.text("url"),
            events=f.texts("events"),
            status=f.enum("status", WebhookStatus),
            livemode=f.flag("livemode", default=False),
            secret_key=f.text("secret_key"),
            disabled_reason=f.opt_text("disabled_reason"),
            created_at=f.integer("created_at"),
        )

    @classmethod
    def from_answer(cls, body: object) -> Webhook:
        return cls.from_json(*single_raw(body))


@dataclass(frozen=True, slots=True)
class OtherResource:
    """An event payload of a type this client does not model (e.g. ``qrph``), kept raw."""

    id: str
    type: str
    attributes: Mapping[str, object]


EventData = Payment | Source | Refund | CheckoutSession | Link | PaymentIntent | OtherResource

_EVENT_DATA_PARSERS: Mapping[str, Callable[[object, str], EventData]] = {
    "payment": Payment.from_json,
    "source": Source.from_json,
    "refund": Refund.from_json,
    "checkout_session": CheckoutSession.from_json,
    "link": Link.from_json,
    "payment_intent": PaymentIntent.from_json,
}


@dataclass(frozen=True, slots=True)
class Event:
    """A webhook event. ``id`` (``evt_...``) is the key to de-duplicate deliveries on."""

    id: str
    type: str  # e.g. "payment.paid", "source.chargeable", "qrph.expired"
    livemode: bool
    data: EventData
    created_at: int

    @classmethod
    def from_answer(cls, body: object) -> Event:
        event_id, f = resource(Fields(body, "event").raw("data"), "data", "event")
        return cls(
            id=event_id,
            type=f.text("type"),
            livemode=f.flag("livemode"),
            data=_event_data(f.obj("data")),
            created_at=f.integer("created_at"),
        )


def _event_data(f: Fields) -> EventData:
    data_type = f.text("type")
    parser = _EVENT_DATA_PARSERS.get(data_type)
    if parser is not None:
        return parser(f.data, f.where)
    return OtherResource(id=f.text("id"), type=data_type, attributes=dict(f.obj("attributes").data))
