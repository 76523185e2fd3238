"""The unit of work: one Session, one transaction, all repositories on it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker

from pos_app.storage.repositories import (
    AttemptRepository,
    AuditRepository,
    BillRepository,
    ClinicSyncRepository,
    DocumentPrintRepository,
    InvoiceRepository,
    JournalRepository,
    OutboxRepository,
    RefundRepository,
    TenderRepository,
    WebhookEventRepository,
)


class UnitOfWork:
    """``with db.unit_of_work() as uow: ...; uow.commit()``.

    Owns one Session for the duration of the ``with`` block. Nothing is saved unless
    ``commit()`` is called; leaving the block rolls back whatever was not committed (always
    on an exception). ``commit()`` may be called more than once; each starts a new
    transaction.

    Threading: a unit of work belongs to the thread that entered it. Use one per thread
    and per user action; never share one between threads.
    """

    bills: BillRepository
    attempts: AttemptRepository
    tenders: TenderRepository
    invoices: InvoiceRepository
    refunds: RefundRepository
    outbox: OutboxRepository
    clinic_sync: ClinicSyncRepository
    audit: AuditRepository
    webhook_events: WebhookEventRepository
    documents: DocumentPrintRepository
    journal: JournalRepository

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """The open Session (for ``next_invoice_number`` and other session-level helpers)."""
        if self._session is None:
            raise RuntimeError("the unit of work is used outside its 'with' block")
        return self._session

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("a unit of work cannot be entered twice")
        session = self._session_factory()
        self._session = session
        self.bills = BillRepository(session)
        self.attempts = AttemptRepository(session)
        self.tenders = TenderRepository(session)
        self.invoices = InvoiceRepository(session)
        self.refunds = RefundRepository(session)
        self.outbox = OutboxRepository(session)
        self.clinic_sync = ClinicSyncRepository(session)
        self.audit = AuditRepository(session)
        self.webhook_events = WebhookEventRepository(session)
        self.documents = DocumentPrintRepository(session)
        self.journal = JournalRepository(session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        session = self.session
        self._session = None
        try:
            session.rollback()
        finally:
            session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
