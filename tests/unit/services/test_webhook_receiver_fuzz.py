"""The webhook receiver answers 400 (or 413, or 200 for a genuine event), never 500, for anything
a sender can put in a request: any signature header, any body, signed or not."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos_app.domain.clock import FakeClock
from pos_app.paymongo.models import Event
from pos_app.paymongo.webhooks import SIGNATURE_HEADER, compute_signature
from pos_app.services.webhook_receiver import WEBHOOK_PATH, WebhookReceiver
from pos_app.storage import open_database

SECRET = "whsk_fuzzSecret0123456789abcdef"


class Recorder:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def handle_event(self, event: Event) -> None:
        self.events.append(event)


@pytest.fixture(scope="module")
def post(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    folder: Path = tmp_path_factory.mktemp("receiver")
    database = open_database(f"sqlite:///{folder / 'counter.sqlite3'}")
    receiver = WebhookReceiver(0, SECRET, False, Recorder(), database, clock=FakeClock())
    receiver.start()
    try:
        with httpx.Client(base_url=receiver.url.removesuffix(WEBHOOK_PATH), timeout=10) as client:
            yield client
    finally:
        receiver.stop()
        database.dispose()


def now() -> int:
    return int(FakeClock().now().timestamp())


# Header values travel as latin-1 bytes: anything but CR, LF and NUL can be sent.
LATIN1 = st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f")
HEADERS = st.one_of(
    st.text(LATIN1, max_size=200),
    st.builds(
        lambda t, te, extra: f"t={t},te={te}{extra}",
        st.one_of(st.just(str(now())), st.text(LATIN1, max_size=14)),
        st.one_of(st.text(LATIN1, min_size=64, max_size=64), st.text(LATIN1, max_size=70)),
        st.text(LATIN1, max_size=30),
    ),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["data", "id", "type", "attributes", "livemode"]), children
        )
    ),
    max_leaves=12,
)
BODIES = st.one_of(st.binary(max_size=500), JSON.map(lambda v: json.dumps(v).encode()))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=HEADERS, body=BODIES, signed=st.booleans())
def test_no_request_gets_a_500(post: httpx.Client, header: str, body: bytes, signed: bool) -> None:
    if signed:  # a sender holding the secret: the body is what is wrong, if anything
        header = f"t={now()},te={compute_signature(body, now(), SECRET)}"
    sent = header.strip(" \t")  # HTTP drops the spaces around a header value
    answer = post.post(
        WEBHOOK_PATH,
        content=body,
        headers={
            SIGNATURE_HEADER.encode(): sent.encode("latin-1"),
            b"content-type": b"application/json",
        },
    )
    assert answer.status_code in {200, 400}, (answer.status_code, answer.text)


def test_a_non_ascii_signature_of_the_right_length_is_a_400(post: httpx.Client) -> None:
    header = f"t={now()},te={'é' * 64}".encode("latin-1")
    answer = post.post(WEBHOOK_PATH, content=b"{}", headers={SIGNATURE_HEADER.encode(): header})
    assert answer.status_code == 400
    assert answer.json() == {"result": "refused"}


def test_no_header_at_all_is_a_400(post: httpx.Client) -> None:
    assert post.post(WEBHOOK_PATH, content=b"{}").status_code == 400


@pytest.mark.parametrize("error", [TypeError, ValueError, UnicodeDecodeError, RecursionError])
def test_an_unexpected_error_reading_a_delivery_is_still_a_400(
    post: httpx.Client, monkeypatch: pytest.MonkeyPatch, error: type[Exception]
) -> None:
    """The path issue 20 found: a check weakened so that ``hmac.compare_digest`` raises
    ``TypeError`` must not turn a sender's bad request into a 500 (which PayMongo retries)."""

    def broken(*_: object, **__: object) -> None:
        if error is UnicodeDecodeError:
            raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")
        raise error("from the request")

    monkeypatch.setattr("pos_app.services.webhook_receiver.verify_signature", broken)
    answer = post.post(WEBHOOK_PATH, content=b"{}", headers={SIGNATURE_HEADER: "t=1"})
    assert answer.status_code == 400
