"""Malformed Paymongo-Signature headers: every one is a ``SignatureVerificationError`` (never a
``TypeError`` or another error the receiver would answer with 500), and each refusal says why."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.paymongo import SignatureVerificationError, verify_signature
from pos_app.paymongo.webhooks import MAX_HEADER_CHARS, compute_signature

SECRET = "whsk_edgeTestSecret9876543210zz"
T = 1_700_000_000
BODY = b'{"data":{"id":"evt_edge"}}'


def sign(body: bytes = BODY, t: int = T, secret: str = SECRET) -> str:
    # Written out from the fact sheet (paymongo-api.md 12.5), not through the module under test.
    return hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()


def refusal(header: str, *, livemode: bool = False, body: bytes = BODY) -> str:
    with pytest.raises(SignatureVerificationError) as caught:
        verify_signature(body, header, SECRET, livemode=livemode, now=T)
    return caught.value.message


def test_compute_signature_matches_the_fact_sheet() -> None:
    assert compute_signature(BODY, T, SECRET) == sign()


@pytest.mark.parametrize(
    "bad",
    [
        "é" * 64,  # non-ASCII: compare_digest would raise TypeError on it
        "g" * 64,  # ASCII, not hex
        "0" * 63 + "é",
        "0" * 63 + "G",
        "0" * 63 + " x",  # inner space (outer spaces are stripped)
        "0" * 65,
        "0" * 63,
        "",
    ],
)
def test_a_malformed_signature_is_refused_as_malformed(bad: str) -> None:
    assert refusal(f"t={T},te={bad}") == "Webhook signature for this mode is missing or malformed"


def test_a_well_formed_wrong_signature_does_not_match() -> None:
    assert refusal(f"t={T},te={'0' * 64}") == "Webhook signature does not match"


@pytest.mark.parametrize(
    "header",
    [
        f"t={T},garbage,te={sign()}",  # a stray segment without '='
        f"t={T},=x,te={sign()}",  # a segment without a name
        f"t={T}, = ,te={sign()}",
    ],
)
def test_a_stray_segment_makes_the_header_malformed(header: str) -> None:
    assert refusal(header) == "Malformed Paymongo-Signature header"


def test_a_repeated_field_is_refused() -> None:
    assert refusal(f"t={T},t={T},te={sign()}") == "Paymongo-Signature header repeats a field"


def test_empty_segments_are_skipped() -> None:
    verify_signature(BODY, f",,t={T},, ,te={sign()},", SECRET, livemode=False, now=T)


def test_a_header_at_the_length_limit_is_read_and_one_more_is_refused() -> None:
    base = f"t={T},te={sign()},x="
    at_limit = base + "y" * (1000 - len(base))  # written out: the limit is 1,000 characters
    assert len(at_limit) == MAX_HEADER_CHARS == 1000
    verify_signature(BODY, at_limit, SECRET, livemode=False, now=T)
    assert refusal(at_limit + "y") == "Paymongo-Signature header is too long"


@pytest.mark.parametrize("header", ["", "  ", None, b"t=1"])
def test_a_missing_header_is_named(header: object) -> None:
    assert refusal(header) == "Missing Paymongo-Signature header"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "stamp", ["", "abc", "-1", "1.5", "١٢٣", "1" * 13, " ", "+1700000000", "0x10"]
)
def test_a_bad_timestamp_is_named(stamp: str) -> None:
    assert refusal(f"t={stamp},te={sign()}") == "Paymongo-Signature header has no valid timestamp"


def test_a_twelve_digit_timestamp_is_still_a_timestamp() -> None:
    t = 100_000_000_000
    header = f"t={t},te={sign(t=t)}"
    verify_signature(BODY, header, SECRET, livemode=False, now=t)


def test_no_secret_is_named() -> None:
    with pytest.raises(SignatureVerificationError) as caught:
        verify_signature(BODY, f"t={T},te={sign()}", "", livemode=False, now=T)
    assert caught.value.message == "No webhook secret configured"


def test_a_refusal_tells_the_receptionist_in_plain_words() -> None:
    with pytest.raises(SignatureVerificationError) as caught:
        verify_signature(BODY, "t=1", SECRET, livemode=False, now=T)
    assert caught.value.user_message == (
        "A payment notification failed its security check and was ignored."
    )


def test_the_live_field_is_read_in_live_mode_only() -> None:
    verify_signature(BODY, f"t={T},te=,li={sign()}", SECRET, livemode=True, now=T)
    assert refusal(f"t={T},te={sign()},li=", livemode=True) == (
        "Webhook signature for this mode is missing or malformed"
    )


HEADERS = st.one_of(
    st.text(max_size=300),
    st.builds(
        lambda t, te, li, extra: f"t={t},te={te},li={li}{extra}",
        st.one_of(st.just(str(T)), st.text(max_size=14)),
        st.one_of(st.text(min_size=64, max_size=64), st.text(max_size=80), st.just(sign())),
        st.text(max_size=70),
        st.text(max_size=40),
    ),
)


@given(header=HEADERS, body=st.binary(max_size=200), livemode=st.booleans())
def test_whatever_the_header_the_only_error_is_a_signature_error(
    header: str, body: bytes, livemode: bool
) -> None:
    with contextlib.suppress(SignatureVerificationError):
        verify_signature(body, header, SECRET, livemode=livemode, now=T)


def test_a_non_ascii_signature_past_the_shape_check_is_still_only_a_refusal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """If the shape check ever let non-hex text through, ``hmac.compare_digest`` would raise
    ``TypeError`` on it and the receiver would answer 500; it must stay a refusal."""
    monkeypatch.setattr("pos_app.paymongo.webhooks._HEX", frozenset("0123456789abcdefé"))
    assert refusal(f"t={T},te={'é' * 64}") == "Webhook signature does not match"


def test_a_segment_with_an_empty_name_is_malformed_whatever_follows() -> None:
    assert refusal(f"t={T},te={sign()},=x=y") == "Malformed Paymongo-Signature header"


def test_without_a_given_time_the_clock_is_read() -> None:
    t = int(time.time())
    verify_signature(BODY, f"t={t},te={sign(t=t)}", SECRET, livemode=False)
