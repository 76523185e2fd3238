"""Cash works as soon as the database is open, whatever PayMongo does: the key check and the
recovery of payments left open wait on PayMongo, and must not hold the cash button."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import shiboken6
from pytestqt.qtbot import QtBot

import pos_app.app as composition
from pos_app.app import build_services
from pos_app.config import Secrets, Settings, first_paint_settings, load_settings
from pos_app.domain.bill import BillStatus
from pos_app.domain.tender import TenderMethod
from pos_app.services.bills import OPEN_STATUSES, QUEUE_LIMIT
from pos_app.services.counter import CounterServices
from pos_app.storage.first_paint import read_queue
from pos_app.ui.main_window import MainWindow
from pos_sandbox.faults import FaultRule
from pos_sandbox.server import SandboxServer
from tests.ui.conftest import signed_in
from tests.ui.test_starting import _run

_Steps = Callable[[MainWindow], None]


@contextmanager
def _on_this_tests_window(monkeypatch: pytest.MonkeyPatch, steps: _Steps) -> Iterator[_Steps]:
    """``steps`` on the window this test starts (an earlier test's may not be deleted yet);
    the window is deleted at the end, so no later test finds it."""
    shown: list[MainWindow] = []
    show = MainWindow.show

    def show_and_remember(window: MainWindow) -> None:
        shown.append(window)
        show(window)

    monkeypatch.setattr(MainWindow, "show", show_and_remember)
    try:
        yield lambda _any_window: steps(shown[-1])
    finally:
        for window in shown:
            shiboken6.delete(window)


WAIT_MS = 10_000  # PayMongo's own deadline is 30 s a request: far longer than this


def _last_run_left_three_qr_codes_open(settings: Settings) -> set[int]:
    services = build_services(settings, Secrets())
    try:
        backend = services.start_payment_backend()
        assert backend.clinic is not None  # sandbox mode: bills come from the clinic stand-in
        backend.clinic.run()
        with services.database.unit_of_work(read_only=True) as uow:
            bills = uow.bills.list_queue(BillStatus.PENDING, 10)
        for bill in bills[:3]:
            backend.collect.start(bill.id, TenderMethod.QRPH, bill.balance)
        return {bill.id for bill in bills[:3]}
    finally:
        services.shutdown()


def test_cash_is_taken_while_paymongo_hangs_at_start_up(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings()
    with_open_qr = _last_run_left_three_qr_codes_open(settings)
    rows = read_queue(first_paint_settings(settings).database_url, OPEN_STATUSES, QUEUE_LIMIT)
    assert rows
    hanging: list[SandboxServer] = []
    start_sandbox = composition.start_embedded_sandbox

    def start_hanging_sandbox(settings: Settings) -> SandboxServer:
        server = start_sandbox(settings)
        server.paymongo_faults.add(FaultRule(kind="hang", path_regex="^/v1/", delay_s=120))
        hanging.append(server)
        return server

    monkeypatch.setattr(composition, "start_embedded_sandbox", start_hanging_sandbox)
    built: list[CounterServices] = []
    seen: dict[str, object] = {}

    def build() -> CounterServices:
        built.append(signed_in(build_services(settings, Secrets())))
        return built[0]

    def steps(window: MainWindow) -> None:
        row = next(i for i, bill in enumerate(rows) if bill.id not in with_open_qr and bill.balance)
        qtbot.waitUntil(lambda: window.payment_side_built, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: bool(hanging), timeout=WAIT_MS)
        with qtbot.waitSignal(window.queue.bill_selected, timeout=WAIT_MS):
            window.queue.select_row(row, lambda: None)
        qtbot.waitUntil(window.payment.cash_button.isEnabled, timeout=WAIT_MS)
        window.payment.cash_button.click()
        bill = window.payment.bill
        assert bill is not None
        window.payment.cash.tendered_edit.setText(bill.balance.to_decimal_str())
        with qtbot.waitSignal(window.payment.settled, timeout=WAIT_MS) as settled:
            window.payment.cash.record_button.click()
        seen["invoice"] = settled.args[0].invoice.number
        # PayMongo has not answered anything yet: the key check is still waiting
        seen["status"] = window.connection_label.text()
        seen["answered"] = [
            e.path for e in hanging[0].paymongo_log.entries(path_prefix="/v1/") if e.status
        ]
        built[0].shutdown()  # ends the hanging requests so the test can close
        window.close()

    with _on_this_tests_window(monkeypatch, steps) as on_this_window:
        assert _run(settings, rows, build, on_this_window) == 0
    assert seen["invoice"] == "MAIN-01-000001"
    assert "checking" in str(seen["status"])
    assert seen["answered"] == []
