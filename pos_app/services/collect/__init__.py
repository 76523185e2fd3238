"""Collecting a payment at the counter: cash and PayMongo QR Ph, exactly once.

``CollectService`` runs one payment step by step, committing each step before the next request
leaves; ``PaymentMonitor`` keeps watching every open payment whatever screen is showing.

Names load on first use (PEP 562): the GUI imports the result types at start-up without pulling
in httpx and the PayMongo client before the window is up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pos_app.services.collect.crash_points import CrashPoints as CrashPoints
    from pos_app.services.collect.inputs import CounterIdentity as CounterIdentity
    from pos_app.services.collect.monitor import PaymentMonitor as PaymentMonitor
    from pos_app.services.collect.results import AttemptUpdate as AttemptUpdate
    from pos_app.services.collect.results import CashResult as CashResult
    from pos_app.services.collect.results import PaymentDisplay as PaymentDisplay
    from pos_app.services.collect.results import Settlement as Settlement
    from pos_app.services.collect.service import CollectService as CollectService

_LAZY = {
    "AttemptUpdate": "pos_app.services.collect.results",
    "CashResult": "pos_app.services.collect.results",
    "CollectService": "pos_app.services.collect.service",
    "CounterIdentity": "pos_app.services.collect.inputs",
    "CrashPoints": "pos_app.services.collect.crash_points",
    "PaymentDisplay": "pos_app.services.collect.results",
    "PaymentMonitor": "pos_app.services.collect.monitor",
    "Settlement": "pos_app.services.collect.results",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pos_app.services.collect' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


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
