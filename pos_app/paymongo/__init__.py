"""PayMongo v1 client: one httpx.Client, typed wire models, one error tree, retries in one place,
Idempotency-Key handling, pagination, webhook signature verification and log redaction.

Import what you need from here; the submodules are the detail.
The names load on first use (PEP 562), so ``pos_app.paymongo.redact`` can be installed at start-up
without importing httpx and the whole client before the window is up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pos_app.paymongo.api_payments import Address as Address
    from pos_app.paymongo.api_payments import Billing as Billing
    from pos_app.paymongo.client import DEFAULT_BASE_URL as DEFAULT_BASE_URL
    from pos_app.paymongo.client import PayMongoClient as PayMongoClient
    from pos_app.paymongo.errors import APIConnectionError as APIConnectionError
    from pos_app.paymongo.errors import APIError as APIError
    from pos_app.paymongo.errors import APITimeoutError as APITimeoutError
    from pos_app.paymongo.errors import AuthenticationError as AuthenticationError
    from pos_app.paymongo.errors import CardDeclinedError as CardDeclinedError
    from pos_app.paymongo.errors import ConflictError as ConflictError
    from pos_app.paymongo.errors import ErrorDetail as ErrorDetail
    from pos_app.paymongo.errors import IdempotencyKeyReusedError as IdempotencyKeyReusedError
    from pos_app.paymongo.errors import InvalidRequestError as InvalidRequestError
    from pos_app.paymongo.errors import MalformedResponseError as MalformedResponseError
    from pos_app.paymongo.errors import NotFoundError as NotFoundError
    from pos_app.paymongo.errors import PayMongoError as PayMongoError
    from pos_app.paymongo.errors import PermissionDeniedError as PermissionDeniedError
    from pos_app.paymongo.errors import RateLimitError as RateLimitError
    from pos_app.paymongo.errors import ResourceNotFoundError as ResourceNotFoundError
    from pos_app.paymongo.errors import RouteNotFoundError as RouteNotFoundError
    from pos_app.paymongo.errors import ServerError as ServerError
    from pos_app.paymongo.errors import SignatureVerificationError as SignatureVerificationError
    from pos_app.paymongo.redact import RedactingFilter as RedactingFilter
    from pos_app.paymongo.redact import install_redaction as install_redaction
    from pos_app.paymongo.retry import Pacing as Pacing
    from pos_app.paymongo.retry import RetryPolicy as RetryPolicy
    from pos_app.paymongo.retry import Timeouts as Timeouts
    from pos_app.paymongo.webhooks import parse_event as parse_event
    from pos_app.paymongo.webhooks import verify_signature as verify_signature

_LAZY = {
    "APIConnectionError": "pos_app.paymongo.errors",
    "APIError": "pos_app.paymongo.errors",
    "APITimeoutError": "pos_app.paymongo.errors",
    "Address": "pos_app.paymongo.api_payments",
    "AuthenticationError": "pos_app.paymongo.errors",
    "Billing": "pos_app.paymongo.api_payments",
    "CardDeclinedError": "pos_app.paymongo.errors",
    "ConflictError": "pos_app.paymongo.errors",
    "DEFAULT_BASE_URL": "pos_app.paymongo.client",
    "ErrorDetail": "pos_app.paymongo.errors",
    "IdempotencyKeyReusedError": "pos_app.paymongo.errors",
    "InvalidRequestError": "pos_app.paymongo.errors",
    "MalformedResponseError": "pos_app.paymongo.errors",
    "NotFoundError": "pos_app.paymongo.errors",
    "Pacing": "pos_app.paymongo.retry",
    "PayMongoClient": "pos_app.paymongo.client",
    "PayMongoError": "pos_app.paymongo.errors",
    "PermissionDeniedError": "pos_app.paymongo.errors",
    "RateLimitError": "pos_app.paymongo.errors",
    "RedactingFilter": "pos_app.paymongo.redact",
    "ResourceNotFoundError": "pos_app.paymongo.errors",
    "RetryPolicy": "pos_app.paymongo.retry",
    "RouteNotFoundError": "pos_app.paymongo.errors",
    "ServerError": "pos_app.paymongo.errors",
    "SignatureVerificationError": "pos_app.paymongo.errors",
    "Timeouts": "pos_app.paymongo.retry",
    "install_redaction": "pos_app.paymongo.redact",
    "parse_event": "pos_app.paymongo.webhooks",
    "verify_signature": "pos_app.paymongo.webhooks",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pos_app.paymongo' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_BASE_URL",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "Address",
    "AuthenticationError",
    "Billing",
    "CardDeclinedError",
    "ConflictError",
    "ErrorDetail",
    "IdempotencyKeyReusedError",
    "InvalidRequestError",
    "MalformedResponseError",
    "NotFoundError",
    "Pacing",
    "PayMongoClient",
    "PayMongoError",
    "PermissionDeniedError",
    "RateLimitError",
    "RedactingFilter",
    "ResourceNotFoundError",
    "RetryPolicy",
    "RouteNotFoundError",
    "ServerError",
    "SignatureVerificationError",
    "Timeouts",
    "install_redaction",
    "parse_event",
    "verify_signature",
]
