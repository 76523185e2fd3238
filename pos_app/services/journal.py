"""The e-journal (BIR): a copy of every printout, kept in order per terminal, read per day.

``ReceiptService`` copies each document into the journal, as the text printed, before the paper
(or the PDF) comes out: ``record_printout`` runs in the transaction that counts the print where
there is one. Nothing here changes or deletes an entry; reading it is a report, so it needs
``Permission.VIEW_REPORTS`` (checked here, whoever asks: the window or ``pos-app journal``).

Threading contract: every method blocks on the database (and the disk for the exports); call
them on a worker or from a command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from pos_app.domain.clinic_time import day_of, start_of_day, wall_clock, zone_named
from pos_app.domain.roles import Permission
from pos_app.storage.repositories.journal import JournalEntry

if TYPE_CHECKING:
    from pos_app.printing import ReceiptDocument
    from pos_app.services.access import AccessService
    from pos_app.storage import Database
    from pos_app.storage.unit_of_work import UnitOfWork

__all__ = ["JournalDay", "JournalService", "record_printout"]

_PERSON_LABELS = ("Cashier: ", "Processed by: ", "Prepared by: ")
_RULE = "=" * 48


def record_printout(
    uow: UnitOfWork,
    document: ReceiptDocument,
    *,
    reprint_number: int,
    terminal_id: str,
    at: datetime,
    kind: str | None = None,
    person: str = "",
) -> JournalEntry:
    """Copy ``document`` into the journal as printed on 80 mm paper (no commit here).

    ``kind`` defaults to the document's title ("X-READING" -> "x_reading"); the person is the
    one the document names as cashier (or processed by), else ``person``.
    """
    from pos_app.printing import COLUMNS_80MM, render_text

    return uow.journal.append(
        terminal_id=terminal_id,
        kind=kind or _kind_of(document),
        document_number=document.name,
        reprint_number=reprint_number,
        printed_at=at,
        person=_person_on(document) or person,
        text=render_text(document, width=COLUMNS_80MM),
    )


def _kind_of(document: ReceiptDocument) -> str:
    from pos_app.printing.document import TitleBlock

    for block in document:
        if isinstance(block, TitleBlock):
            return re.sub(r"[^a-z0-9]+", "_", block.text.lower()).strip("_") or "document"
    return "document"


def _person_on(document: ReceiptDocument) -> str:
    from pos_app.printing.document import TextBlock

    for block in document:
        if isinstance(block, TextBlock):
            for label in _PERSON_LABELS:
                if block.text.startswith(label):
                    return block.text.removeprefix(label).strip()
    return ""


@dataclass(frozen=True)
class JournalDay:
    """One terminal's printouts of one day (the clinic's calendar day), in print order."""

    day: date
    terminal_id: str
    time_zone: str
    entries: tuple[JournalEntry, ...]

    @property
    def title(self) -> str:
        return f"E-journal, terminal {self.terminal_id}, {self.day.isoformat()}"

    def text(self) -> str:
        """The day as one plain-text file: a heading, then every printout under its line."""
        zone = zone_named(self.time_zone)
        count = len(self.entries)
        lines = [
            self.title,
            f"{count} printout{'s' if count != 1 else ''}; times in {self.time_zone}",
        ]
        for entry in self.entries:
            copy = "original" if entry.reprint_number == 0 else f"REPRINT {entry.reprint_number}"
            when = wall_clock(entry.printed_at, zone, "%Y-%m-%d %H:%M:%S")
            lines += [
                _RULE,
                f"#{entry.seq}  {entry.kind}  {entry.document_number}  {copy}",
                f"printed {when} by {entry.person or '(not named)'}",
                "-" * len(_RULE),
                *entry.text.rstrip("\n").splitlines(),
            ]
        lines.append(_RULE)
        return "\n".join(lines) + "\n"


class JournalService:
    """Reads and exports the e-journal of this counter's terminal."""

    def __init__(
        self,
        database: Database,
        access: AccessService,
        *,
        terminal_id: str,
        time_zone: str = "Asia/Manila",
        export_folder: Path | None = None,
    ) -> None:
        """``export_folder``: where ``export_day`` writes (the window's Save buttons)."""
        self._database = database
        self._access = access
        self._terminal_id = terminal_id
        self._time_zone = time_zone
        self._export_folder = export_folder or Path("e-journal")

    def today(self, now: datetime) -> date:
        return day_of(now, zone_named(self._time_zone))

    def day(self, day: date) -> JournalDay:
        """Every printout of ``day`` on this terminal (staff, manager or owner only)."""
        self._access.require(Permission.VIEW_REPORTS)
        zone = zone_named(self._time_zone)
        since, until = start_of_day(day, zone), start_of_day(day + timedelta(days=1), zone)
        with self._database.unit_of_work(read_only=True) as uow:
            entries = uow.journal.between(since, until, terminal_id=self._terminal_id)
        return JournalDay(day, self._terminal_id, self._time_zone, tuple(entries))

    def export_text(self, day: date, path: Path) -> Path:
        """The day as a UTF-8 text file at ``path``."""
        journal = self.day(day)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(journal.text(), encoding="utf-8")
        return path

    def export_day(self, day: date, *, pdf: bool) -> Path:
        """The day into the export folder, named by terminal and date; returns the file."""
        name = f"e-journal-{self._terminal_id}-{day.isoformat()}.{'pdf' if pdf else 'txt'}"
        path = self._export_folder / name
        return self.export_pdf(day, path) if pdf else self.export_text(day, path)

    def export_pdf(self, day: date, path: Path) -> Path:
        """The day as an A4 PDF at ``path``."""
        from pos_app.printing.journal_pdf import save_journal_pdf

        journal = self.day(day)
        return save_journal_pdf(journal.title, journal.text(), path)
