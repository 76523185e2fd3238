"""Composition root: settings, database, clients, services and the main window.

This is the only module of ``pos_app`` that may import ``pos_sandbox`` (to start the embedded
sandbox when no PayMongo key is configured).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import gc
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pos_app import __version__
from pos_app.config import (
    Mode,
    Secrets,
    Settings,
    first_paint_settings,
    load_secrets,
    load_settings,
    secret_problems,
    store_secret,
)
from pos_app.domain.clinic_time import zone_named
from pos_app.domain.errors import PosError, UserFacingError
from pos_app.storage.files import prepare_data_folder

if TYPE_CHECKING:  # the services load when they are built: on a used counter, after the window
    from pos_app.domain.bill_summary import BillSummary
    from pos_app.domain.clock import Clock
    from pos_app.http_policy import Timeouts
    from pos_app.paymongo import PayMongoClient
    from pos_app.services.access import AccessService
    from pos_app.services.clinic_sync import ClinicSync
    from pos_app.services.collect import CounterIdentity, PaymentMonitor
    from pos_app.services.counter import CounterServices, OpeningBackend, PaymentBackend
    from pos_app.services.discounts import DiscountService
    from pos_app.services.email_receipts import EmailReceipts
    from pos_app.services.journal import JournalService
    from pos_app.services.overpayments import OverpaymentService
    from pos_app.services.owner_tools import OwnerTools
    from pos_app.services.readings import ReadingService
    from pos_app.services.receipts import ReceiptService
    from pos_app.services.refunds.service import RefundService
    from pos_app.services.webhook_status import WebhookGuard
    from pos_app.storage import Database
    from pos_app.storage.backup import BackupPolicy
    from pos_app.storage.backup import DailyBackups as BackupJob
    from pos_sandbox.server import SandboxServer

log = logging.getLogger(__name__)

NO_DISPLAY_MESSAGE = """\
Kaha needs a screen, and this session has none (DISPLAY is not set).
  - On the counter's desktop, start it from the desktop session.
  - Without a screen, run it on a virtual one:   xvfb-run -a make run
  - Or run it with no window at all:            QT_QPA_PLATFORM=offscreen make run
"""
SMOKE_TIMEOUT_S = 60.0
# what the counter's webhook listens for: money in or out, a source to charge, a QR that lapsed
WEBHOOK_EVENTS = (
    "payment.paid",
    "payment.failed",
    "source.chargeable",
    "checkout_session.payment.paid",
    "qrph.expired",
    "payment.refunded",  # both refund events carry the Payment with its refunds[] (19.1 item 6)
    "payment.refund.updated",
)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    from pos_app import commands

    parser = argparse.ArgumentParser(
        prog="pos-app",
        description="Kaha front-desk payments",
        epilog=commands.epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"Kaha {__version__}")
    parser.add_argument("--verbose", action="store_true", help="also log to the console, at DEBUG")
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="start offscreen with a temporary data folder, check the app works, print one line",
    )
    parser.add_argument(
        "--screenshot", metavar="DIR", type=Path, help="save window screenshots, then exit"
    )
    parser.add_argument(
        "--startup-probe",
        action="store_true",
        help="print 'ready' once the bill queue is shown, then exit (used by the benchmarks)",
    )
    parser.add_argument(
        "--set-secret", metavar="NAME", help="store a key or token in the keyring (asks for it)"
    )
    return parser.parse_args(list(argv))


def display_problem() -> str | None:
    """Why Qt could not open a window here, or None if it can."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return None
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return NO_DISPLAY_MESSAGE
    return None


def main(argv: Sequence[str]) -> int:
    from pos_app import commands

    if commands.is_command(argv):
        return commands.run(argv)
    args = parse_args(argv)
    if args.smoke_test:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if args.smoke_test or args.screenshot:
        # both make a real payment in the sandbox: never in the counter's own database
        import tempfile

        scratch = tempfile.mkdtemp(prefix="kaha-smoke-")
        os.environ["POS_APP_DATA_DIR"] = str(Path(scratch) / "data")
        os.environ["POS_APP_CONFIG_DIR"] = str(Path(scratch) / "config")
        os.environ.pop("POS_APP_DATABASE_URL", None)
    try:
        settings = load_settings()
        if args.set_secret:
            return _set_secret(args.set_secret)
    except UserFacingError as exc:
        from pos_app.settings_problems import StartupProblems

        if isinstance(exc, StartupProblems):  # the keys too: every bad setting at once
            return _cannot_start(exc.adding(secret_problems()))
        print(exc.user_message, file=sys.stderr)
        return 2
    problem = display_problem()
    if problem is not None:
        print(problem, file=sys.stderr, end="")
        return 3
    try:
        # before anything writes there (the log file first): private, and writable at all
        prepare_data_folder(settings.data_dir)
    except PosError as exc:
        from pos_app.ui.application import tell_cannot_start

        tell_cannot_start(exc.user_message)
        return 1
    first_rows = None if args.smoke_test or args.screenshot else _first_rows(settings)
    if first_rows is not None:
        from pos_app.ui.application import run_gui_while_starting

        shown = len(first_rows)

        def open_counter() -> CounterServices:
            # On the database worker, once the window is drawn: the log file, the keyring
            # (~0.2 s to find its backend; the banner says "checking the keys" until then, and
            # no payment starts before it) and the database.
            _start_logging(settings, verbose=args.verbose)
            log.info("first paint: %d open bills were shown before the database was opened", shown)
            return frozen_for_the_day(build_services(settings, load_secrets()))

        return run_gui_while_starting(
            settings, first_rows, build=open_counter, startup_probe=args.startup_probe
        )
    _start_logging(settings, verbose=args.verbose)
    try:
        secrets = load_secrets()
    except UserFacingError as exc:
        return _cannot_start(exc)
    try:
        services = build_services(settings, secrets)
    except PosError as exc:
        log.exception("start-up failed")
        from pos_app.ui.application import tell_cannot_start

        tell_cannot_start(exc.user_message)
        return 1
    frozen_for_the_day(services)
    from pos_app.ui.application import run_gui

    try:
        return run_gui(
            services,
            smoke_test=args.smoke_test,
            screenshot_dir=args.screenshot,
            startup_probe=args.startup_probe,
        )
    finally:
        services.shutdown()


def _cannot_start(exc: UserFacingError) -> int:
    """A start-up problem (bad settings, a wrong key): on the console, and in a window too when
    there is a screen (a counter started from the desktop has no console to read)."""
    if display_problem() is not None:
        print(exc.user_message, file=sys.stderr)
        return 2
    from pos_app.ui.application import tell_cannot_start

    tell_cannot_start(exc.user_message)
    return 2


def frozen_for_the_day(services: CounterServices) -> CounterServices:
    """The services, with the garbage collector set for the day (``settle_memory``)."""
    settle_memory()
    return services


# Young objects a collection waits for (Python's default is 700). A first clinic sync keeps a few
# pages of bills alive at a time; at 700 they outlive the young collections, reach the old
# generation and set off a full collection every ~0.4 s, each a 40–60 ms stall of the window
# (bench/clinic_stall_bench.py: p99 60 ms at 700, 17 ms at 10,000, with start-up frozen).
YOUNG_COLLECTION_THRESHOLD = 10_000


def settle_memory() -> None:
    """Once start-up is done: its objects (Qt's bindings, SQLAlchemy's mappers, the services)
    live for the whole day, so move them out of the collector's way (a full collection during
    a bill search then costs well under a millisecond instead of ~40 ms), and collect young
    objects less often (YOUNG_COLLECTION_THRESHOLD). For the window and ``pos-app sync``."""
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, middle, old)


def _first_rows(settings: Settings) -> list[BillSummary] | None:
    """The default queue read without SQLAlchemy when the database is a current SQLite file
    (storage.first_paint); None on a new counter, on PostgreSQL or an older schema."""
    from pos_app.services.bills import OPEN_STATUSES, QUEUE_LIMIT
    from pos_app.storage.first_paint import read_queue

    return read_queue(first_paint_settings(settings).database_url, OPEN_STATUSES, QUEUE_LIMIT)


def _set_secret(name: str) -> int:
    import getpass

    value = getpass.getpass(f"{name}: ")
    store_secret(name, value.strip())
    print(f"Stored {name} in the keyring.")
    return 0


def _start_logging(settings: Settings, *, verbose: bool) -> None:
    """The rotating log file, with keys and card numbers redacted from every record."""
    from pos_app.log_file import configure_logging
    from pos_app.paymongo.redact import install_redaction

    configure_logging(settings, verbose=verbose)
    install_redaction()


def build_services(settings: Settings, secrets: Secrets) -> CounterServices:
    """Open the database (checked and migrated) and wire the services; no Qt here."""
    from pos_app.services.bills import BillQueue
    from pos_app.services.counter import CounterServices
    from pos_app.services.practice import open_books
    from pos_app.services.receipts import ReceiptService

    mode = secrets.mode
    prepare_data_folder(settings.data_dir)
    opened = open_books(settings, mode)  # sandbox mode: the practice books, apart
    database, books = opened.database, opened.settings
    notice = _start_notice(settings, mode, opened.notice)
    if notice:
        print(notice, file=sys.stderr, flush=True)  # and the window says it (ui)
    _prepare_demo_people(database, mode)
    access = _access(settings, database)
    closers: list[Callable[[], None]] = []
    sandbox: list[SandboxServer] = []
    backups = _start_daily_backups(books, database)
    receipts = ReceiptService(books, database=database, access=access)
    receipts.use_email(_start_email_receipts(settings, secrets, database, receipts, closers))
    readings = _readings(settings, database, access, receipts, backups)

    def open_payment_backend() -> OpeningBackend:
        return _open_payment_backend(
            settings,
            secrets,
            database,
            sandbox,
            closers,
            counter=(access, receipts),
            readings=readings,
        )

    def start_payment_backend() -> PaymentBackend:
        return open_payment_backend().connect()

    def shutdown() -> None:
        try:  # a lock noted in the last moment before closing, not yet written by the window
            access.record_locks()
        except PosError as exc:
            log.warning("locks not written to the audit at shutdown: %s", exc)
        for close in closers:
            close()
        for server in sandbox:
            server.stop()
        if backups is not None:
            backups.stop()
        database.dispose()

    return CounterServices(
        settings=settings,
        mode=mode,
        database=database,
        bills=BillQueue(database),
        start_payment_backend=start_payment_backend,
        open_payment_backend=open_payment_backend,
        receipts=receipts,
        access=access,
        database_checks=_describe_checks(database),
        shutdown=shutdown,
        after_z_reading=None if backups is None else backups.after_z_reading,
        journal=_journal(books, database, access),
        owner=_owner_tools(settings, database, access),
        notice=notice,
        other_books_painted=opened.other_than_painted,
    )


def _start_notice(settings: Settings, mode: Mode, books_notice: str | None) -> str | None:
    """What the window tells the receptionist once it is up: practice books set aside for a
    real key (services.practice); patients landing on PayMongo's page after paying by phone."""
    from pos_app.services.collect.finished import no_clinic_page

    no_page = no_clinic_page(
        settings.payment_finished_url,
        sandbox=mode is Mode.SANDBOX,
        clinic_url=settings.clinic_base_url,
    )
    return "\n\n".join(text for text in (books_notice, no_page) if text) or None


def _journal(settings: Settings, database: Database, access: AccessService) -> JournalService:
    """The e-journal's reader, asking the counter's one AccessService who is signed in."""
    from pos_app.services.journal import JournalService

    return JournalService(
        database,
        access,
        terminal_id=settings.terminal_id,
        time_zone=settings.clinic_time_zone,
        export_folder=settings.data_dir / "e-journal",
    )


def _owner_tools(settings: Settings, database: Database, access: AccessService) -> OwnerTools:
    """The Owner menu's services: settings (file and keyring) and the audit trail check."""
    from pos_app.domain.clock import SystemClock
    from pos_app.services.audit_trail import AuditTrail
    from pos_app.services.owner_tools import OwnerTools
    from pos_app.services.settings_service import SettingsService

    clock = SystemClock()
    return OwnerTools(
        settings=SettingsService(
            settings, database, access, clock, timeouts=network_timeouts(settings)
        ),
        audit=AuditTrail(database, time_zone=settings.clinic_time_zone),
        access=access,
    )


def _prepare_demo_people(database: Database, mode: Mode) -> None:
    """Sandbox: demo people to sign in with (docs/staff.md); otherwise they are turned off."""
    from pos_app.domain.clock import SystemClock
    from pos_app.services.access import prepare_demo_people

    prepare_demo_people(database, SystemClock(), sandbox=mode is Mode.SANDBOX)


def _access(settings: Settings, database: Database) -> AccessService:
    """Sign-in, the idle lock after ``idle_lock_minutes`` (0: never) and ``require``."""
    from datetime import timedelta

    from pos_app.domain.clock import SystemClock
    from pos_app.services.access import AccessService

    minutes = settings.idle_lock_minutes
    idle_after = timedelta(minutes=minutes) if minutes > 0 else None
    return AccessService(database, SystemClock(), idle_after=idle_after)


def _start_email_receipts(
    settings: Settings,
    secrets: Secrets,
    database: Database,
    receipts: ReceiptService,
    closers: list[Callable[[], None]],
) -> EmailReceipts | None:
    """Email receipts' sender (docs/email-receipts.md), when the clinic turned them on."""
    if not settings.email_receipts_enabled:
        return None
    if not settings.smtp_host or not settings.smtp_from:
        log.warning("email receipts are on but smtp_host or smtp_from is not set: they stay off")
        return None
    from pos_app.domain.clock import SystemClock
    from pos_app.services.email_receipts import EmailReceipts, MailServer

    server = MailServer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        security=settings.smtp_security,
        sender=settings.smtp_from,
        user=settings.smtp_user,
        password=secrets.smtp_password,
    )
    emails = EmailReceipts(
        database, receipts, server, SystemClock(), clinic_name=settings.clinic_name
    )
    emails.start()
    closers.append(emails.stop)
    return emails


def backup_policy(settings: Settings, database: Database) -> BackupPolicy | None:
    """SQLite: where and how long backups of ``database`` are kept (storage.backup); None for
    PostgreSQL, which is backed up by its server."""
    from pos_app.storage.backup import BackupPolicy

    path = database.sqlite_file
    if path is None:
        return None
    return BackupPolicy(
        database_file=path,
        folder=settings.backups,
        keep_days=settings.backup_keep_days,
        keep_at_least=settings.backup_keep_at_least,
    )


def _start_daily_backups(settings: Settings, database: Database) -> BackupJob | None:
    """SQLite: the daily backup job (storage.backup); PostgreSQL is backed up by its server."""
    from pos_app.storage.backup import DailyBackups

    policy = backup_policy(settings, database)
    if policy is None:
        return None
    job = DailyBackups(policy, lambda: datetime.now(UTC))
    job.start()
    return job


def _open_payment_backend(
    settings: Settings,
    secrets: Secrets,
    database: Database,
    sandbox: list[SandboxServer],
    closers: list[Callable[[], None]],
    *,
    counter: tuple[AccessService, ReceiptService],
    readings: ReadingService | None = None,
) -> OpeningBackend:
    """Blocking but quick (runs on a network worker): the PayMongo client and the payment
    services, with no request to PayMongo yet, so cash works as soon as the database is open.
    ``connect`` then checks the key, starts the webhook receiver and recovers the open payments:
    that waits on PayMongo, which may be slow or not answer at all."""
    from secrets import token_hex

    from pos_app.domain.account_methods import AccountMethods
    from pos_app.domain.clock import SystemClock
    from pos_app.paymongo import PayMongoClient
    from pos_app.services.clinic_sync.health import read_health
    from pos_app.services.collect import CollectService, PaymentMonitor
    from pos_app.services.counter import OpeningBackend, PaymentBackend

    mode = secrets.mode
    secret_key, public_key = secrets.paymongo_secret_key, secrets.paymongo_public_key
    paymongo_url, clinic_url = settings.paymongo_base_url, settings.clinic_base_url or None
    clinic_token = secrets.clinic_token
    description = f"PayMongo {mode.value} mode"
    if mode is Mode.SANDBOX:
        server = start_embedded_sandbox(settings)
        sandbox.append(server)
        paymongo_url, clinic_url = server.paymongo_url, server.clinic_url
        clinic_token = server.clinic_token
        # any well-formed keys: sandbox only (keyed cards use the public key)
        secret_key, public_key = "sk_test_" + token_hex(12), "pk_test_" + token_hex(12)
        description = f"PayMongo sandbox at {paymongo_url}"
    client = PayMongoClient(
        secret_key=secret_key,
        public_key=public_key,
        base_url=paymongo_url,
        timeouts=network_timeouts(settings),
    )
    clock = SystemClock()
    access = counter[0]
    identity = _counter_identity(
        settings, access, _finished_page(settings, mode, paymongo_url, clinic_url)
    )
    collect = CollectService(database, client, clock, identity)
    closers.extend((collect.close, client.close))  # the client: its pooled connections
    monitor = PaymentMonitor(collect, clock)
    from pos_app.services.reconcile.payouts import PayoutService
    from pos_app.services.reconcile.service import ReconcileService

    clinic = clinic_sync(settings, database, clinic_url, clinic_token, closers)

    refunds = _refunds(settings, database, client, clock, counter)
    health_of = functools.partial(
        read_health, database, clock, terminal_id=settings.terminal_id, clinic=clinic
    )
    # Only on the connected backend: the start-up run comes once PayMongo answered and the
    # payments left open were recovered, not once while the key is checked and again after.
    reconcile = ReconcileService(
        database,
        client,
        collect,
        clock,
        settings.terminal_id,
        follow_refunds=None if refunds is None else refunds.follow_open,
        zone=identity.zone,
    )
    usable = PaymentBackend(
        description=f"{description} (checking…)",
        paymongo_url=paymongo_url,
        clinic_url=clinic_url,
        collect=collect,
        monitor=monitor,
        methods=AccountMethods.assumed(),
        payouts=PayoutService(database, client, access),
        clinic=clinic,
        health=functools.partial(
            health_of, paymongo=f"{description} (checking…)", webhook_url=None
        ),
        discounts=_discounts(settings, database, clock, access),
        readings=readings,
        refunds=refunds,
        overpayments=_overpayments(database, clock, access, refunds, identity),
        clinic_zone=identity.zone,
    )

    def connect() -> PaymentBackend:
        nonlocal description
        methods = AccountMethods.assumed()
        try:
            # One cheap real request: checks the key and the network now, warms the connection
            # and what loads on first use here on the worker, and says which ways of paying the
            # account has and how PayMongo spells them (paymongo-api.md 19.1 items 1-2).
            methods = AccountMethods.from_capabilities(client.payment_method_capabilities())
            collect.use_account_methods(methods)
        except PosError as exc:
            log.warning("PayMongo check at start-up failed: %s", exc.user_message)
            description += " (not reachable yet)"
        # Loaded here on the worker, not on the GUI thread when the first QR is drawn or the
        # first invoice is previewed (~40 ms for the printing code):
        import qrcode  # noqa: F401

        import pos_app.printing  # noqa: F401

        webhook_url, webhook = None, None
        if settings.webhook_receiver_enabled:
            webhook_url, webhook = start_webhook_receiver(
                settings,
                secrets,
                client=client,
                monitor=monitor,
                database=database,
                closers=closers,
                refunds=usable.refunds,
                signed_in=access.actor_name,
            )
            description += (
                f", webhooks at {webhook_url}" if webhook_url else ", webhooks OFF (see log)"
            )
        _recover(monitor, usable.refunds)
        return dataclasses.replace(
            usable,
            description=description,
            reconcile=reconcile,
            webhook_url=webhook_url,
            methods=methods,
            webhook=webhook,
            health=functools.partial(
                health_of,
                paymongo=description,
                webhook_url=webhook_url,
                webhook_status=None if webhook is None else webhook.status,
            ),
        )

    return OpeningBackend(backend=usable, connect=connect)


def _counter_identity(
    settings: Settings, access: AccessService, finished_page: str | None
) -> CounterIdentity:
    """Who collects: this counter's invoice series, the clinic's name and clock, the person
    signed in, and where the patient's phone lands after paying."""
    from pos_app.domain.account_methods import AccountMethods
    from pos_app.services.collect import CounterIdentity

    return CounterIdentity(
        terminal_id=settings.terminal_id,
        invoice_prefix=settings.invoice_prefix,
        clinic_name=settings.clinic_name,
        keyed_card_enabled=settings.keyed_card_enabled,
        paymongo_methods=AccountMethods.assumed(),  # until PayMongo says (connect)
        time_zone=settings.clinic_time_zone,
        signed_in=access.actor_name,
        finished_page=finished_page,
    )


def _overpayments(
    database: Database,
    clock: Clock,
    access: AccessService,
    refunds: RefundService,
    identity: CounterIdentity,
) -> OverpaymentService:
    """The overpayment cases staff close by a refund or by applying the money to another bill
    of the patient, as the signed-in person."""
    from pos_app.services.overpayments import OverpaymentService

    return OverpaymentService(database, clock, access, refunds, identity)


def _recover(monitor: PaymentMonitor, refunds: RefundService | None) -> None:
    """Start-up: the payments, then the refunds, a crash or a closed counter left open."""
    recovered = monitor.recover()
    if recovered:
        log.info("recovered %d open payments from the last run", len(recovered))
    if refunds is not None:
        followed = refunds.recover()
        log.info("followed %d open refunds from the last run", len(followed))


def _refunds(
    settings: Settings,
    database: Database,
    client: PayMongoClient,
    clock: Clock,
    counter: tuple[AccessService, ReceiptService],
) -> RefundService:
    """Refunds through PayMongo or by hand, checked against the signed-in person's role."""
    from pos_app.services.refunds.service import RefundService

    access, receipts = counter
    return RefundService(
        database, client, clock, access, terminal_id=settings.terminal_id, slips=receipts
    )


def _finished_page(
    settings: Settings, mode: Mode, paymongo_url: str, clinic_url: str | None
) -> str | None:
    """Where the patient's phone lands after paying (docs/payment-finished.md)."""
    from pos_app.services.collect.finished import payment_finished_url

    return payment_finished_url(
        settings.payment_finished_url,
        sandbox_url=paymongo_url if mode is Mode.SANDBOX else None,
        clinic_url=clinic_url,
    )


def _readings(
    settings: Settings,
    database: Database,
    access: AccessService,
    receipts: ReceiptService,
    backups: BackupJob | None,
) -> ReadingService:
    """Shifts and X/Z readings; the Z-reading backs the database up (SQLite) once it is taken.
    The people on the readings are whoever is signed in at the counter (``access``)."""
    from pos_app.domain.discount import VatStatus
    from pos_app.services.readings import ReadingService

    return ReadingService(
        database,
        access,
        receipts,
        terminal_id=settings.terminal_id,
        vat_status=VatStatus(settings.vat_registration.value),
        time_zone=settings.clinic_time_zone,
        after_z_reading=None if backups is None else backups.after_z_reading,
    )


def _discounts(
    settings: Settings, database: Database, clock: Clock, access: AccessService
) -> DiscountService:
    """The senior/PWD discount at the counter, for the clinic's VAT registration."""
    from pos_app.domain.discount import VatStatus
    from pos_app.services.discounts import DiscountService

    return DiscountService(
        database,
        VatStatus(settings.vat_registration.value),
        time_zone=settings.clinic_time_zone,
        clock=clock,
        signed_in=access.actor_name,
    )


def open_counter_database(settings: Settings, mode: Mode | None = None) -> Database:
    """The counter's database as every entry point opens it: the data folder private to this
    user, the file checked (never an empty or damaged one taken for new), migrated; in sandbox
    mode (``mode``, else from the keys) the practice books (services.practice)."""
    from pos_app.services.practice import open_books

    prepare_data_folder(settings.data_dir)
    opened = open_books(settings, load_secrets().mode if mode is None else mode)
    if opened.notice:
        print(opened.notice, file=sys.stderr, flush=True)
    return opened.database


def network_timeouts(settings: Settings) -> Timeouts:
    """The connect, per-try and overall limits every client (PayMongo, clinic) gets."""
    from pos_app.http_policy import Timeouts

    return Timeouts(
        connect_s=settings.connect_timeout_s,
        read_s=settings.read_timeout_s,
        per_try_s=settings.read_timeout_s,
        total_s=settings.request_deadline_s,
    )


def paymongo_without_window(
    settings: Settings, secrets: Secrets, closers: list[Callable[[], None]]
) -> PayMongoClient:
    """A PayMongo client for a ``pos-app`` command: the configured PayMongo, or in sandbox mode
    the embedded sandbox with the counter's saved state. ``closers`` get what to close."""
    from secrets import token_hex

    from pos_app.paymongo import PayMongoClient

    base_url, secret_key = settings.paymongo_base_url, secrets.paymongo_secret_key
    if secrets.mode is Mode.SANDBOX:
        server = start_embedded_sandbox(settings)
        closers.append(server.stop)
        base_url, secret_key = server.paymongo_url, "sk_test_" + token_hex(12)
    client = PayMongoClient(
        secret_key=secret_key,
        base_url=base_url,
        timeouts=network_timeouts(settings),
    )
    closers.insert(0, client.close)
    return client


def clinic_sync(
    settings: Settings,
    database: Database,
    url: str | None,
    token: str | None,
    closers: list[Callable[[], None]],
) -> ClinicSync | None:
    """The job that keeps bills in step with the clinic server (``closers`` get what to close);
    None when none is set up."""
    if not url or not token:
        log.warning("no clinic server set up (clinic_base_url and clinic_token): walk-ins only")
        return None
    from pos_app.clinic import ClinicClient
    from pos_app.domain.clock import SystemClock
    from pos_app.services.clinic_sync import ClinicSync

    client = ClinicClient(
        base_url=url,
        token=token,
        timeouts=network_timeouts(settings),
    )
    clinic = ClinicSync(
        database,
        client,
        SystemClock(),
        interval_s=settings.clinic_sync_interval_s,
        zone=zone_named(settings.clinic_time_zone),
    )
    closers.append(clinic.close)
    return clinic


def start_webhook_receiver(
    settings: Settings,
    secrets: Secrets,
    *,
    client: PayMongoClient,
    monitor: PaymentMonitor,
    database: Database,
    closers: list[Callable[[], None]],
    refunds: RefundService | None = None,
    signed_in: Callable[[], str | None] = lambda: None,
) -> tuple[str | None, WebhookGuard | None]:
    """The optional local webhook endpoint: its URL and the guard that keeps it enabled at
    PayMongo (checked once here; its audit names ``signed_in()``, else the counter), or
    (None, None) when it could not start.

    With real PayMongo the clinic registers the webhook itself (a public HTTPS tunnel to this
    port) and stores its ``whsk_`` secret; in sandbox mode the counter registers its own webhook
    with the sandbox. The monitor polls either way, so a receiver that is down only costs speed."""
    from pos_app.domain.clock import SystemClock
    from pos_app.services.webhook_receiver import WEBHOOK_PATH, MonitorEventHandler, WebhookReceiver
    from pos_app.services.webhook_status import WebhookGuard

    port = settings.webhook_receiver_port
    try:
        if secrets.mode is Mode.SANDBOX:
            secret = _sandbox_webhook_secret(client, f"http://127.0.0.1:{port}{WEBHOOK_PATH}")
        elif secrets.paymongo_webhook_secret:
            secret = secrets.paymongo_webhook_secret
        else:
            log.warning("webhook receiver is on but paymongo_webhook_secret is not set: stays off")
            return None, None
        livemode = secrets.mode is Mode.LIVE
        handler = MonitorEventHandler(monitor, database, refunds=refunds)
        receiver = WebhookReceiver(port, secret, livemode, handler, database)
        receiver.start()
    except (OSError, PosError) as exc:
        log.warning("webhook receiver could not start (payments are still polled): %s", exc)
        return None, None
    closers.append(receiver.stop)
    log.info("webhook receiver listening at %s", receiver.url)
    zone = zone_named(settings.clinic_time_zone)
    guard = WebhookGuard(
        client, database, SystemClock(), secret=secret, zone=zone, signed_in=signed_in
    )
    guard.check()  # PayMongo may have disabled it while the counter was off (19.1 item 7)
    return receiver.url, guard


def _sandbox_webhook_secret(client: PayMongoClient, url: str) -> str:
    """Register this counter's webhook with the sandbox once (the ``WebhookGuard`` enables it
    again, audited, if the sandbox disabled it as PayMongo would)."""
    from secrets import token_hex

    hook = next((h for h in client.list_webhooks() if h.url == url), None)
    if hook is None:
        key = token_hex(16)
        hook = client.create_webhook(url=url, events=WEBHOOK_EVENTS, idempotency_key=key)
    return hook.secret_key


def _describe_checks(database: Database) -> str:
    # open_database refuses to return unless these hold, so naming them here is a statement of fact
    if database.engine.dialect.name == "sqlite":
        return "checked (WAL, synchronous=FULL, foreign keys on, busy timeout >= 5 s) and migrated"
    return f"{database.engine.dialect.name} migrated"


def start_embedded_sandbox(settings: Settings) -> SandboxServer:
    """Start pos_sandbox in this process, keeping its state beside the app's data."""
    from pos_sandbox.server import SandboxServer

    server = SandboxServer(data_path=settings.data_dir / "sandbox-state.json")
    server.start()
    return server
