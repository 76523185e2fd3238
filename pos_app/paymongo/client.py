"""``PayMongoClient``: the app's only door to PayMongo.

    client = PayMongoClient(secret_key=..., public_key=..., base_url=settings.paymongo_url)
    intent = client.create_payment_intent(amount=150_000, payment_method_allowed=["qrph"],
                                          idempotency_key=attempt.idempotency_keys["intent"])

Rules it keeps for its callers:
- every create takes a required ``idempotency_key`` (stored by the caller before the call) and
  sends it as ``Idempotency-Key`` on every try;
- retries (connection errors, timeouts, 409, 429, 5xx) happen here and nowhere else, with
  jittered exponential backoff, Retry-After honoured, inside one overall deadline per call;
- attach, cancel, expire and enable are never re-posted blindly after an
  ambiguous failure: the object is looked up first (see ``ApiSection._post_exactly_once``);
- every failure is a ``PayMongoError`` subclass (``pos_app.paymongo.errors``), and no error,
  repr or log line holds a key.

Threading contract: one client is shared by the whole app and may be called from any number
of worker threads at once (it holds one thread-safe ``httpx.Client`` and immutable settings).
Every call blocks on the network: never call it on the GUI thread. ``close()`` once, at exit.
"""

from __future__ import annotations

import httpx

from pos_app.paymongo.api_hosted import HostedApi
from pos_app.paymongo.api_intents import PaymentIntentsApi
from pos_app.paymongo.api_payments import PaymentsApi
from pos_app.paymongo.api_payouts import PayoutsApi
from pos_app.paymongo.requester import Requester
from pos_app.paymongo.retry import Pacing, RetryPolicy, Timeouts

DEFAULT_BASE_URL = "https://api.paymongo.com"


class PayMongoClient(PaymentIntentsApi, PaymentsApi, HostedApi, PayoutsApi):
    def __init__(
        self,
        *,
        secret_key: str | None = None,
        public_key: str | None = None,
        base_url: str = DEFAULT_BASE_URL,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        pacing: Pacing | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """`base_url` without ``/v1`` (the sandbox's ``paymongo_url`` works as is).
        `pacing` injects randomness, sleep and clock (tests); `transport` an httpx transport."""
        _check_key(secret_key, "sk_", "secret_key")
        _check_key(public_key, "pk_", "public_key")
        if secret_key is None and public_key is None:
            raise ValueError("PayMongoClient needs a secret key, a public key, or both")
        self._http = Requester(
            base_url=base_url,
            secret_key=secret_key,
            public_key=public_key,
            timeouts=timeouts or Timeouts(),
            retry=retry or RetryPolicy(),
            pacing=pacing or Pacing(),
            transport=transport,
        )
        self.livemode = _is_live(secret_key or public_key or "")

    def __repr__(self) -> str:
        mode = "live" if self.livemode else "test"
        return f"PayMongoClient({self._http!r}, mode={mode})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PayMongoClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _check_key(key: str | None, prefix: str, name: str) -> None:
    # The message names the expected prefix, never the key itself.
    if key is None:
        return
    if not isinstance(key, str) or not key.startswith((f"{prefix}test_", f"{prefix}live_")):
        raise ValueError(f"{name} must start with {prefix}test_ or {prefix}live_")
    if not key.isascii() or not key.isprintable() or " " in key:
        raise ValueError(f"{name} contains characters a PayMongo key cannot have")


def _is_live(key: str) -> bool:
    return key.startswith(("sk_live_", "pk_live_"))
