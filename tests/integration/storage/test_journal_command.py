"""``pos-app journal export``: a day of the e-journal as text, PDF or on standard output, for
staff signed in with their PIN; a receptionist is refused in plain words."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pos_app import commands
from pos_app.app import open_counter_database
from pos_app.config import load_settings
from pos_app.domain.clock import FakeClock
from pos_app.services.access import prepare_demo_people
from pos_app.storage import Database
from tests.unit.printing.test_pdf import pdf_text

# 2026-12-07 in Manila runs from 2026-12-06 16:00 to 2026-12-07 16:00 UTC
ON_THE_DAY = (datetime(2026, 12, 6, 16, 5, tzinfo=UTC), datetime(2026, 12, 7, 15, 55, tzinfo=UTC))
DAY_BEFORE = datetime(2026, 12, 6, 15, 55, tzinfo=UTC)


@pytest.fixture
def counter_database() -> Iterator[Database]:
    """The database ``pos-app`` itself opens, with the sandbox's demo people and three prints."""
    database = open_counter_database(load_settings())
    prepare_demo_people(database, FakeClock(), sandbox=True)
    with database.unit_of_work() as uow:
        for number, at in (
            ("MAIN-01-000009", DAY_BEFORE),
            *zip(("AR-000012", "MAIN-01-000010"), ON_THE_DAY, strict=True),
        ):
            uow.journal.append(
                terminal_id="01",
                kind="acknowledgement" if number.startswith("AR") else "invoice",
                document_number=number,
                reprint_number=0,
                printed_at=at,
                person="Ana Reyes",
                text=f"{number}\nTOTAL AMOUNT DUE ₱1,120.00\n",
            )
        uow.commit()
    yield database
    database.dispose()


def _run(monkeypatch: pytest.MonkeyPatch, pin: str, *args: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(pin + "\n"))
    return commands.run(["journal", "export", *args])


def test_staff_export_a_day_as_text_and_pdf(
    counter_database: Database,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    text_file, pdf_file = tmp_path / "day.txt", tmp_path / "day.pdf"
    staff = ("--as", "demo-staff", "--date", "2026-12-07")

    assert _run(monkeypatch, "9002", *staff, "--text", str(text_file)) == 0
    assert _run(monkeypatch, "9002", *staff, "--pdf", str(pdf_file)) == 0
    assert _run(monkeypatch, "9002", *staff) == 0

    shown = capsys.readouterr().out
    text = text_file.read_text(encoding="utf-8")
    assert text.startswith("E-journal, terminal 01, 2026-12-07\n2 printouts")
    assert "#2  acknowledgement  AR-000012  original" in text
    assert "#3  invoice  MAIN-01-000010  original" in text
    assert "printed 2026-12-07 23:55:00 by Ana Reyes" in text
    assert "MAIN-01-000009" not in text  # the day before, in Manila
    assert text in shown
    words = " ".join(pdf_text(pdf_file.read_bytes(), tmp_path).split())
    assert "AR-000012" in words
    assert "TOTAL AMOUNT DUE ₱1,120.00" in words
    assert "page 1 of 1" in words


def test_a_receptionist_may_not_read_the_journal(
    counter_database: Database,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "day.txt"

    code = _run(monkeypatch, "9003", "--as", "demo-receptionist", "--text", str(target))

    assert code == 1
    assert "see reports" in capsys.readouterr().err
    assert not target.exists()
