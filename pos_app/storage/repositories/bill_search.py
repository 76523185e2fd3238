"""The bill search query, planned by how common the typed words are.

Every query word must be the prefix of one of a bill's words (``bill_search_tokens``).
Three plans, chosen per query, keep the answer fast over 100,000 bills. All read the
rarest word's matches from the covering index (token, updated_at, bill_id, status) and
check the other words with an EXISTS per word through (bill_id, token), without touching
the bills table, or walk the bills newest first:

- walk: the rarest word is the start of a few stored words only ("dela" -> dela; "sant"
  -> santiago, santos). Within one stored word the index is already newest first, so
  each is walked in order and stops after ``limit`` bills; the walks are merged. Common
  names cost what the answer costs, not what the name's thousands of bills cost.
- sparse: the rarest word starts many stored words (a prefix of bill numbers: "b08")
  but matches at most SPARSE_MATCHES bills. Its matches are sorted newest first.
- dense: every word matches many bills through many stored words ("m" in a real
  clinic). Bills are walked newest first along the updated_at index and checked word by
  word until ``limit`` are found; as matches are common, few bills are read.

All are plain portable SQL; SQLite and PostgreSQL use the same indexes. Each statement is
built once per shape (how many words, whether a status is chosen) with bound parameters:
building and cache-keying a fresh statement cost SQLAlchemy more than SQLite's answer.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Select,
    bindparam,
    desc,
    exists,
    func,
    literal,
    select,
    union_all,
)
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

WALKED_WORDS = 8
"""Up to this many stored words start with the rarest query word: walk each in order."""

Statement = Select[Any] | CompoundSelect[Any]


def matching_bill_ids(
    session: Session, words: Sequence[str], status: BillStatus | None, limit: int
) -> list[int]:
    """Ids of bills matching every word, newest first, at most ``limit``."""
    params: dict[str, Any] = {"status": status.value if status is not None else None}
    if len(words) == 1:
        counted = [(-1, words[0])]  # the only word is the rarest; counted if needed
    else:
        counted = sorted((_matches_capped(session, w, SPARSE_MATCHES + 1), w) for w in words)
    rarest_count, rarest = counted[0]
    if rarest_count == 0:
        return []  # a word no bill has: nothing more to ask
    others = [word for _, word in counted[1:]]
    for index, word in enumerate(others):
        params[f"word{index}"], params[f"word_upper{index}"] = word, prefix_upper_bound(word)
    with_status = status is not None
    stored = _stored_words_starting_with(session, rarest, WALKED_WORDS + 1)
    if not stored:
        return []
    if len(stored) <= WALKED_WORDS:
        params.update({f"stored{index}": token for index, token in enumerate(stored)})
        walks = _walks(len(stored), len(others), with_status)
        return _newest_unique(session, walks, params, limit)
    params["rarest"], params["rarest_upper"] = rarest, prefix_upper_bound(rarest)
    if rarest_count < 0:
        rarest_count = _matches_capped(session, rarest, SPARSE_MATCHES + 1)
    if rarest_count <= SPARSE_MATCHES:
        return _newest_unique(session, _sorted_matches(len(others), with_status), params, limit)
    for index, word in enumerate(words):
        params[f"all{index}"], params[f"all_upper{index}"] = word, prefix_upper_bound(word)
    params["fetch"] = limit
    return _all(session, _dense(len(words), with_status), params)


def _all(session: Session, query: Statement, params: dict[str, Any]) -> list[int]:
    """The first column of every row (the bill id)."""
    # fetchall in one go: iterating a result row by row costs more than the query.
    return list(session.connection().execute(query, params).scalars().all())


def _newest_unique(
    session: Session, query: Statement, params: dict[str, Any], limit: int
) -> list[int]:
    # A bill appears once per matching word of its own ("cruz", "cruzsantos"); those rows
    # are adjacent, so dropping repeats here is cheaper than SQL DISTINCT (a temp B-tree).
    fetch = 2 * limit
    while True:
        rows = _all(session, query, {**params, "fetch": fetch})
        unique = list(dict.fromkeys(rows))
        if len(unique) >= limit or len(rows) < fetch:
            return unique[:limit]
        fetch *= 4


def _starts_with(column: ColumnElement[str], word: str, upper: str) -> ColumnElement[bool]:
    """``column`` starts with the bound parameter ``word`` (below ``upper``)."""
    return (column >= bindparam(word, type_=column.type)) & (
        column < bindparam(upper, type_=column.type)
    )


def _fetch() -> BindParameter[int]:
    return bindparam("fetch", type_=_TOKENS.c.bill_id.type)


def _matches_capped(session: Session, word: str, cap: int) -> int:
    params = {"word": word, "upper": prefix_upper_bound(word), "cap": cap}
    return int(session.connection().scalar(_count_statement(), params) or 0)


@functools.cache
def _count_statement() -> Select[Any]:
    capped = (
        select(_TOKENS.c.bill_id)
        .where(_starts_with(_TOKENS.c.token, "word", "upper"))
        .limit(bindparam("cap", type_=_TOKENS.c.bill_id.type))
        .subquery()
    )
    return select(func.count()).select_from(capped)


def _stored_words_starting_with(session: Session, word: str, cap: int) -> list[str]:
    """The distinct stored words starting with ``word``, at most ``cap``, in one statement."""
    params = {"word": word, "upper": prefix_upper_bound(word), "cap": cap}
    return list(session.connection().execute(_stored_words_statement(), params).scalars().all())


@functools.cache
def _stored_words_statement() -> Select[Any]:
    """A loose index scan: each step seeks the next distinct token in the index, so "dela"
    costs a few seeks however many bills carry it (a DISTINCT would read them all)."""
    token = _TOKENS.c.token
    upper = bindparam("upper", type_=token.type)
    first = select(func.min(token).label("token"), literal(1).label("step")).where(
        _starts_with(token, "word", "upper")
    )
    found = first.cte("stored_words", recursive=True)
    following = select(func.min(token)).where(token > found.c.token, token < upper)
    found = found.union_all(
        select(following.scalar_subquery(), found.c.step + 1).where(
            found.c.token.is_not(None), found.c.step < bindparam("cap", type_=found.c.step.type)
        )
    )
    return select(found.c.token).where(found.c.token.is_not(None)).order_by(found.c.token)


def _matching(starting: ColumnElement[bool], others: int, with_status: bool) -> Select[Any]:
    """Index entries meeting ``starting`` whose bill also has a word starting with each of
    the ``others`` query words (and has the status), newest first."""
    query: Select[Any] = select(_TOKENS.c.bill_id, _TOKENS.c.updated_at).where(starting)
    query = _with_words(query, _TOKENS.c.bill_id, _TOKENS.alias("other"), "word", others)
    return _filtered_newest_first(query, _TOKENS, _TOKENS.c.bill_id, with_status)


def _with_words(
    query: Select[Any], bill_id: ColumnElement[int], tokens: Any, name: str, count: int
) -> Select[Any]:
    """``query`` keeping bills with a word starting with each of the parameters
    ``{name}0``, ``{name}1``, ... (below ``{name}_upper0`` ...)."""
    for index in range(count):
        query = query.where(
            exists().where(
                tokens.c.bill_id == bill_id,
                _starts_with(tokens.c.token, f"{name}{index}", f"{name}_upper{index}"),
            )
        )
    return query


def _filtered_newest_first(
    query: Select[Any], table: Any, bill_id: ColumnElement[int], with_status: bool
) -> Select[Any]:
    if with_status:
        query = query.where(table.c.status == bindparam("status", type_=table.c.status.type))
    return query.order_by(table.c.updated_at.desc(), bill_id.desc()).limit(_fetch())


@functools.cache
def _sorted_matches(others: int, with_status: bool) -> Select[Any]:
    """Bills with a word starting with the rarest word and the others, sorted newest first."""
    return _matching(_starts_with(_TOKENS.c.token, "rarest", "rarest_upper"), others, with_status)


@functools.cache
def _walks(stored: int, others: int, with_status: bool) -> Statement:
    """Each stored word's bills newest first (index order, no sort), merged."""
    walks = [
        _matching(_TOKENS.c.token == bindparam(f"stored{index}"), others, with_status)
        for index in range(stored)
    ]
    if stored == 1:
        return walks[0]
    # Each walk is its own subquery so its ORDER BY and LIMIT hold (SQLite, PostgreSQL);
    # the outer ORDER BY merges the walks.
    merged = union_all(*(select(walk.subquery()) for walk in walks))
    return merged.order_by(desc("updated_at"), desc("bill_id")).limit(_fetch())


@functools.cache
def _dense(words: int, with_status: bool) -> Select[Any]:
    query = _with_words(select(_BILLS.c.id), _BILLS.c.id, _TOKENS, "all", words)
    return _filtered_newest_first(query, _BILLS, _BILLS.c.id, with_status)
