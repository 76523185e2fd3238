"""Events (fact sheet §12): recorded for every occurrence, queued for subscribed webhooks.

Threading contract: called with `PayMongoState.lock` held; queued deliveries are picked up by the
WebhookDispatcher thread, which the caller wakes through `PayMongoState.changed`.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from pos_sandbox.paymongo.store import Store

Json = dict[str, Any]

EVENT_TYPES = [
    "source.chargeable",
    "payment.paid",
    "payment.failed",
    "payment.refunded",
    "payment.refund.updated",
    "checkout_session.payment.paid",
    "link.payment.paid",
    "qrph.expired",
]


def emit(store: Store, event_type: str, resource: Json, livemode: bool) -> Json:
    """Record an event and queue one delivery per enabled webhook subscribed to its type."""
    hooks = [
        hook
        for hook in store.all_of("webhook", livemode)
        if hook["attributes"]["status"] == "enabled" and event_type in hook["attributes"]["events"]
    ]
    event = store.add(
        "evt_",
        "event",
        livemode,
        {
            "type": event_type,
            "data": resource,
            "previous_data": {},
            "pending_webhooks": len(hooks),
        },
    )
    config = store.config
    for hook in reversed(hooks):  # oldest webhook first
        copies = 1
        if config.duplicate_webhooks > 0:
            config.duplicate_webhooks -= 1
            copies = 2
        for _ in range(copies):
            store.outbox.append(
                {
                    "event_id": event["id"],
                    "webhook_id": hook["id"],
                    "attempt": 0,
                    "due": store.clock.now(),
                }
            )
    return event


def signature_header(secret: str, timestamp: int, body: bytes, livemode: bool) -> str:
    """`t=<ts>,te=<hex>,li=` for test events, `t=<ts>,te=,li=<hex>` for live ones (§12.5)."""
    digest = hmac.new(
        secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    if livemode:
        return f"t={timestamp},te=,li={digest}"
    return f"t={timestamp},te={digest},li="
