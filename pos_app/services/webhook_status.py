"""Keep the counter's PayMongo webhook switched on, and say how it stands.

PayMongo disables a webhook once three consecutive events have each used up their 12 retries
(about 136 minutes each), and it stays off until someone enables it again
(developers.paymongo.com/docs/webhook-retry-logic; paymongo-api.md 19.1 item 7). A counter that
is switched off overnight is enough for that. So at start-up and every few minutes the counter
reads its webhook at PayMongo and enables it again when PayMongo turned it off for failed
deliveries, with an audit row naming the person signed in at the counter (``signed_in``), or
``counter`` when nobody is. A webhook a person turned off (``disabled_by_merchant``) is left
off and reported. Payments never depend on it: they are polled either way.

The counter's webhook is the one whose ``secret_key`` is the secret the receiver verifies with,
so no webhook id needs configuring.

Threading contract: ``check`` blocks on PayMongo and the database: call it on a worker, one at
a time (the GUI's timer does). ``status`` and ``due`` only read the last result, under a lock,
and are safe from any thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Final, Protocol

from pos_app.domain.clinic_time import PHILIPPINE_TIME, wall_clock
from pos_app.domain.clock import Clock
from pos_app.domain.errors import PosError
from pos_app.paymongo.models import Webhook, WebhookStatus
from pos_app.storage import Database

log = logging.getLogger(__name__)

CHECK_EVERY = timedelta(minutes=10)
RE_ENABLE_REASONS = frozenset({"max_retries_exceeded", None})
COUNTER_ACTOR: Final = "counter"  # the audit's actor while nobody is signed in


class WebhookState(StrEnum):
    """How the counter's webhook stands at PayMongo. Closed set."""

    UNKNOWN = "unknown"  # not read yet
    ENABLED = "enabled"  # PayMongo delivers events
    RE_ENABLED = "re_enabled"  # PayMongo had turned it off; the counter turned it on again
    DISABLED = "disabled"  # off, and left off (turned off by a person at PayMongo)
    MISSING = "missing"  # no webhook at PayMongo carries this counter's secret
    UNREACHABLE = "unreachable"  # PayMongo could not be asked; the last reading stands


@dataclass(frozen=True, slots=True)
class WebhookHealth:
    """The last reading, for the health panel and the status bar."""

    state: WebhookState
    checked_at: datetime | None = None
    webhook_id: str | None = None
    disabled_reason: str | None = None  # why PayMongo had it off, when it was off
    re_enabled_at: datetime | None = None
    zone: tzinfo = PHILIPPINE_TIME  # the clinic's clock, for the time the summary says

    @property
    def summary(self) -> str:
        """One line a receptionist can read."""
        at = f" ({wall_clock(self.checked_at, self.zone, '%H:%M')})" if self.checked_at else ""
        return {
            WebhookState.UNKNOWN: "Payment news: not checked yet",
            WebhookState.ENABLED: f"Payment news: on{at}",
            WebhookState.RE_ENABLED: f"Payment news: turned back on{at}",
            WebhookState.DISABLED: f"Payment news: off at PayMongo{at}; payments are still checked",
            WebhookState.MISSING: f"Payment news: not set up at PayMongo{at}",
            WebhookState.UNREACHABLE: f"Payment news: PayMongo not reachable{at}",
        }[self.state]


class WebhookApi(Protocol):
    def list_webhooks(self) -> list[Webhook]: ...
    def enable_webhook(self, webhook_id: str) -> Webhook: ...


class WebhookGuard:
    def __init__(
        self,
        paymongo: WebhookApi,
        database: Database,
        clock: Clock,
        *,
        secret: str,
        zone: tzinfo = PHILIPPINE_TIME,
        signed_in: Callable[[], str | None] = lambda: None,
    ) -> None:
        """``zone``: the clinic's (Settings.clinic_time_zone), for the times the status says.
        ``signed_in``: the person signed in at the counter now (AccessService.actor_name),
        named in the audit when the counter turns the webhook back on; else ``counter``."""
        self._paymongo = paymongo
        self._zone = zone
        self._database = database
        self._clock = clock
        self._secret = secret
        self._signed_in = signed_in
        self._lock = threading.Lock()
        self._health = WebhookHealth(WebhookState.UNKNOWN, zone=zone)

    def status(self) -> WebhookHealth:
        with self._lock:
            return self._health

    def due(self, now: datetime) -> bool:
        checked = self.status().checked_at
        return checked is None or now - checked >= CHECK_EVERY

    def check(self) -> WebhookHealth:
        """Read the webhook at PayMongo; enable it again if PayMongo turned it off."""
        now = self._clock.now()
        try:
            health = self._look(now)
        except PosError as exc:
            log.warning("webhook check: PayMongo did not answer: %s", exc)
            health = replace(self.status(), state=WebhookState.UNREACHABLE, checked_at=now)
        with self._lock:
            self._health = health
        return health

    def _look(self, now: datetime) -> WebhookHealth:
        hooks = self._paymongo.list_webhooks()
        hook = next((h for h in hooks if h.secret_key == self._secret), None)
        if hook is None:
            return WebhookHealth(WebhookState.MISSING, checked_at=now, zone=self._zone)
        if hook.status is WebhookStatus.ENABLED:
            previous = self.status()
            if previous.state is WebhookState.RE_ENABLED:  # keep saying so for the health panel
                return replace(previous, checked_at=now)
            return WebhookHealth(
                WebhookState.ENABLED, checked_at=now, webhook_id=hook.id, zone=self._zone
            )
        reason = hook.disabled_reason
        if reason not in RE_ENABLE_REASONS:
            return WebhookHealth(
                WebhookState.DISABLED,
                checked_at=now,
                webhook_id=hook.id,
                disabled_reason=reason,
                zone=self._zone,
            )
        self._paymongo.enable_webhook(hook.id)
        with self._database.unit_of_work() as uow:
            uow.audit.append(
                at=now,
                actor=self._signed_in() or COUNTER_ACTOR,
                action="webhook_re_enabled",
                subject=f"webhook:{hook.id}",
                details={"disabled_reason": reason or "unknown"},
            )
            uow.commit()
        log.warning("PayMongo had disabled webhook %s (%s): enabled it again", hook.id, reason)
        return WebhookHealth(
            WebhookState.RE_ENABLED,
            checked_at=now,
            webhook_id=hook.id,
            disabled_reason=reason,
            re_enabled_at=now,
            zone=self._zone,
        )
