"""Reconciliation with PayMongo: list its payments and refunds, match them, raise what is off.

A run reads PayMongo's payments and refunds newest first down to where the previous run
stopped (the cursor kept in ``reconcile_marks``), or down to ``since``. Each paid payment is
matched to a local attempt (``matching``): the attempt's own payment is checked off against its
tender; one that arrived while its attempt was still open is driven through ``CollectService``
(which settles the bill exactly once); late or double money becomes an overpayment case on its
attempt (the attempt goes to NEEDS_REVIEW, as when polling finds it, and the Ctrl+O list shows
it); money no attempt here knows is kept as a case with no bill. A tender paid through PayMongo
with no paid payment there, and a refund this counter never made, are flagged. Nothing here
issues an invoice: only ``CollectService`` does, for an attempt that was still open.

It works with webhooks off and does not depend on them. A run that is killed part-way leaves the
cursor where it was: the next run reads the same payments again and skips those it settled.

Threading contract: Qt-free and blocking (network and database): call ``run`` on a network
worker. Runs are serialised by a lock, so the timer and the menu entry may both ask for one.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, tzinfo

from pos_app.domain.attempt import PaymentAttempt
from pos_app.domain.clinic_time import PHILIPPINE_TIME, day_of, start_of_day
from pos_app.domain.clock import Clock
from pos_app.domain.money import Money
from pos_app.domain.reconciliation import (
    Flag,
    FlagKind,
    PaymentOutcome,
    ReconcileMark,
    SeenPayment,
)
from pos_app.paymongo import PayMongoClient
from pos_app.paymongo.errors import PayMongoError, ResourceNotFoundError
from pos_app.paymongo.models import Page, Payment, PaymentStatus, Refund
from pos_app.services.collect import CollectService
from pos_app.services.collect.bookkeeping import audit_overpayment
from pos_app.services.reconcile.listing import Walk, walk_back
from pos_app.services.reconcile.matching import (
    ATTEMPT_KEY,
    BILL_KEY,
    find_attempt,
    judge,
    match_ids,
    other_counter,
)
from pos_app.services.reconcile.results import OpenCases, ReconcileResult
from pos_app.storage import Database, UnitOfWork
from pos_app.storage.repositories.reconcile import ReconcileRepository

log = logging.getLogger(__name__)
PAGE_SIZE = 100  # PayMongo's largest page
FIRST_RUN_WINDOW = timedelta(days=1)  # a counter's first run looks back this far
BATCH = 100  # payments recorded per transaction


@dataclass
class _Run:
    """The working state of one run."""

    floor: datetime
    now: datetime
    requests: int = 0
    already_known: int = 0
    outcomes: Counter[PaymentOutcome] = field(default_factory=Counter)
    cases: list[SeenPayment] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)


class ReconcileService:
    def __init__(
        self,
        database: Database,
        paymongo: PayMongoClient,
        collect: CollectService,
        clock: Clock,
        terminal_id: str,
        *,
        page_size: int = PAGE_SIZE,
        follow_refunds: Callable[[], object] | None = None,
        zone: tzinfo = PHILIPPINE_TIME,
    ) -> None:
        """``zone``: the clinic's (Settings.clinic_time_zone): where its day begins."""
        self._database = database
        self._zone = zone
        self._follow_refunds = follow_refunds
        self._paymongo = paymongo
        self._collect = collect
        self._clock = clock
        self._terminal_id = terminal_id
        self._page_size = page_size
        self._lock = threading.Lock()
        self._last: ReconcileResult | None = None

    @property
    def last_result(self) -> ReconcileResult | None:
        return self._last

    def took_paymongo_payments_today(self) -> bool:
        """Did this counter start any PayMongo payment since midnight at the clinic (database
        only)?"""
        midnight = start_of_day(day_of(self._clock.now(), self._zone), self._zone)
        with self._database.unit_of_work(read_only=True) as uow:
            return ReconcileRepository(uow.session).attempts_created_since(midnight)

    def run_scheduled(self) -> ReconcileResult:
        """The timer's run: asks PayMongo only on a day this counter took PayMongo payments.
        Open refunds are followed first, every time: a refund pending at PayMongo finishes even
        on a day without payments, and without webhooks (RefundService.follow_open)."""
        if self._follow_refunds is not None:
            self._follow_refunds()
        if not self.took_paymongo_payments_today():
            now = self._clock.now()
            return ReconcileResult(now, now, now, 0, 0, 0, Counter(), 0, (), (), skipped=True)
        return self.run()

    def run(self, *, since: datetime | None = None) -> ReconcileResult:
        """One reconciliation (blocking); ``since`` reads back to that moment whatever the
        cursor says (nothing is raised twice)."""
        with self._lock:
            result = self._run(since)
        self._last = result
        log.info("reconciliation: %s", result.summary)
        return result

    def open_cases(self) -> OpenCases:
        with self._database.unit_of_work(read_only=True) as uow:
            repo = ReconcileRepository(uow.session)
            payments = tuple(p for p in repo.cases() if p.outcome is PaymentOutcome.UNMATCHED)
            flags = tuple(repo.flags())
            attempts = tuple(self._collect.overpayment_cases())
            bills = {a.bill_id for a in attempts} | {f.bill_id for f in flags if f.bill_id}
            numbers = _bill_numbers(uow, bills)
        return OpenCases(attempts, payments, flags, self._last, numbers)

    def _bill_numbers(self, bill_ids: Collection[int]) -> dict[int, str]:
        if not bill_ids:
            return {}
        with self._database.unit_of_work(read_only=True) as uow:
            return _bill_numbers(uow, bill_ids)

    # -- one run ---------------------------------------------------------------------------------

    def _run(self, since: datetime | None) -> ReconcileResult:
        started = self._clock.now()
        with self._database.unit_of_work(read_only=True) as uow:
            mark = ReconcileRepository(uow.session).mark(self._terminal_id)
        floor = since or (
            mark.last_run_at - FIRST_RUN_WINDOW if mark.last_run_at else started - FIRST_RUN_WINDOW
        )
        run = _Run(floor=floor, now=started)
        payments = self._list_payments(run, None if since else mark.payments_cursor)
        refunds = self._list_refunds(run, None if since else mark.refunds_cursor)
        self._reconcile_payments(run, self._unsettled(run) + list(reversed(payments.items)))
        self._check_refunds(run, refunds.items)
        self._check_tenders(run, max(floor, mark.covered_since or floor))
        covered = min(floor, mark.covered_since) if mark.covered_since else floor
        with self._database.unit_of_work() as uow:
            ReconcileRepository(uow.session).save_mark(
                self._terminal_id,
                ReconcileMark(payments.newest_id, refunds.newest_id, covered, started),
            )
            uow.commit()
        return ReconcileResult(
            started_at=started,
            finished_at=self._clock.now(),
            since=floor,
            payments_listed=len(payments.items),
            refunds_listed=len(refunds.items),
            requests=run.requests,
            outcomes=run.outcomes,
            already_known=run.already_known,
            new_cases=tuple(run.cases),
            new_flags=tuple(run.flags),
            bill_numbers=self._bill_numbers(
                {c.bill_id for c in run.cases if c.bill_id}
                | {f.bill_id for f in run.flags if f.bill_id}
            ),
        )

    def _list_payments(self, run: _Run, cursor: str | None) -> Walk[Payment]:
        def fetch(after: str | None) -> Page[Payment]:
            run.requests += 1
            return self._paymongo.list_payments(limit=self._page_size, after=after)

        return walk_back(fetch, stop_at_id=cursor, floor_unix=_unix(run.floor))

    def _list_refunds(self, run: _Run, cursor: str | None) -> Walk[Refund]:
        def fetch(after: str | None) -> Page[Refund]:
            run.requests += 1
            return self._paymongo.list_refunds(limit=self._page_size, after=after)

        return walk_back(fetch, stop_at_id=cursor, floor_unix=_unix(run.floor))

    def _unsettled(self, run: _Run) -> list[Payment]:
        """Payments an earlier run could not settle (pending, or their attempt open): again."""
        with self._database.unit_of_work(read_only=True) as uow:
            ids = [p.payment_id for p in ReconcileRepository(uow.session).unsettled()]
        found = []
        for payment_id in ids:
            run.requests += 1
            try:
                found.append(self._paymongo.retrieve_payment(payment_id))
            except PayMongoError as exc:
                log.warning("could not look at payment %s again: %s", payment_id, exc)
        return found

    # -- payments --------------------------------------------------------------------------------

    def _reconcile_payments(self, run: _Run, oldest_first: list[Payment]) -> None:
        unique = list({p.id: p for p in oldest_first}.values())
        with self._database.unit_of_work(read_only=True) as uow:
            repo = ReconcileRepository(uow.session)
            seen = repo.seen([p.id for p in unique])
            # this counter's attempts only: another counter's payments are that counter's to
            # settle (on a shared database it would otherwise number them in this series)
            mine = self._terminal_id
            by_paymongo_id = repo.attempts_by_paymongo_id(
                {i for p in unique for i in match_ids(p)}, terminal_id=mine
            )
            by_id = repo.attempts(
                {p.metadata[ATTEMPT_KEY] for p in unique if ATTEMPT_KEY in p.metadata},
                terminal_id=mine,
            )
            attempts = {a.id for a in (*by_paymongo_id.values(), *by_id.values())}
            claimed = {
                s.attempt_id: s.payment_id
                for s in repo.for_attempts(attempts)
                if s.attempt_id and s.outcome in (PaymentOutcome.TENDER, PaymentOutcome.APPLIED)
            }
        todo = []
        for payment in unique:
            known = seen.get(payment.id)
            if known is not None and known.outcome.is_settled:
                run.already_known += 1
            else:
                todo.append((payment, find_attempt(payment, by_paymongo_id, by_id)))
        for start in range(0, len(todo), BATCH):
            self._reconcile_batch(run, todo[start : start + BATCH], claimed)

    def _reconcile_batch(
        self,
        run: _Run,
        batch: list[tuple[Payment, PaymentAttempt | None]],
        claimed: dict[str, str],
    ) -> None:
        driven: list[tuple[Payment, PaymentAttempt]] = []
        judged: list[SeenPayment] = []
        with self._database.unit_of_work() as uow:
            repo = ReconcileRepository(uow.session)
            ids = [a.id for _, a in batch if a is not None]
            tenders = repo.tender_times(ids)
            current = repo.attempts(ids)  # as they are now, not as when the list was read
            for payment, listed in batch:
                attempt = None if listed is None else current.get(listed.id, listed)
                if attempt is not None and attempt.is_open and payment.status is PaymentStatus.PAID:
                    driven.append((payment, attempt))
                    continue
                judged.append(
                    self._judge(run, uow, payment, attempt, claimed=claimed, tenders=tenders)
                )
            repo.record_many(judged, at=run.now)
            uow.commit()
        for seen in judged:
            self._count(run, seen)
        for payment, attempt in driven:
            self._drive_open(run, payment, attempt, claimed)

    def _judge(
        self,
        run: _Run,
        uow: UnitOfWork,
        payment: Payment,
        attempt: PaymentAttempt | None,
        *,
        claimed: dict[str, str],
        tenders: dict[str, datetime],
    ) -> SeenPayment:
        seen = _seen(payment, attempt)
        if payment.status is PaymentStatus.FAILED:
            return replace(seen, outcome=PaymentOutcome.FAILED)
        if payment.status is not PaymentStatus.PAID:
            return replace(seen, outcome=PaymentOutcome.PENDING)
        if attempt is None:
            if other_counter(payment, self._terminal_id):
                return replace(seen, outcome=PaymentOutcome.OTHER_COUNTER)
            note = "PayMongo took this payment and no payment on this counter matches it"
            self._audit_unmatched(uow, payment, note, run.now)
            return replace(seen, outcome=PaymentOutcome.UNMATCHED, note=note)
        verdict = judge(
            attempt,
            claimed_by=claimed.get(attempt.id),
            payment_id=payment.id,
            tender_recorded_at=tenders.get(attempt.id),
            floor=run.floor,
        )
        if verdict.outcome is PaymentOutcome.TENDER:
            claimed[attempt.id] = payment.id
        elif verdict.outcome is PaymentOutcome.CASE:
            if verdict.event is not None and attempt.accepts(verdict.event):
                uow.attempts.update(attempt.apply(verdict.event, at=run.now))
            audit_overpayment(uow, attempt, payment.id, f"reconciliation: {verdict.note}", run.now)
        return replace(seen, outcome=verdict.outcome, note=verdict.note)

    def _drive_open(
        self, run: _Run, payment: Payment, attempt: PaymentAttempt, claimed: dict[str, str]
    ) -> None:
        """Paid at PayMongo, still open here: drive it the way polling would (may settle)."""
        run.requests += 1
        try:
            update = self._collect.refresh(attempt.id)
        except Exception:  # a payment stays OPEN and is looked at again; nothing is lost
            log.exception("reconciliation could not drive payment %s on", attempt.id)
            update = None
        with self._database.unit_of_work() as uow:
            repo = ReconcileRepository(uow.session)
            now_attempt = update.attempt if update is not None else attempt
            tendered = attempt.id in repo.tendered([attempt.id])
            if now_attempt.is_open:
                seen = replace(_seen(payment, attempt), outcome=PaymentOutcome.OPEN)
            elif tendered and claimed.get(attempt.id) in (None, payment.id):
                claimed[attempt.id] = payment.id
                seen = replace(_seen(payment, attempt), outcome=PaymentOutcome.APPLIED)
            else:
                seen = self._judge(run, uow, payment, now_attempt, claimed=claimed, tenders={})
            repo.record(seen, at=run.now)
            self._count(run, seen)
            uow.commit()

    def _count(self, run: _Run, seen: SeenPayment) -> None:
        run.outcomes[seen.outcome] += 1
        if seen.outcome.is_case:
            run.cases.append(seen)

    def _audit_unmatched(self, uow: UnitOfWork, payment: Payment, note: str, at: datetime) -> None:
        uow.audit.append(
            at=at,
            actor="paymongo",
            action="overpayment_case",
            subject=f"paymongo:{payment.id}",
            details={
                "payment": payment.id,
                "amount": str(Money(payment.amount)),
                "bill": payment.metadata.get(BILL_KEY),
                "reason": f"reconciliation: {note}",
            },
        )

    # -- refunds and tenders ---------------------------------------------------------------------

    def _check_refunds(self, run: _Run, refunds: Iterable[Refund]) -> None:
        with self._database.unit_of_work() as uow:
            repo = ReconcileRepository(uow.session)
            for refund in refunds:
                known = uow.refunds.find_by_paymongo_id(refund.id)
                key = refund.metadata.get("kaha_idempotency_key")
                if known is None and (key is None or not repo.refund_key_known(key)):
                    note = f"a refund of payment {refund.payment_id} this counter did not make"
                    subject = f"refund:{refund.id}"
                    flag = Flag(
                        FlagKind.REFUND_UNKNOWN, subject, Money(refund.amount), note, run.now
                    )
                    self._flag(run, repo, flag)
            uow.commit()

    def _check_tenders(self, run: _Run, since: datetime) -> None:
        """Every PayMongo tender recorded since ``since`` must have its paid payment."""
        with self._database.unit_of_work(read_only=True) as uow:
            repo = ReconcileRepository(uow.session)
            tenders = repo.paymongo_tenders_since(since)
            attempt_ids = [t.attempt_id for t, _ in tenders if t.attempt_id]
            backed = {
                s.attempt_id
                for s in repo.for_attempts(attempt_ids)
                if s.status == PaymentStatus.PAID.value
            }
            attempts = repo.attempts([a for a in attempt_ids if a not in backed])
        doubtful = [t for t, _ in tenders if t.attempt_id in attempts]
        for tender in doubtful:
            assert tender.attempt_id is not None
            attempt = attempts[tender.attempt_id]
            if self._paid_at_paymongo(run, attempt):
                continue
            with self._database.unit_of_work() as uow:
                number = _bill_numbers(uow, {tender.bill_id}).get(tender.bill_id)
                note = (
                    f"recorded as paid by {tender.method.label} on bill {number}, "
                    "but PayMongo has no payment for it"
                )
                flag = Flag(
                    FlagKind.TENDER_WITHOUT_PAYMENT,
                    f"tender:{tender.id}",
                    tender.amount,
                    note,
                    run.now,
                    tender.bill_id,
                )
                self._flag(run, ReconcileRepository(uow.session), flag)
                uow.commit()

    def _paid_at_paymongo(self, run: _Run, attempt: PaymentAttempt) -> bool:
        """Look the attempt's payment up directly (its listing may be older than this run)."""
        ids = attempt.paymongo_ids
        run.requests += 1
        try:
            if "payment" in ids:
                return self._paymongo.retrieve_payment(ids["payment"]).status is PaymentStatus.PAID
            if "intent" in ids:
                intent = self._paymongo.retrieve_payment_intent(ids["intent"])
                return any(p.status is PaymentStatus.PAID for p in intent.payments or ())
            if "checkout" in ids:
                session = self._paymongo.retrieve_checkout_session(ids["checkout"])
                return any(p.status is PaymentStatus.PAID for p in session.payments)
        except ResourceNotFoundError:
            return False  # PayMongo has no such object: nothing was paid through it
        except PayMongoError as exc:
            log.warning("could not check payment %s at PayMongo: %s", attempt.id, exc)
            return True  # unknown is not a flag: the next run asks again
        return False

    def _flag(self, run: _Run, repo: ReconcileRepository, flag: Flag) -> None:
        if repo.raise_flag(flag):
            run.flags.append(flag)


def _bill_numbers(uow: UnitOfWork, bill_ids: Collection[int]) -> dict[int, str]:
    """The clinic's numbers (B-000845) of these bills, as the receptionist knows them."""
    bills = (uow.bills.get(bill_id) for bill_id in bill_ids)
    return {bill.id: bill.number for bill in bills if bill is not None}


def _unix(moment: datetime) -> int:
    return int(moment.timestamp())


def _seen(payment: Payment, attempt: PaymentAttempt | None) -> SeenPayment:
    fee = payment.fee or 0
    bill_id = attempt.bill_id if attempt is not None else None
    return SeenPayment(
        payment_id=payment.id,
        status=payment.status.value,
        amount=Money(payment.amount),
        fee=Money(fee),
        net=Money(payment.net_amount if payment.net_amount is not None else payment.amount - fee),
        method=payment.source.type if payment.source is not None else "unknown",
        intent_id=payment.payment_intent_id,
        source_id=payment.source.id if payment.source is not None else None,
        payout_id=payment.payout_id,
        created_at=datetime.fromtimestamp(payment.created_at, tz=UTC),
        outcome=PaymentOutcome.PENDING,
        attempt_id=attempt.id if attempt is not None else None,
        bill_id=bill_id,
    )
