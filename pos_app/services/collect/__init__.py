"""Collecting a payment at the counter: cash and PayMongo QR Ph, exactly once.

``CollectService`` runs one payment step by step, committing each step before the next request
leaves; ``PaymentMonitor`` keeps watching every open payment whatever screen is showing.
"""

from pos_app.services.collect.crash_points import CrashPoints
from pos_app.services.collect.monitor import PaymentMonitor
from pos_app.services.collect.results import AttemptUpdate, CashResult, PaymentDisplay, Settlement
from pos_app.services.collect.service import CollectService, CounterIdentity

__all__ = [
    "AttemptUpdate",
    "CashResult",
    "CollectService",
    "CounterIdentity",
    "CrashPoints",
    "PaymentDisplay",
    "PaymentMonitor",
    "Settlement",
]
