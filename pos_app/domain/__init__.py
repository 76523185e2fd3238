"""Pure domain core: money, bills, tenders, payment attempts, discounts, roles and the error tree.

No Qt, no httpx, no SQLAlchemy, no other ``pos_app`` package, and no clock reads (a ``Clock`` is
passed in).
"""

from pos_app.domain.attempt import (
    OPEN,
    TERMINAL,
    TRANSITIONS,
    AttemptEvent,
    AttemptState,
    PaymentAttempt,
    map_checkout_status,
    map_intent_status,
    map_payment_status,
    map_source_status,
    map_webhook_event,
    reconcile_event,
)
from pos_app.domain.bill import BILL_TERMINAL, Bill, BillLine, BillStatus, Patient
from pos_app.domain.clock import Clock, FakeClock, SystemClock
from pos_app.domain.discount import (
    AppliedDiscount,
    DiscountKind,
    DiscountResult,
    VatStatus,
    best_discount,
    no_discount,
    senior_pwd_discount,
)
from pos_app.domain.errors import (
    AmountError,
    Cancelled,
    ClinicServerError,
    ConfigError,
    IllegalTransition,
    NotFound,
    PaymentProviderError,
    PermissionDenied,
    PosError,
    StorageError,
    UserFacingError,
)
from pos_app.domain.invoice import Invoice, InvoiceSeries, format_invoice_number
from pos_app.domain.money import Money
from pos_app.domain.refund import (
    REFUND_TERMINAL,
    Refund,
    RefundState,
    can_refund_through_api,
    map_refund_status,
)
from pos_app.domain.roles import Permission, Role, can, permissions_of, require
from pos_app.domain.tender import Tender, TenderMethod, remaining, settled_amount

__all__ = [
    "BILL_TERMINAL",
    "OPEN",
    "REFUND_TERMINAL",
    "TERMINAL",
    "TRANSITIONS",
    "AmountError",
    "AppliedDiscount",
    "AttemptEvent",
    "AttemptState",
    "Bill",
    "BillLine",
    "BillStatus",
    "Cancelled",
    "ClinicServerError",
    "Clock",
    "ConfigError",
    "DiscountKind",
    "DiscountResult",
    "FakeClock",
    "IllegalTransition",
    "Invoice",
    "InvoiceSeries",
    "Money",
    "NotFound",
    "Patient",
    "PaymentAttempt",
    "PaymentProviderError",
    "Permission",
    "PermissionDenied",
    "PosError",
    "Refund",
    "RefundState",
    "Role",
    "StorageError",
    "SystemClock",
    "Tender",
    "TenderMethod",
    "UserFacingError",
    "VatStatus",
    "best_discount",
    "can",
    "can_refund_through_api",
    "format_invoice_number",
    "map_checkout_status",
    "map_intent_status",
    "map_payment_status",
    "map_refund_status",
    "map_source_status",
    "map_webhook_event",
    "no_discount",
    "permissions_of",
    "reconcile_event",
    "remaining",
    "require",
    "senior_pwd_discount",
    "settled_amount",
]
