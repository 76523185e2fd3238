"""The bill search query, planned by how common the typed words are.

Every query word must be the prefix of one of a bill's words (``bill_search_tokens``).
Two plans, chosen per query, keep the answer fast over 100,000 bills:

- sparse: the rarest word matches at most SPARSE_MATCHES words. Its matches are read
  newest first from the covering index (token, updated_at, bill_id, status) and kept if
  the other words match too (an EXISTS per word through (bill_id, token)), in one
  statement and without touching the bills table.
- dense: every word matches many bills ("m", "ma"). Bills are walked newest first along
  the updated_at index and checked word by word until ``limit`` are found; as matches are
  common, few bills are read.

Both are plain portable SQL; SQLite and PostgreSQL use the same indexes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.orm import Session

from pos_app.domain.bill import BillStatus
from pos_app.storage.models import BillRow, BillSearchTokenRow
from pos_app.storage.search import prefix_upper_bound

# Core table, not the ORM class: results are plain values, without the ORM's per-row cost
# (it dominates when thousands of index entries are read).
_TOKENS = BillSearchTokenRow.__table__
_BILLS = BillRow.__table__

SPARSE_MATCHES = 3_000
"""Up to this many matches for the rarest word, sorting them beats walking the queue."""


def _starts_with(word: str) -> ColumnElement[bool]:
    token = _TOKENS.c.token
    return (token >= word) & (token < prefix_upper_bound(word))


def _all(session: Session, query: Select[Any]) -> list[int]:
    # fetchall in one go: iterating a result row by row costs more than the query.
    return list(session.connection().execute(query).scalars().all())


def _matches_capped(session: Session, word: str, cap: int) -> int:
    capped = select(_TOKENS.c.bill_id).where(_starts_with(word)).limit(cap).subquery()
    return int(session.connection().scalar(select(func.count()).select_from(capped)) or 0)


def matching_bill_ids(
    session: Session, words: Sequence[str], status: BillStatus | None, limit: int
) -> list[int]:
    """Ids of bills matching every word, newest first, at most ``limit``."""
    counted = sorted((_matches_capped(session, w, SPARSE_MATCHES + 1), w) for w in words)
    rarest_count, rarest = counted[0]
    if rarest_count == 0:
        return []
    if rarest_count > SPARSE_MATCHES:
        return _dense(session, [word for _, word in counted], status, limit)
    others = [word for _, word in counted[1:]]
    return _newest_matching(session, rarest, status, limit, also=others)


def _newest_matching(
    session: Session,
    word: str,
    status: BillStatus | None,
    limit: int,
    *,
    also: Sequence[str] = (),
) -> list[int]:
    """Bills with a word starting with ``word`` (and with each of ``also``), newest first,
    from the covering index."""
    query = select(_TOKENS.c.bill_id).where(_starts_with(word))
    other = _TOKENS.alias("other")
    for extra in also:
        query = query.where(
            exists().where(
                other.c.bill_id == _TOKENS.c.bill_id,
                other.c.token >= extra,
                other.c.token < prefix_upper_bound(extra),
            )
        )
    if status is not None:
        query = query.where(_TOKENS.c.status == status.value)
    query = query.order_by(_TOKENS.c.updated_at.desc(), _TOKENS.c.bill_id.desc())
    # A bill appears once per matching word of its own ("cruz", "cruzsantos"); those rows
    # are adjacent, so dropping repeats here is cheaper than SQL DISTINCT (a temp B-tree).
    fetch = 2 * limit
    while True:
        rows = _all(session, query.limit(fetch))
        unique = list(dict.fromkeys(rows))
        if len(unique) >= limit or len(rows) < fetch:
            return unique[:limit]
        fetch *= 4


def _dense(
    session: Session, words: Sequence[str], status: BillStatus | None, limit: int
) -> list[int]:
    query = select(_BILLS.c.id)
    for word in words:
        query = query.where(exists().where(_TOKENS.c.bill_id == _BILLS.c.id, _starts_with(word)))
    if status is not None:
        query = query.where(_BILLS.c.status == status.value)
    query = query.order_by(_BILLS.c.updated_at.desc(), _BILLS.c.id.desc()).limit(limit)
    return _all(session, query)
