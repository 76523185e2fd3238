"""Webhook events already seen, so a replayed or duplicated delivery is handled once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pos_app.storage.models import WebhookEventRow


class WebhookEventRepository:
    """Runs on the caller's session; never commits."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def record(self, event_id: str, event_type: str, *, at: datetime) -> bool:
        """Remember an event; False when it was already recorded (a duplicate to ignore).

        The event id is the primary key, so two deliveries racing in two transactions
        cannot both be first: the loser's insert fails and it gets False.
        """
        if self._session.get(WebhookEventRow, event_id) is not None:
            return False
        try:
            with self._session.begin_nested():
                self._session.add(
                    WebhookEventRow(
                        event_id=event_id, event_type=event_type, received_at=at, processed_at=None
                    )
                )
        except IntegrityError:
            return False
        return True

    def mark_processed(self, event_id: str, *, at: datetime) -> None:
        row = self._session.get_one(WebhookEventRow, event_id)
        row.processed_at = at
        self._session.flush()

    def is_processed(self, event_id: str) -> bool:
        row = self._session.get(WebhookEventRow, event_id)
        return row is not None and row.processed_at is not None
