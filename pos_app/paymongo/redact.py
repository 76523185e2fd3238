"""Keep PayMongo secrets out of logs: a logging filter that masks keys wherever they appear.

Masked: secret and public API keys (``sk_test_...``, ``sk_live_...``, ``pk_...``), webhook
secrets (``whsk_...``), HTTP Basic credentials (``Basic <base64 of "key:">``) and the bare
base64 form of a key, and the secret half of client keys (``pi_..._client_<secret>``).

The filter rewrites the record itself (message, args, exception and stack text), so once it has
run no later handler sees the secret. Install it on *handlers* (``install_redaction``): a filter
on a logger only sees records created by that exact logger, while a handler's filter sees every
record that reaches the handler, from any logger (httpx, httpcore.*, ours, anyone's).

Threading contract: the filter is stateless apart from its compiled patterns; logging calls it
under each handler's lock, from any thread.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

MASK = "[REDACTED]"

# A key at the start of a base64 string (a Basic credential) always encodes to one of these
# prefixes: the first 10 characters of base64("sk_test_"), base64("sk_live_"), ..., and the
# first 6 of base64("whsk_"), which do not depend on the bytes that follow.
_BASE64_KEY_PREFIXES = ("c2tfdGVzdF", "c2tfbGl2ZV", "cGtfdGVzdF", "cGtfbGl2ZV", "d2hza1")

_SECRET_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\b(?:sk|pk)_(?:test|live)_[A-Za-z0-9_\-]+"),
    re.compile(r"\bwhsk_[A-Za-z0-9_\-]+"),
    re.compile(r"(?i)\bbasic\s+[A-Za-z0-9+/=_\-]{12,}"),
    re.compile(r"(?:" + "|".join(_BASE64_KEY_PREFIXES) + r")[A-Za-z0-9+/=_\-]*"),
    re.compile(r"(?<=_client_)[A-Za-z0-9]+"),
)


def redact_text(text: str) -> str:
    """`text` with every secret-looking token replaced by ``[REDACTED]``."""
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(MASK, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each log record so that no PayMongo secret survives in it. Never drops records."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw parts, still redacted
            message = f"{record.msg!r} {record.args!r}"
        record.msg = redact_text(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True


_FILTER = RedactingFilter()
DEFAULT_LOGGERS = ("", "httpx", "httpcore", "pos_app")


def install_redaction(logger_names: Iterable[str] = DEFAULT_LOGGERS) -> RedactingFilter:
    """Add the redacting filter to each named logger and to every handler they have now.

    ``""`` is the root logger, whose handlers see the records of every propagating logger.
    Installing twice is harmless. Handlers added later need ``handler.addFilter(filter)``
    with the returned filter (or another call to this function).
    """
    for name in logger_names:
        logger = logging.getLogger(name)
        _add_once(logger)
        for handler in logger.handlers:
            _add_once(handler)
    return _FILTER


def _add_once(target: logging.Filterer) -> None:
    if not any(isinstance(existing, RedactingFilter) for existing in target.filters):
        target.addFilter(_FILTER)
