"""Whose books a database holds: practice (sandbox mode) or real (a PayMongo key).

BIR allows no training mode on the machine's real books, so practice keeps a database of its
own. Which books a database holds is written inside it (the ``database_facts`` row ``books``)
when it is first opened, so the check never rests on a folder's or a file's name.

A database from before this row existed is judged by what it holds: the demo people that only
sandbox mode adds mean practice; without them it takes the books it is opened for (a clinic's
real books may predate the row; bills alone say nothing either way).
"""

from __future__ import annotations

import enum
from collections.abc import Collection

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pos_app.storage.database import Database
from pos_app.storage.models import DatabaseFactRow, PersonRow

BOOKS_FACT = "books"


class Books(enum.StrEnum):
    """Whose books; one per database, never changed once written."""

    PRACTICE = "practice"  # sandbox mode: invoices, totals and readings for practice only
    REAL = "real"  # a PayMongo key (test or live): the clinic's books


def claim_books(database: Database, wanted: Books, *, demo_names: Collection[str]) -> Books:
    """The books the database holds. An unmarked database is marked now: practice if it holds
    ``demo_names`` (the sandbox's demo people), else ``wanted``. The caller
    compares the answer with ``wanted``; this never changes a mark already written."""
    try:
        with database.unit_of_work() as uow:
            session = uow.session
            mark = session.get(DatabaseFactRow, BOOKS_FACT)
            if mark is not None:
                return Books(mark.value)
            found = _judge(session, wanted, demo_names)
            session.add(DatabaseFactRow(name=BOOKS_FACT, value=found.value))
            uow.commit()
    except IntegrityError:  # another counter on the shared database marked it meanwhile
        with database.unit_of_work(read_only=True) as uow:
            mark = uow.session.get(DatabaseFactRow, BOOKS_FACT)
            assert mark is not None
            return Books(mark.value)
    return found


def _judge(session: Session, wanted: Books, demo_names: Collection[str]) -> Books:
    if demo_names and session.scalar(select(exists().where(PersonRow.name.in_(demo_names)))):
        return Books.PRACTICE
    return wanted
