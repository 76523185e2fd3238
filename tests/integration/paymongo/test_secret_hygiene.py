"""R6: a run of PayMongo traffic at DEBUG with a canary key leaves the key nowhere."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pos_app.paymongo import (
    PayMongoClient,
    PayMongoError,
    RetryPolicy,
    Timeouts,
    install_redaction,
)
from pos_app.paymongo.models import RefundReason
from pos_app.paymongo.redact import RedactingFilter
from pos_sandbox.server import SandboxServer
from tests.integration.paymongo.conftest import add_fault, new_key
from tests.integration.paymongo.conftest import new_idempotency_key as key


@pytest.fixture
def debug_log_file(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> Iterator[Path]:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "pos_app"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    path = tmp_path / "debug.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    install_redaction()
    try:
        yield path
    finally:
        root.removeHandler(handler)
        handler.close()
        for target in [
            root,
            *root.handlers,
            *(logging.getLogger(n) for n in ("httpx", "httpcore", "pos_app")),
        ]:
            for existing in list(target.filters):
                if isinstance(existing, RedactingFilter):
                    target.removeFilter(existing)


def _traffic(client: PayMongoClient, server: SandboxServer, errors: list[PayMongoError]) -> None:
    """A spread of calls, including failing ones, some of them retried."""
    card = {"card_number": "4343434343434345", "exp_month": 12, "exp_year": 2035, "cvc": "123"}
    add_fault(server, kind="error", status=503, path_regex="/v1/payment_intents$", times=1)
    intent = client.create_payment_intent(
        amount=150_000, payment_method_allowed=["card", "qrph"], idempotency_key=key()
    )
    method = client.create_payment_method(type="card", details=card, idempotency_key=key())
    add_fault(server, kind="drop_response", path_regex="/attach$", times=1)
    paid = client.attach_payment_intent(intent.id, payment_method_id=method.id)
    client.retrieve_payment_intent(intent.id, client_key=intent.client_key)
    list(client.iter_payments(page_size=1))
    assert paid.payments
    client.create_refund(
        payment_id=paid.payments[0].id,
        amount=100,
        reason=RefundReason.OTHERS,
        idempotency_key=key(),
    )
    failing: list[Callable[[], object]] = [
        lambda: client.retrieve_payment("pay_missing0000000000000000"),
        lambda: client.create_payment_intent(
            amount=1, payment_method_allowed=["card"], idempotency_key=key()
        ),
        lambda: client.cancel_payment_intent(intent.id),  # paid: PayMongo refuses
    ]
    add_fault(server, kind="hang", delay_s=3.0, path_regex="/v1/refunds$", times=5)
    failing.append(lambda: list(client.iter_refunds()))
    for call in failing:
        try:
            call()
        except PayMongoError as error:
            errors.append(error)


def test_canary_key_never_reaches_logs_or_errors(
    fresh: SandboxServer, debug_log_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    canary = new_key("sk_test_")
    public_canary = new_key("pk_test_")
    client = PayMongoClient(
        secret_key=canary,
        public_key=public_canary,
        base_url=fresh.paymongo_url,
        timeouts=Timeouts(read_s=1.0, per_try_s=1.0, total_s=2.5),
        retry=RetryPolicy(base_delay_s=0.01, max_delay_s=0.02),
    )
    errors: list[PayMongoError] = []
    # A third-party child logger that leaks headers: only handler-level redaction catches it.
    leaked = [(b"Authorization", f"Basic {base64.b64encode(f'{canary}:'.encode()).decode()}")]
    logging.getLogger("httpcore.http11").debug("headers=%r key=%s", leaked, canary)
    with client:
        _traffic(client, fresh, errors)
        client_repr = repr(client)
    assert len(errors) == 4
    forms = {
        canary,
        public_canary,
        base64.b64encode(f"{canary}:".encode()).decode(),
        base64.b64encode(canary.encode()).decode().rstrip("="),
        base64.b64encode(f"{public_canary}:".encode()).decode(),
    }
    logged = debug_log_file.read_text(encoding="utf-8")
    assert "HTTP Request: POST" in logged  # httpx really logged
    assert "send_request_headers" in logged  # and httpcore at DEBUG too
    assert "headers=" in logged  # the leaking record was kept, masked
    captured = caplog.text + "".join(r.getMessage() for r in caplog.records)
    texts = [logged, captured, client_repr]
    texts += [f"{e!s} {e!r} {e.user_message} {e.body} {e.__cause__!r}" for e in errors]
    for text in texts:
        for form in forms:
            assert form not in text
