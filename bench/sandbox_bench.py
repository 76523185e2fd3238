"""Throughput of the PayMongo sandbox: payment intents created and attached per second.

The sandbox runs as its own process (`python -m pos_sandbox`, as a developer would run it) so the
load generator does not share its interpreter lock; the load comes from a few threads using
http.client keep-alive connections, which cost far less client CPU than httpx per request.
One "flow" is three requests: create intent, create payment method, attach.
"""

from __future__ import annotations

import base64
import http.client
import json
import subprocess
import sys
import threading
import time
import urllib.parse
from typing import Any

from bench.common import Figure

SECRET_KEY = "sk_test_BenchOnly0000000000"
THREADS = 4
FLOWS_PER_THREAD = 150
TARGET_PER_S = 500.0
CARD = {"card_number": "4343434343434345", "exp_month": 12, "exp_year": 2031, "cvc": "123"}


class _Connection:
    def __init__(self, host: str, port: int) -> None:
        self.http = http.client.HTTPConnection(host, port, timeout=30)
        token = base64.b64encode(f"{SECRET_KEY}:".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json"}

    def post(self, path: str, attributes: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps({"data": {"attributes": attributes}})
        self.http.request("POST", path, body=body, headers=self.headers)
        response = self.http.getresponse()
        payload = response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}: {response.status} {payload[:200]!r}")
        data: dict[str, Any] = json.loads(payload)["data"]
        return data


def _flow(connection: _Connection, kind: str) -> None:
    intent = connection.post(
        "/v1/payment_intents",
        {"amount": 10_000, "currency": "PHP", "payment_method_allowed": [kind]},
    )
    method_attrs: dict[str, Any] = (
        {"type": "card", "details": CARD} if kind == "card" else {"type": "qrph"}
    )
    method = connection.post("/v1/payment_methods", method_attrs)
    attached = connection.post(
        f"/v1/payment_intents/{intent['id']}/attach", {"payment_method": method["id"]}
    )
    expected = "succeeded" if kind == "card" else "awaiting_next_action"
    if attached["attributes"]["status"] != expected:
        raise RuntimeError(f"unexpected status {attached['attributes']['status']}")


def _measure(host: str, port: int, kind: str) -> float:
    """Flows per second with THREADS concurrent keep-alive connections."""
    connections = [_Connection(host, port) for _ in range(THREADS)]
    _flow(connections[0], kind)  # warm up
    errors: list[BaseException] = []

    def worker(connection: _Connection) -> None:
        try:
            for _ in range(FLOWS_PER_THREAD):
                _flow(connection, kind)
        except BaseException as exc:  # reported after the run
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(c,)) for c in connections]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return THREADS * FLOWS_PER_THREAD / elapsed


def _start_sandbox() -> tuple[subprocess.Popen[str], str, int]:
    process = subprocess.Popen(
        [sys.executable, "-m", "pos_sandbox", "--seed", "1"], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    url = urllib.parse.urlsplit(process.stdout.readline().split(": ", 1)[1].strip())
    assert url.hostname is not None
    assert url.port is not None
    # No throttling during the benchmark: the 100 req/s PayMongo limit is a behaviour, not a cost.
    control = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    control.request("PATCH", "/_control/config", body=json.dumps({"rate_limit_per_second": None}))
    control.getresponse().read()
    control.close()
    return process, url.hostname, url.port


def run() -> list[Figure]:
    process, host, port = _start_sandbox()
    try:
        figures = []
        for kind in ("card", "qrph"):
            rate = _measure(host, port, kind)
            figures.append(
                Figure(
                    name=f"sandbox: {kind} intents created+attached",
                    value=round(rate, 1),
                    unit="flows/s",
                    target=f"> {TARGET_PER_S:.0f}/s",
                    ok=rate > TARGET_PER_S,
                    note=f"3 requests per flow, {THREADS} keep-alive connections, loopback",
                )
            )
        return figures
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    for figure in run():
        print(figure)
