"""What the GUI is handed at start-up: the counter's services, built by the composition root.

Threading contract: the object itself is immutable; each service documents its own contract.
``start_payment_backend`` blocks (it may start the embedded sandbox), so the GUI calls it on a
network worker. The protocols below are the GUI's view of the payment services
(payments_api.md): every ``PaymentsPort`` method blocks, so the GUI calls it on a worker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from pos_app.config import Mode, Settings
from pos_app.domain.account_methods import AccountMethods
from pos_app.domain.attempt import PaymentAttempt
from pos_app.domain.bill import Bill
from pos_app.domain.clinic_time import PHILIPPINE_TIME
from pos_app.domain.money import Money
from pos_app.domain.tender import TenderMethod
from pos_app.services.bills import BillQueue
from pos_app.services.receipts import ReceiptService

if TYPE_CHECKING:  # the payment services load on the worker that starts them, after the window
    from pos_app.services.access import AccessService
    from pos_app.services.clinic_sync import ClinicSync
    from pos_app.services.clinic_sync.health import Health
    from pos_app.services.collect.inputs import CardDetails
    from pos_app.services.collect.results import AttemptUpdate, CashResult
    from pos_app.services.discounts import DiscountService
    from pos_app.services.journal import JournalService
    from pos_app.services.overpayments import OverpaymentService
    from pos_app.services.owner_tools import OwnerTools
    from pos_app.services.readings import ReadingService
    from pos_app.services.reconcile.payouts import PayoutService
    from pos_app.services.reconcile.service import ReconcileService
    from pos_app.services.refunds.service import RefundService
    from pos_app.services.webhook_status import WebhookHealth
    from pos_app.storage import Database


class PaymentsPort(Protocol):
    """CollectService as the GUI uses it. Every method blocks: call it on a worker."""

    def start(self, bill_id: int, method: TenderMethod, amount: Money) -> AttemptUpdate: ...
    def start_source(self, bill_id: int, method: TenderMethod, amount: Money) -> AttemptUpdate: ...
    def start_keyed_card(self, bill_id: int, amount: Money, card: CardDetails) -> AttemptUpdate: ...
    def pay_cash(self, bill_id: int, amount: Money, tendered: Money) -> CashResult: ...
    def cancel(self, attempt_id: str) -> AttemptUpdate: ...
    def refresh(self, attempt_id: str) -> AttemptUpdate: ...
    def open_walk_in(self, patient_name: str, lines: Sequence[tuple[str, int, Money]]) -> Bill: ...
    def overpayment_cases(self) -> Sequence[PaymentAttempt]: ...


class MonitorPort(Protocol):
    """PaymentMonitor as the GUI drives it: ``due`` on the GUI thread, ``check`` on a worker."""

    def track(self, update: AttemptUpdate) -> None: ...
    def due(self, now: datetime) -> list[str]: ...
    def check(self, attempt_id: str) -> AttemptUpdate: ...
    def subscribe(self, listener: Callable[[AttemptUpdate], None]) -> Callable[[], None]: ...


class WebhookStatusPort(Protocol):
    """WebhookGuard as the GUI (status line, health panel) uses it: ``status``/``due`` from any
    thread, ``check`` on a worker (it asks PayMongo and may enable the webhook again)."""

    def status(self) -> WebhookHealth: ...
    def due(self, now: datetime) -> bool: ...
    def check(self) -> WebhookHealth: ...


@dataclass(frozen=True)
class PaymentBackend:
    """Where PayMongo (or its stand-in) is, once it is up."""

    description: str  # e.g. "PayMongo sandbox at http://127.0.0.1:40123"
    paymongo_url: str
    clinic_url: str | None
    collect: PaymentsPort
    monitor: MonitorPort
    webhook_url: str | None = None  # where the optional webhook receiver listens
    # the ways of paying the PayMongo account has (capabilities); the counter offers only these
    methods: AccountMethods = field(default_factory=AccountMethods.assumed)
    webhook: WebhookStatusPort | None = None  # None: no webhook receiver on this counter
    reconcile: ReconcileService | None = None  # matches PayMongo's payments with this counter's
    payouts: PayoutService | None = None  # PayMongo's payouts with their payments and invoices
    clinic: ClinicSync | None = None  # None: no clinic server set up (walk-in bills only)
    health: Callable[[], Health] | None = None  # blocking: what the health panel shows
    discounts: DiscountService | None = None  # senior/PWD discount at the counter
    readings: ReadingService | None = None  # shifts and X/Z readings
    refunds: RefundService | None = None  # money back, through PayMongo or by hand (staff)
    overpayments: OverpaymentService | None = None  # late/double money staff must finish
    # the clinic's clock (Settings.clinic_time_zone): every time a view shows is read in it
    clinic_zone: tzinfo = PHILIPPINE_TIME


@dataclass(frozen=True)
class OpeningBackend:
    """Payments as soon as the database is open: ``backend`` takes cash at once (and QR codes,
    if PayMongo answers). ``connect`` blocks on PayMongo, maybe for long (a network worker):
    it checks the key, starts the webhook receiver, recovers the payments left open, and returns
    the backend as it then stands (its description says whether PayMongo answered)."""

    backend: PaymentBackend
    connect: Callable[[], PaymentBackend]


@dataclass(frozen=True)
class CounterServices:
    settings: Settings
    mode: Mode
    database: Database
    bills: BillQueue
    start_payment_backend: Callable[[], PaymentBackend]
    receipts: ReceiptService
    access: AccessService  # who is signed in; sign-in, idle lock, override, ``require``
    database_checks: str  # what start-up verified about the database, for the smoke test
    shutdown: Callable[[], None]
    # the GUI's start: cash before PayMongo answers; None: only ``start_payment_backend``
    open_payment_backend: Callable[[], OpeningBackend] | None = None
    # SQLite: back up now, returning the file; the Z-reading calls it (None on PostgreSQL, which
    # the server backs up). Blocking: call it on a worker.
    after_z_reading: Callable[[], Path] | None = None
    journal: JournalService | None = None  # the e-journal: every printout, read per day
    owner: OwnerTools | None = None  # the Owner menu: settings and the audit trail check
    # to tell the receptionist once the window is up (services.practice: practice set aside)
    notice: str | None = None
    other_books_painted: bool = False  # the first paint read the other books: read again
