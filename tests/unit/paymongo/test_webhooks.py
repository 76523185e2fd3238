"""Paymongo-Signature verification against vectors computed here, independently of the code."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from pos_app.paymongo import SignatureVerificationError, parse_event, verify_signature
from pos_app.paymongo.models import Payment
from tests.unit.paymongo import wire

SECRET = "whsk_unitTestSecret0123456789ab"
T = 1_700_000_000
BODY = json.dumps(
    wire.answer(
        wire.resource(
            "event",
            "evt_A",
            type="payment.paid",
            livemode=False,
            data=wire.payment(),
            previous_data={},
            pending_webhooks=1,
            created_at=T,
            updated_at=T,
        )
    )
).encode()


def sign(body: bytes, t: int = T, secret: str = SECRET) -> str:
    # Written out from the fact sheet (§12.5), not through the module under test.
    return hmac.new(secret.encode("utf-8"), f"{t}.".encode() + body, hashlib.sha256).hexdigest()


def test_test_mode_signature_in_te_verifies() -> None:
    verify_signature(BODY, f"t={T},te={sign(BODY)},li=", SECRET, livemode=False, now=T)


def test_live_mode_signature_in_li_verifies() -> None:
    verify_signature(BODY, f"t={T},te=,li={sign(BODY)}", SECRET, livemode=True, now=T)


@pytest.mark.parametrize(
    "header",
    [
        f"t={T}, te={sign(BODY)}, li=",  # spaces after commas
        f" t = {T} ,te={sign(BODY)}",  # spaces around names, li missing
        f"te={sign(BODY)},li=,t={T}",  # reordered
        f"li=,v2=abc,t={T},te={sign(BODY)},extra=1",  # unknown extra fields
        f"t={T},te={sign(BODY)},li=,",  # trailing comma
    ],
)
def test_header_variants_are_accepted(header: str) -> None:
    verify_signature(BODY, header, SECRET, livemode=False, now=T)


def test_signatures_never_cross_modes() -> None:
    with pytest.raises(SignatureVerificationError):
        verify_signature(BODY, f"t={T},te={sign(BODY)},li=", SECRET, livemode=True, now=T)
    with pytest.raises(SignatureVerificationError):
        verify_signature(BODY, f"t={T},te=,li={sign(BODY)}", SECRET, livemode=False, now=T)


@pytest.mark.parametrize("skew", [-300, 300, 0, 2 * 3600, 3 * 3600])
def test_window_edges_pass(skew: int) -> None:
    # 19.1 item 7: a retry keeps its first t for up to ~136 minutes; 5 minutes ahead at most
    header = f"t={T},te={sign(BODY)},li="
    verify_signature(BODY, header, SECRET, livemode=False, now=T + skew)


@pytest.mark.parametrize("skew", [-301, 3 * 3600 + 1, 10**6])
def test_outside_tolerance_fails_either_way(skew: int) -> None:
    header = f"t={T},te={sign(BODY)},li="
    with pytest.raises(SignatureVerificationError):
        verify_signature(BODY, header, SECRET, livemode=False, now=T + skew)


@pytest.mark.parametrize(
    "body",
    [
        BODY + b" ",
        BODY.replace(b"150000", b"150001"),
        json.dumps(json.loads(BODY), indent=1).encode(),  # re-serialised: same JSON, other bytes
        b"",
    ],
)
def test_tampered_or_reserialised_bodies_fail(body: bytes) -> None:
    with pytest.raises(SignatureVerificationError):
        verify_signature(body, f"t={T},te={sign(BODY)},li=", SECRET, livemode=False, now=T)


@pytest.mark.parametrize(
    "header",
    [
        "",
        "   ",
        f"te={sign(BODY)},li=",  # no timestamp
        f"t=,te={sign(BODY)}",
        f"t=abc,te={sign(BODY)}",
        f"t={T}",  # no signature at all
        f"t={T},te=,li=",
        f"t={T},te={sign(BODY).upper()}",  # PayMongo sends lowercase hex
        f"t={T},te={sign(BODY)[:-1]}",
        f"t={T},te={sign(BODY)},te={sign(BODY)}",  # repeated field
        f"t={T};te={sign(BODY)}",
        f"t={T + 1},te={sign(BODY)}",  # the timestamp is part of what is signed
        f"t={T},te={sign(BODY, secret='whsk_other')}",
        "t=" + "9" * 5000,
    ],
)
def test_bad_headers_fail(header: str) -> None:
    with pytest.raises(SignatureVerificationError):
        verify_signature(BODY, header, SECRET, livemode=False, now=T)


def test_missing_secret_fails() -> None:
    with pytest.raises(SignatureVerificationError):
        verify_signature(BODY, f"t={T},te={sign(BODY, secret='')},li=", "", livemode=False, now=T)


def test_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str]] = []
    real = hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr("pos_app.paymongo.webhooks.hmac.compare_digest", spy)
    verify_signature(BODY, f"t={T},te={sign(BODY)},li=", SECRET, livemode=False, now=T)
    assert calls == [(sign(BODY), sign(BODY))]


def test_parse_event_reads_the_payload() -> None:
    event = parse_event(BODY)
    assert event.id == "evt_A"
    assert event.type == "payment.paid"
    assert isinstance(event.data, Payment)
    assert event.data.amount == 150_000
