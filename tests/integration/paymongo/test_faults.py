"""Injected network faults over real sockets: retries keep one Idempotency-Key, nothing doubles.

The sandbox's request log is the witness of what the client really sent.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from pos_app.paymongo import (
    APITimeoutError,
    AuthenticationError,
    IdempotencyKeyReusedError,
    InvalidRequestError,
    PayMongoClient,
    PermissionDeniedError,
    RateLimitError,
    ResourceNotFoundError,
    RetryPolicy,
    ServerError,
    Timeouts,
)
from pos_app.paymongo.models import PaymentIntentStatus
from pos_sandbox.server import SandboxServer
from tests.integration.paymongo.conftest import add_fault, new_key, requests_to
from tests.integration.paymongo.conftest import new_idempotency_key as key

INTENTS = "/v1/payment_intents"


def _create(client: PayMongoClient, idempotency_key: str) -> str:
    return client.create_payment_intent(
        amount=150_000, payment_method_allowed=["card", "qrph"], idempotency_key=idempotency_key
    ).id


TIGHT = Timeouts(connect_s=1.0, read_s=1.0, write_s=1.0, per_try_s=1.0, total_s=8.0)


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "error", "status": 500, "times": 2},
        {"kind": "error", "status": 502, "times": 2},
        {"kind": "error", "status": 503, "times": 2},
        {"kind": "rate_limit", "times": 1},  # the sandbox asks for Retry-After: 1
        {"kind": "drop_response", "times": 2},
        {"kind": "hang", "delay_s": 5.0, "times": 2},
        {"kind": "trickle", "delay_s": 0.2, "times": 1},
    ],
    ids=lambda fault: f"{fault['kind']}-{fault.get('status', '')}",
)
def test_create_survives_fault_with_one_key_and_one_intent(
    fresh: SandboxServer, fault: dict[str, object]
) -> None:
    client = PayMongoClient(
        secret_key=new_key("sk_test_"),
        base_url=fresh.paymongo_url,
        timeouts=TIGHT,
        retry=RetryPolicy(max_attempts=4, base_delay_s=0.01, max_delay_s=0.05),
    )
    add_fault(fresh, method="POST", path_regex=f"^{INTENTS}$", **fault)
    idem = key()
    with client:
        intent_id = _create(client, idem)
    posts = requests_to(fresh, "POST", INTENTS)
    faulted = int(fault["times"])  # type: ignore[call-overload]
    assert len(posts) == faulted + 1
    assert {p.idempotency_key for p in posts} == {idem}
    assert [p.fault for p in posts] == [fault["kind"]] * faulted + [None]
    assert [i["id"] for i in fresh.paymongo.objects("payment_intent")] == [intent_id]


def test_create_survives_when_sandbox_ignores_idempotency_for_pure_retries(
    client: PayMongoClient, fresh: SandboxServer
) -> None:
    # 429s and injected 503s never reach the app, so even with the sandbox ignoring keys
    # nothing is doubled. (Ambiguous failures of creates rely on PayMongo's key replay.)
    fresh.paymongo.configure(ignore_idempotency=True)
    add_fault(fresh, kind="rate_limit", method="POST", path_regex=f"^{INTENTS}$", times=1)
    add_fault(fresh, kind="error", status=503, method="POST", path_regex=f"^{INTENTS}$", times=1)
    _create(client, key())
    assert len(fresh.paymongo.objects("payment_intent")) == 1


def test_attach_after_dropped_answer_looks_up_and_never_posts_again(
    client: PayMongoClient, fresh: SandboxServer
) -> None:
    intent_id = _create(client, key())
    method = client.create_payment_method(
        type="card",
        details={
            "card_number": "4343434343434345",
            "exp_month": 12,
            "exp_year": 2035,
            "cvc": "123",
        },
        idempotency_key=key(),
    )
    attach_path = f"{INTENTS}/{intent_id}/attach"
    add_fault(fresh, kind="drop_response", method="POST", path_regex="/attach$", times=1)
    fresh.paymongo_log.clear()
    intent = client.attach_payment_intent(intent_id, payment_method_id=method.id)
    assert intent.status is PaymentIntentStatus.SUCCEEDED
    sent = [(e.method, e.path) for e in fresh.paymongo_log.entries()]
    assert sent == [("POST", attach_path), ("GET", f"{INTENTS}/{intent_id}")]
    paid = [p for p in fresh.paymongo.ledger() if p.get("payment_intent_id") == intent_id]
    assert len(paid) == 1


def test_attach_rejected_before_acting_is_reposted(
    client: PayMongoClient, fresh: SandboxServer
) -> None:
    intent_id = _create(client, key())
    method = client.create_payment_method(type="qrph", idempotency_key=key())
    add_fault(fresh, kind="error", status=503, method="POST", path_regex="/attach$", times=1)
    intent = client.attach_payment_intent(intent_id, payment_method_id=method.id)
    assert intent.status is PaymentIntentStatus.AWAITING_NEXT_ACTION
    paths = [e.path.rsplit("/", 1)[-1] for e in fresh.paymongo_log.entries()[-3:]]
    assert paths == ["attach", intent_id, "attach"]  # looked up, saw no attach, then re-posted


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, InvalidRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, ResourceNotFoundError),
    ],
)
def test_non_retryable_errors_are_sent_once(
    client: PayMongoClient, fresh: SandboxServer, status: int, error: type[Exception]
) -> None:
    add_fault(fresh, kind="error", status=status, method="POST", path_regex=f"^{INTENTS}$")
    with pytest.raises(error):
        _create(client, key())
    assert len(requests_to(fresh, "POST", INTENTS)) == 1


def test_persistent_server_errors_end_after_the_retry_budget(
    client: PayMongoClient, fresh: SandboxServer
) -> None:
    add_fault(fresh, kind="error", status=500, path_regex=f"^{INTENTS}$")
    with pytest.raises(ServerError):
        _create(client, key())
    assert len(requests_to(fresh, "POST", INTENTS)) == 4


def test_rate_limit_retry_after_is_honoured_then_given_up(fresh: SandboxServer) -> None:
    add_fault(fresh, kind="rate_limit", path_regex=f"^{INTENTS}$")
    client = PayMongoClient(
        secret_key=new_key("sk_test_"),
        base_url=fresh.paymongo_url,
        retry=RetryPolicy(max_attempts=2, max_retry_after_s=5),
    )
    started = time.monotonic()
    with client, pytest.raises(RateLimitError) as caught:
        _create(client, key())
    assert caught.value.retry_after_s == 1.0
    assert time.monotonic() - started >= 1.0  # waited the server's Retry-After once


def test_overall_deadline_holds_against_trickle_and_hang(fresh: SandboxServer) -> None:
    timeouts = Timeouts(connect_s=1.0, read_s=5.0, per_try_s=0.6, total_s=0.6)
    client = PayMongoClient(
        secret_key=new_key("sk_test_"), base_url=fresh.paymongo_url, timeouts=timeouts
    )
    # 8 bytes every 0.1 s: no single read waits long, but the whole answer would take seconds.
    add_fault(fresh, kind="trickle", delay_s=0.1, path_regex=f"^{INTENTS}$", times=1)
    with client:
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            _create(client, key())
        assert time.monotonic() - started < 0.6 + 0.5
        add_fault(fresh, kind="hang", delay_s=10.0, path_regex=f"^{INTENTS}$", times=1)
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            _create(client, key())
        assert time.monotonic() - started < 0.6 + 0.5


def test_same_key_for_another_request_is_refused(client: PayMongoClient) -> None:
    idem = key()
    _create(client, idem)
    with pytest.raises(IdempotencyKeyReusedError):
        client.create_payment_intent(
            amount=99_900, payment_method_allowed=["card"], idempotency_key=idem
        )


def test_one_client_shared_by_a_worker_pool(fresh: SandboxServer) -> None:
    add_fault(fresh, kind="error", status=503, path_regex=f"^{INTENTS}$", probability=0.3)
    keys = [key() for _ in range(24)]
    # 48 calls each failing with p=0.3 per try: 12 tries make "every try failed" ~1e-4 for the
    # whole test, where the default 4 made it a coin toss (0.3**4 per call) and the test flaky.
    client = PayMongoClient(
        secret_key=new_key("sk_test_"),
        base_url=fresh.paymongo_url,
        retry=RetryPolicy(max_attempts=12, base_delay_s=0.01, max_delay_s=0.05),
    )
    with client, ThreadPoolExecutor(max_workers=6) as pool:
        ids = list(pool.map(lambda k: _create(client, k), keys + keys))
    assert ids[:24] == ids[24:]  # the same key always gave the same intent
    assert len(set(ids)) == 24
    assert len(fresh.paymongo.objects("payment_intent")) == 24
