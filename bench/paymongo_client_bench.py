"""PayMongo client overhead: time our code adds to an HTTP round trip to the sandbox.

The same GET (retrieve a payment intent) and POST (create one, with an Idempotency-Key) are
made by a bare ``httpx.Client`` (build headers, send, ``json.loads``) and by ``PayMongoClient``
(plus deadlines, streaming with deadline checks, error mapping, typed parsing, logging calls),
interleaved so both see the same server and machine state. The figure is the difference of the
medians, in microseconds per call; the parse-only figure isolates the typed model.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Callable

import httpx

from bench.common import Figure, median
from pos_app.paymongo import PayMongoClient
from pos_app.paymongo.models import PaymentIntent
from pos_sandbox.server import SandboxServer

CALLS = 400
OVERHEAD_TARGET_US = 1000.0


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1e6


def run() -> list[Figure]:
    key = "sk_test_" + secrets.token_hex(12)
    auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    with SandboxServer() as server:
        server.paymongo.configure(rate_limit_per_second=None)
        bare = httpx.Client(base_url=server.paymongo_url, headers={"Authorization": auth})
        client = PayMongoClient(secret_key=key, base_url=server.paymongo_url)
        attrs = {"amount": 150_000, "currency": "PHP", "payment_method_allowed": ["qrph"]}
        body = json.dumps({"data": {"attributes": attrs}})

        def bare_create() -> object:
            headers = {"Idempotency-Key": secrets.token_hex(16), "Content-Type": "application/json"}
            return json.loads(
                bare.post("/v1/payment_intents", content=body, headers=headers).content
            )

        def ours_create() -> object:
            return client.create_payment_intent(
                amount=150_000,
                payment_method_allowed=["qrph"],
                idempotency_key=secrets.token_hex(16),
            )

        intent_id = client.create_payment_intent(
            amount=150_000, payment_method_allowed=["qrph"], idempotency_key=secrets.token_hex(16)
        ).id
        raw_answer = bare.get(f"/v1/payment_intents/{intent_id}").json()
        samples: dict[str, list[float]] = {name: [] for name in ("bg", "og", "bp", "op", "parse")}
        for _ in range(20):  # warm up connections and code paths
            bare_create(), ours_create(), client.retrieve_payment_intent(intent_id)
        for _ in range(CALLS):
            samples["bg"].append(
                _timed(lambda: bare.get(f"/v1/payment_intents/{intent_id}").json())
            )
            samples["og"].append(_timed(lambda: client.retrieve_payment_intent(intent_id)))
            samples["bp"].append(_timed(bare_create))
            samples["op"].append(_timed(ours_create))
            samples["parse"].append(_timed(lambda: PaymentIntent.from_answer(raw_answer)))
        bare.close()
        client.close()
    get_overhead = median(samples["og"]) - median(samples["bg"])
    post_overhead = median(samples["op"]) - median(samples["bp"])
    target = f"< {OVERHEAD_TARGET_US:.0f} µs"
    return [
        Figure("bare httpx GET round trip (median)", median(samples["bg"]), "µs"),
        Figure(
            "client overhead per GET (median diff)",
            get_overhead,
            "µs",
            target,
            get_overhead < OVERHEAD_TARGET_US,
        ),
        Figure(
            "client overhead per create POST (median diff)",
            post_overhead,
            "µs",
            target,
            post_overhead < OVERHEAD_TARGET_US,
            note="Idempotency-Key, envelope, typed parse",
        ),
        Figure("typed parse of one payment intent (median)", median(samples["parse"]), "µs"),
    ]


if __name__ == "__main__":
    for figure in run():
        print(figure)
