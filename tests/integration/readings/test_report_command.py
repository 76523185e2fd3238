"""Issue 15 item 5: ``pos-app report x`` and ``pos-app report z [--date] [--csv] [--pdf]``, by a
person signed in with their PIN (one line of standard input, as ``takeover`` reads it)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from pos_app import commands
from pos_app.app import open_counter_database
from pos_app.config import load_settings
from pos_app.domain.clock import SystemClock
from pos_app.domain.money import Money
from pos_app.domain.tender import TenderMethod
from pos_app.services.readings import ReadingService
from pos_app.services.receipts import ReceiptService
from pos_app.storage import Database
from tests.integration.readings.conftest import PINS, new_bill, pay, signed_in_access


def _run(monkeypatch: pytest.MonkeyPatch, argv: list[str], pin: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(pin + "\n"))
    return commands.run(argv)


def _day_with_a_sale_and_a_closed_shift() -> None:
    settings = load_settings()
    database: Database = open_counter_database(settings)
    try:
        clock = SystemClock()
        access = signed_in_access(database, clock, "Ana Reyes")
        from pos_app.domain.discount import VatStatus

        readings = ReadingService(
            database,
            access,
            ReceiptService(settings, database=database),
            terminal_id=settings.terminal_id,
            vat_status=VatStatus.NON_VAT,
        )
        readings.open_shift(Money(100000))
        bill = new_bill(database, Money(150000), clock.now(), "B-77")
        pay(database, bill.id, TenderMethod.CASH, Money(150000), clock.now())
        readings.close_shift(Money(250000))
    finally:
        database.dispose()


def test_report_z_closes_the_day_once_with_csv_and_pdf_then_prints_it_again(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _day_with_a_sale_and_a_closed_shift()
    csv_file, pdf_file = tmp_path / "z.csv", tmp_path / "z.pdf"
    argv = ["report", "z", "--as", "Ben Cruz", "--csv", str(csv_file), "--pdf", str(pdf_file)]
    assert _run(monkeypatch, argv, PINS["Ben Cruz"]) == 0
    out = capsys.readouterr().out
    assert "Z-READING" in out
    assert "Beginning invoice No.: MAIN-01-000001" in out
    assert "Saved as PDF" in out
    assert "present_grand_total,1500.00" in csv_file.read_text(encoding="utf-8")
    assert pdf_file.read_bytes().startswith(b"%PDF")

    assert _run(monkeypatch, ["report", "z", "--as", "Ben Cruz"], PINS["Ben Cruz"]) == 1
    assert "was already taken" in capsys.readouterr().err

    assert _run(monkeypatch, ["report", "z", "--as", "Ben Cruz", "--again"], PINS["Ben Cruz"]) == 0
    assert "REPRINT No. 1" in capsys.readouterr().out
    assert _run(monkeypatch, ["report", "z", "--as", "Ben Cruz", "--check"], PINS["Ben Cruz"]) == 0
    assert "matches the records" in capsys.readouterr().out


def test_report_x_needs_a_person_who_may_see_reports(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _day_with_a_sale_and_a_closed_shift()
    assert _run(monkeypatch, ["report", "x", "--as", "Ben Cruz"], PINS["Ben Cruz"]) == 1
    assert "No shift is open" in capsys.readouterr().err
    assert _run(monkeypatch, ["report", "x", "--as", "Ana Reyes"], PINS["Ana Reyes"]) == 1
    assert "can't see reports" in capsys.readouterr().err
    assert _run(monkeypatch, ["report", "x", "--as", "Ben Cruz"], "0000") == 1
    assert "don't match" in capsys.readouterr().err
