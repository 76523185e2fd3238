"""PayMongo v1 client: one httpx.Client, typed wire models, one error tree, retries in one place,
Idempotency-Key handling, pagination, webhook signature verification and log redaction.

Import what you need from here; the submodules are the detail.
"""

from pos_app.paymongo.api_payments import Address, Billing
from pos_app.paymongo.client import DEFAULT_BASE_URL, PayMongoClient
from pos_app.paymongo.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    CardDeclinedError,
    ConflictError,
    ErrorDetail,
    IdempotencyKeyReusedError,
    InvalidRequestError,
    MalformedResponseError,
    NotFoundError,
    PayMongoError,
    PermissionDeniedError,
    RateLimitError,
    ResourceNotFoundError,
    RouteNotFoundError,
    ServerError,
    SignatureVerificationError,
)
from pos_app.paymongo.redact import RedactingFilter, install_redaction
from pos_app.paymongo.retry import Pacing, RetryPolicy, Timeouts
from pos_app.paymongo.webhooks import parse_event, verify_signature

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
