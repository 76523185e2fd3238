"""The webhook receiver as the app wires it (``webhook_receiver_enabled``): sandbox mode registers
its own webhook with the sandbox; test/live mode uses the clinic's registered webhook secret."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pos_app.app import WEBHOOK_EVENTS, build_services
from pos_app.config import Secrets, load_settings
from pos_app.domain.attempt import AttemptState
from pos_app.domain.clock import SystemClock
from pos_app.domain.tender import TenderMethod
from pos_app.services.collect.test_pages import submit_test_page
from pos_app.services.counter import CounterServices, PaymentBackend
from pos_sandbox.server import SandboxServer
from tests.demo_bills import seed_demo_bills_if_empty
from tests.integration.collect.conftest import make_client
from tests.integration.payments.conftest import Watched, free_port, pending_bills

TEST_KEY = "sk_test_" + "AppWebhookWiringNotReal42"


def _settings(data: Path, port: int, **extra: str) -> dict[str, str]:
    return {
        "POS_APP_DATA_DIR": str(data / "data"),
        "POS_APP_CONFIG_DIR": str(data / "cfg"),
        "POS_APP_WEBHOOK_RECEIVER_ENABLED": "true",
        "POS_APP_WEBHOOK_RECEIVER_PORT": str(port),
        **extra,
    }


class Counter:
    """One start of the app's services, stopped by ``close``."""

    def __init__(self, environ: dict[str, str], app_secrets: Secrets) -> None:
        self.services: CounterServices = build_services(load_settings(environ), app_secrets)
        seed_demo_bills_if_empty(self.services.database, SystemClock())  # sandbox mode already has
        self.backend: PaymentBackend = self.services.start_payment_backend()

    def close(self) -> None:
        self.services.shutdown()

    def paid_by_webhook_alone(self) -> None:
        """A QR Ph payment the monitor is told about only by the webhook (nobody polls)."""
        collect, monitor = self.backend.collect, self.backend.monitor
        watched = Watched()
        monitor.subscribe(watched)
        bill = pending_bills(self.services.database)[0]
        update = collect.start(bill.id, TenderMethod.QRPH, bill.balance)
        monitor.track(update)  # no monitor.due()/check() here: only an event can wake it
        assert update.display is not None
        assert update.display.url is not None
        submit_test_page(update.display.url)
        paid = watched.wait_for(update.attempt.id, AttemptState.SUCCEEDED)
        assert paid.settlement is not None


@pytest.fixture
def counters() -> Iterator[list[Counter]]:
    started: list[Counter] = []
    yield started
    for counter in started:
        counter.close()


def test_sandbox_mode_registers_its_webhook_once_and_events_settle_payments(
    tmp_path: Path, counters: list[Counter]
) -> None:
    port = free_port()
    environ = _settings(tmp_path, port)
    first = Counter(environ, Secrets())
    counters.append(first)
    url = f"http://127.0.0.1:{port}/paymongo/webhook"
    assert first.backend.webhook_url == url
    assert url in first.backend.description
    first.paid_by_webhook_alone()
    first.close()
    counters.clear()
    # the next start of the app (same data folder, so the same sandbox state) reuses the webhook
    again = Counter(environ, Secrets())
    counters.append(again)
    hooks = httpx.get(
        f"{again.backend.paymongo_url}/v1/webhooks", auth=(TEST_KEY, ""), timeout=10
    ).json()["data"]
    assert [hook["attributes"]["url"] for hook in hooks] == [url]
    assert sorted(hooks[0]["attributes"]["events"]) == sorted(WEBHOOK_EVENTS)
    again.paid_by_webhook_alone()


def test_test_mode_uses_the_clinics_webhook_secret(
    tmp_path: Path, fresh: SandboxServer, counters: list[Counter]
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/paymongo/webhook"
    with make_client(fresh) as client:  # what the clinic does once in its PayMongo dashboard
        hook = client.create_webhook(
            url=url, events=list(WEBHOOK_EVENTS), idempotency_key=secrets.token_hex(16)
        )
    environ = _settings(tmp_path, port, POS_APP_PAYMONGO_BASE_URL=fresh.paymongo_url)
    counter = Counter(
        environ, Secrets(paymongo_secret_key=TEST_KEY, paymongo_webhook_secret=hook.secret_key)
    )
    counters.append(counter)
    assert counter.backend.webhook_url == url
    counter.paid_by_webhook_alone()


def test_without_a_webhook_secret_the_receiver_stays_off_and_says_so(
    tmp_path: Path, fresh: SandboxServer, counters: list[Counter]
) -> None:
    environ = _settings(tmp_path, free_port(), POS_APP_PAYMONGO_BASE_URL=fresh.paymongo_url)
    counter = Counter(environ, Secrets(paymongo_secret_key=TEST_KEY))
    counters.append(counter)
    assert counter.backend.webhook_url is None
    assert "webhooks OFF" in counter.backend.description
