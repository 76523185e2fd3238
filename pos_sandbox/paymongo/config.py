"""Tunable behaviour of the fake PayMongo; defaults follow the fact sheet."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

# PayMongo retries 12 times over at most 136.5 minutes; the exact schedule is not published.
DEFAULT_RETRY_DELAYS = [5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1200.0, 1500.0]
DEFAULT_RETRY_DELAYS += [1500.0, 1965.0]

# `GET /v1/merchants/capabilities/payment_methods` answers a bare JSON array (19.1 item 2).
# ShopeePay's spelling is the one PayMongo's current e-wallets guide gives ("shopeepay",
# developers.paymongo.com/docs/payment-acceptance-e-wallets); some integrations say "shopee_pay".
# The sandbox accepts for ShopeePay only the spelling its capabilities list (19.1 item 1).
DEFAULT_CAPABILITIES = ["card", "gcash", "paymaya", "grab_pay", "qrph", "dob", "brankas"]
DEFAULT_CAPABILITIES += ["billease", "shopeepay"]


@dataclass
class PayMongoConfig:
    """Every knob tests and the control API may turn. Times are seconds, amounts centavos."""

    min_intent_amount: int = 2000
    max_amount: int = 999_999_999
    min_source_amount: int = 10_000
    min_refund_amount: int = 100
    min_link_amount: int = 10_000
    # None: any well-formed key is accepted. Set both to accept only this pair.
    secret_key: str | None = None
    public_key: str | None = None
    rate_limit_per_second: int | None = 100
    ignore_idempotency: bool = False
    idempotency_ttl: float = 24 * 3600.0
    max_body_bytes: int = 1_000_000
    refund_settle_seconds: float = 1.0
    # True: the account's upcoming payout balance is short, so refunds wait in "pending" (§19)
    refund_balance_short: bool = False
    qrph_default_expiry: int = 1800
    source_expiry_seconds: float = 3600.0
    checkout_session_expiry_seconds: float = 24 * 3600.0
    hold_expiry_seconds: float = 7 * 24 * 3600.0
    webhook_retry_delays: list[float] = field(default_factory=lambda: list(DEFAULT_RETRY_DELAYS))
    webhook_timeout: float = 30.0
    webhook_disable_after: int = 3
    drop_webhooks: int = 0  # drop the next N deliveries silently
    duplicate_webhooks: int = 0  # deliver the next N events twice
    capabilities: list[str] = field(default_factory=lambda: list(DEFAULT_CAPABILITIES))
    # Fact sheet §18 switches: the [H] answer by default, the other one on demand.
    decline_http_status: int = 200  # 402: a declined attach answers 402 with errors[]
    qr_content: str = "test_url"  # "test_url" (a phone opens the test page) or "emv"
    public_base_url: str | None = None  # base of hosted test pages; default: the request's host

    def update(self, changes: dict[str, Any]) -> None:
        """Apply known fields from `changes`; unknown names raise KeyError."""
        known = {f.name for f in fields(self)}
        for name, value in changes.items():
            if name not in known:
                raise KeyError(name)
            setattr(self, name, value)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
