"""The whole counter, stopped overnight while PayMongo gave up on its webhook, started again.

paymongo-api.md 19.1 item 7: three consecutive events that use up their retries (about 136
minutes each) disable the webhook at PayMongo until someone enables it. The counter's sandbox
state is kept on disk, so the night is played by a sandbox on the same file with its clock moved.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from pos_app.app import build_services
from pos_app.config import Secrets, Settings, load_settings
from pos_app.domain.attempt import AttemptState
from pos_app.domain.tender import TenderMethod
from pos_app.paymongo import PayMongoClient
from pos_app.services.webhook_status import WebhookState
from pos_sandbox.paymongo.config import DEFAULT_RETRY_DELAYS
from pos_sandbox.server import SandboxServer
from tests.integration.collect.conftest import patient_pays
from tests.integration.payments.conftest import WAIT_S, Watched, free_port, pending_bills
from tests.sandbox.paymongo.test_settled_facts import deliveries_made

CARD = {"card_number": "4343434343434345", "exp_month": 12, "exp_year": 2035, "cvc": "123"}


def _settings(tmp_path: Path, port: int) -> Settings:
    return load_settings(
        {
            "POS_APP_DATA_DIR": str(tmp_path / "data"),
            "POS_APP_CONFIG_DIR": str(tmp_path / "cfg"),
            "POS_APP_WEBHOOK_RECEIVER_ENABLED": "true",
            "POS_APP_WEBHOOK_RECEIVER_PORT": str(port),
        }
    )


def _card_paid(client: PayMongoClient) -> None:
    key = secrets.token_hex
    intent = client.create_payment_intent(
        amount=150_000, payment_method_allowed=["card"], idempotency_key=key(16)
    )
    method = client.create_payment_method(type="card", details=CARD, idempotency_key=key(16))
    client.attach_payment_intent(intent.id, payment_method_id=method.id)


def _night_with_the_counter_off(state_file: Path) -> str:
    """Three events, each retried on PayMongo's whole schedule, nobody listening."""
    with SandboxServer(data_path=state_file) as night:
        state = night.paymongo
        state.configure(webhook_retry_delays=list(DEFAULT_RETRY_DELAYS), rate_limit_per_second=None)
        with PayMongoClient(
            secret_key="sk_test_" + secrets.token_hex(12), base_url=night.paymongo_url
        ) as client:
            [hook] = client.list_webhooks()
            for _ in range(3):
                _card_paid(client)
        for done, delay in enumerate(DEFAULT_RETRY_DELAYS, start=1):
            assert state.wait_for(deliveries_made(state, 3 * done), WAIT_S)
            state.advance_clock(delay + 1)
        assert state.wait_for(
            lambda: state.store.objects[hook.id]["attributes"]["status"] == "disabled", WAIT_S
        )
        return hook.id


def test_item_7_the_counter_started_again_re_enables_its_webhook_and_hears_the_next_event(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path, free_port())
    first = build_services(settings, Secrets())
    try:
        webhook = first.start_payment_backend().webhook
        assert webhook is not None
        assert webhook.status().state is WebhookState.ENABLED
    finally:
        first.shutdown()  # the counter is switched off; its sandbox state is saved

    hook_id = _night_with_the_counter_off(settings.data_dir / "sandbox-state.json")

    again = build_services(settings, Secrets())
    try:
        again.access.sign_in("demo-staff", "9002")  # while the counter connects to PayMongo
        backend = again.start_payment_backend()
        assert backend.webhook is not None
        health = backend.webhook.status()
        assert (health.state, health.webhook_id) == (WebhookState.RE_ENABLED, hook_id)
        assert health.disabled_reason == "max_retries_exceeded"
        with again.database.unit_of_work(read_only=True) as uow:
            actions = [(e.action, e.subject, e.actor) for e in uow.audit.entries()]
        assert ("webhook_re_enabled", f"webhook:{hook_id}", "demo-staff") in actions
        # the next event arrives: only the webhook makes the monitor look (nothing polls here)
        watched = Watched()
        backend.monitor.subscribe(watched)
        assert backend.clinic is not None  # sandbox mode: bills come from the clinic stand-in
        backend.clinic.run()
        bill = pending_bills(again.database)[0]
        update = backend.collect.start(bill.id, TenderMethod.QRPH, bill.balance)
        assert update.display is not None
        assert update.display.url is not None
        patient_pays(update.display.url)
        paid = watched.wait_for(update.attempt.id, AttemptState.SUCCEEDED)
        assert paid.settlement is not None
    finally:
        again.shutdown()
