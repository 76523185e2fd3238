"""The printer test page says the time on the clinic's clock (Settings.clinic_time_zone), not in
UTC: 2026-12-07 23:30 UTC is 07:30 on 2026-12-08 in Manila."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pos_app.domain.clock import FakeClock
from pos_app.printing.document import ReceiptDocument, TextBlock
from pos_app.services.access import AccessService
from pos_app.services.settings_service import SettingsService


def test_the_printer_test_page_says_the_clinics_time(
    service: SettingsService,
    access: AccessService,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    printed: list[ReceiptDocument] = []

    def save_pdf(document: ReceiptDocument, path: Path) -> Path:
        printed.append(document)
        return path

    monkeypatch.setattr("pos_app.printing.save_pdf", save_pdf)
    access.sign_in("demo-owner", "9001")
    clock.set(datetime(2026, 12, 7, 23, 30, tzinfo=UTC))

    assert service.print_test_page("pdf", "").ok

    [page] = printed
    lines = [block.text for block in page.blocks if isinstance(block, TextBlock)]
    assert "Counter 01, 2026-12-08 07:30" in lines
