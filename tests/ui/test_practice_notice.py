"""Practice set aside for a real key is said in the window, not only on the console (issue 15
item 7): the app's start with the first paint, as on a used counter."""

from __future__ import annotations

import dataclasses
import secrets

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from pos_app.app import build_services
from pos_app.config import Secrets, load_settings
from pos_app.domain.clock import FakeClock
from pos_app.domain.roles import Role
from pos_app.services.bills import OPEN_STATUSES, QUEUE_LIMIT
from pos_app.services.counter import CounterServices
from pos_app.storage import open_database
from pos_app.storage.books import Books, claim_books
from pos_app.storage.first_paint import read_queue
from pos_app.ui.main_window import MainWindow
from pos_app.ui.start_notice import NOTICE_OBJECT_NAME
from tests.demo_bills import seed_demo_bills_if_empty
from tests.ui.test_cash_while_paymongo_hangs import _on_this_tests_window
from tests.ui.test_starting import _dialogs_shown, _no_payments, _run, _used_counter

TEST_KEY = Secrets(paymongo_secret_key="sk_test_" + secrets.token_hex(12))


def test_a_test_key_that_finds_practice_books_says_so_in_the_window_and_shows_the_real_ones(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings()
    settings.data_dir.mkdir(parents=True)
    practice = open_database(settings.database_url)  # practice where the real books belong
    claim_books(practice, Books.PRACTICE, demo_names=())
    seed_demo_bills_if_empty(practice, FakeClock())
    practice.dispose()
    rows = read_queue(settings.database_url, OPEN_STATUSES, QUEUE_LIMIT)
    assert rows
    problems = _dialogs_shown(monkeypatch)
    seen: dict[str, object] = {}

    def build() -> CounterServices:
        services = build_services(settings, TEST_KEY)
        # the real books start with nobody: the clinic's first owner, signed in (no lock page)
        services.access.add_person("Olivia Reyes", Role.OWNER, "4821", by="test")
        services.access.sign_in("Olivia Reyes", "4821")
        return dataclasses.replace(
            services, start_payment_backend=_no_payments, open_payment_backend=None
        )

    def notice() -> QMessageBox | None:
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
        return next((b for b in boxes if b.objectName() == NOTICE_OBJECT_NAME), None)

    def steps(window: MainWindow) -> None:
        seen["rows_painted"] = window.queue.model.rowCount()
        qtbot.waitUntil(lambda: notice() is not None, timeout=10_000)
        box = notice()
        assert box is not None
        seen["said"] = box.text()
        seen["visible"] = box.isVisible()
        # the practice rows painted first make way for the real, empty books
        qtbot.waitUntil(lambda: window.queue.model.rowCount() == 0, timeout=10_000)
        box.close()
        QApplication.quit()

    with _on_this_tests_window(monkeypatch, steps) as on_this_window:
        _run(settings, list(rows), build, on_this_window)
    assert seen["rows_painted"] == len(rows)
    assert seen["visible"] is True
    said = str(seen["said"])
    assert "practice (sandbox) payments" in said
    assert "kept, not deleted" in said
    assert str(settings.data_dir / "practice" / "kaha.sqlite3") in said
    assert all("practice" not in problem for problem in problems)


def test_the_sandbox_sign_in_page_names_the_demo_people_to_practise_with(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, rows = _used_counter()
    problems = _dialogs_shown(monkeypatch)
    seen: dict[str, object] = {}

    def build() -> CounterServices:
        services = build_services(settings, Secrets())  # nobody signed in: the page is up
        return dataclasses.replace(
            services, start_payment_backend=_no_payments, open_payment_backend=None
        )

    def steps(window: MainWindow) -> None:
        qtbot.waitUntil(lambda: window.lock is not None, timeout=10_000)
        lock = window.lock
        assert lock is not None
        qtbot.waitUntil(lock.screen.isVisible, timeout=10_000)
        seen["page"] = lock.screen.clinic.text()
        QApplication.quit()

    # on this test's own window: an earlier test's may not be deleted yet
    with _on_this_tests_window(monkeypatch, steps) as on_this_window:
        assert _run(settings, rows, build, on_this_window) == 0
    assert not problems, problems
    page = str(seen["page"])
    assert "Practice (sandbox):" in page
    for name, pin in (
        ("demo-owner", "9001"),
        ("demo-staff", "9002"),
        ("demo-receptionist", "9003"),
    ):
        assert f"{name} (PIN {pin})" in page
