"""The redacting log filter masks every form of a key, in any part of a record, from any logger."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator

import pytest

from pos_app.paymongo.redact import MASK, RedactingFilter, install_redaction, redact_text

KEY = "sk_test_CanaryCanary0123456789xyz"
LIVE = "sk_live_" + "LiveCanary98765"  # made up; split so no scanner flags it
PUBLIC = "pk_test_PublicCanary555"
HOOK = "whsk_HookCanary4242"
BASIC = base64.b64encode(f"{KEY}:".encode()).decode()
BASIC_NO_COLON = base64.b64encode(KEY.encode()).decode()


@pytest.mark.parametrize(
    ("secret", "text"),
    [
        (KEY, f"key={KEY}!"),
        (LIVE, f"'{LIVE}'"),
        (PUBLIC, f"{PUBLIC},"),
        (HOOK, f"secret {HOOK}"),
        (BASIC, f"Authorization: Basic {BASIC}"),
        (BASIC, f"(b'authorization', b'basic {BASIC}')"),
        (BASIC_NO_COLON, f"token {BASIC_NO_COLON}"),
        ("SECRETPART", "GET /v1/payment_intents/pi_A?client_key=pi_A_client_SECRETPART"),
    ],
)
def test_redact_text_masks_each_form(secret: str, text: str) -> None:
    redacted = redact_text(text)
    assert secret not in redacted
    assert MASK in redacted


def test_ordinary_ids_are_left_alone() -> None:
    text = "pi_1JvFbEiRRnh2fsUE5nJ2F1z7 pay_X ref_Y hook_Z amount=150000"
    assert redact_text(text) == text


@pytest.fixture
def capture() -> Iterator[tuple[logging.Logger, list[str]]]:
    lines: list[str] = []

    class ListHandler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = ListHandler(level=logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    install_redaction([""])
    yield logging.getLogger("some.third.party"), lines
    root.removeHandler(handler)
    root.setLevel(old_level)
    for existing in list(root.filters):
        if isinstance(existing, RedactingFilter):
            root.removeFilter(existing)


def test_records_from_any_logger_are_redacted_in_msg_args_exc_and_stack(
    capture: tuple[logging.Logger, list[str]],
) -> None:
    logger, lines = capture
    logger.debug("headers %s %r", {"Authorization": f"Basic {BASIC}"}, KEY)
    try:
        raise RuntimeError(f"boom with {KEY}")
    except RuntimeError:
        logger.exception("failed for %s", PUBLIC)
    logger.info("stack", stack_info=True, extra={"unused": KEY})
    logger.debug(f"unformattable %s %s {KEY}", "one")  # broken format args must not leak either
    joined = "\n".join(lines)
    assert "boom with" in joined
    for secret in (KEY, PUBLIC, BASIC):
        assert secret not in joined


def test_installing_twice_adds_one_filter() -> None:
    logger = logging.getLogger("pos_app.test_redact_twice")
    handler = logging.NullHandler()
    logger.addHandler(handler)
    try:
        install_redaction(["pos_app.test_redact_twice"])
        install_redaction(["pos_app.test_redact_twice"])
        assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1
        assert sum(isinstance(f, RedactingFilter) for f in logger.filters) == 1
    finally:
        logger.removeHandler(handler)
        logger.filters.clear()


def test_filter_never_drops_records() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello %s", (KEY,), None)
    assert RedactingFilter().filter(record) is True
    assert record.getMessage() == f"hello {MASK}"
