"""What the GUI is handed at start-up: the counter's services, built by the composition root.

Threading contract: the object itself is immutable; each service documents its own contract.
``start_payment_backend`` blocks (it may start the embedded sandbox), so the GUI calls it on a
network worker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pos_app.config import Mode, Settings
from pos_app.services.bills import BillQueue
from pos_app.services.receipts import ReceiptService

if TYPE_CHECKING:  # the payment services load on the worker that starts them, after the window
    from pos_app.services.collect import CollectService, PaymentMonitor
from pos_app.storage import Database


@dataclass(frozen=True)
class PaymentBackend:
    """Where PayMongo (or its stand-in) is, once it is up."""

    description: str  # e.g. "PayMongo sandbox at http://127.0.0.1:40123"
    paymongo_url: str
    clinic_url: str | None
    collect: CollectService
    monitor: PaymentMonitor


@dataclass(frozen=True)
class CounterServices:
    settings: Settings
    mode: Mode
    database: Database
    bills: BillQueue
    start_payment_backend: Callable[[], PaymentBackend]
    receipts: ReceiptService
    database_checks: str  # what start-up verified about the database, for the smoke test
    shutdown: Callable[[], None]
