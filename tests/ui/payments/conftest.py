"""The counter against the in-process sandbox: real services, real sockets, the patient's phone
played by the test submitting the sandbox's hosted test pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.app import build_services
from pos_app.config import Secrets, load_settings
from pos_app.services.collect.results import AttemptUpdate, Settlement
from pos_app.services.counter import CounterServices, PaymentBackend
from pos_app.ui.main_window import MainWindow
from pos_app.ui.tasks import TaskRunner
from tests.ui.conftest import active_timers, key_click, signed_in

WAIT_MS = 10_000


@pytest.fixture
def counter(
    tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[CounterServices, PaymentBackend]]:
    """Parametrize indirectly with a dict of extra POS_APP_* settings to change the counter."""
    extra: dict[str, str] = getattr(request, "param", {})
    settings = load_settings(
        {
            "POS_APP_DATA_DIR": str(tmp_path / "data"),
            "POS_APP_CONFIG_DIR": str(tmp_path / "cfg"),
            "POS_APP_KEYED_CARD_ENABLED": "true",
            **extra,
        }
    )
    services = signed_in(build_services(settings, Secrets()))
    backend = services.start_payment_backend()
    assert backend.clinic is not None  # sandbox mode: bills come from the clinic stand-in
    backend.clinic.run()
    yield services, backend
    services.shutdown()


@pytest.fixture
def window(qtbot: QtBot, counter: tuple[CounterServices, PaymentBackend]) -> Iterator[MainWindow]:
    services, backend = counter
    runner = TaskRunner()
    main = MainWindow(
        mode=services.mode,
        finder=services.bills,
        runner=runner,
        clinic_name="Test Clinic",
        terminal_id="01",
        receipts=services.receipts,
        keyed_card_enabled=services.settings.keyed_card_enabled,
        wallet_sources=services.settings.wallet_sources,
    )
    main.use_access(services.access)  # the demo owner is signed in already
    qtbot.addWidget(main)
    qtbot.addWidget(main.customer_display)
    with qtbot.waitSignal(main.queue.loaded, timeout=WAIT_MS):
        main.show()
    main.activateWindow()
    qtbot.waitActive(main)  # keys reach shortcuts only in the active window
    main.set_backend(backend)
    select_row(qtbot, main, 2)
    yield main
    main.stop_watching()
    assert runner.wait_for_done(WAIT_MS), "a background task was left running"
    assert not active_timers(main, main.customer_display), "a timer was left running"


def phone(url: str, *, authorize: bool = True, method: str | None = None) -> None:
    """The patient opens the link from the QR and presses a button on the test page."""
    form = {"action": "authorize" if authorize else "fail"}
    if method is not None:
        form["method"] = method
    httpx.post(url, data=form, timeout=10).raise_for_status()


def shown_after(qtbot: QtBot, window: MainWindow, *keys: Qt.Key) -> AttemptUpdate:
    """Press ``keys`` on the counter and wait until a QR or link is on screen."""
    with qtbot.waitSignal(
        window.payment.display_changed,
        timeout=WAIT_MS,
        check_params_cb=lambda u: u is not None and u.is_open and u.display is not None,
    ) as shown:
        for key in keys:
            key_click(window, key)
    update = shown.args[0]
    assert isinstance(update, AttemptUpdate)
    assert update.display is not None
    assert update.display.url is not None
    return update


def link_of(update: AttemptUpdate) -> str:
    assert update.display is not None
    assert update.display.url is not None
    return update.display.url


def paid_on_the_phone(qtbot: QtBot, window: MainWindow, update: AttemptUpdate) -> Settlement:
    """The QR and the link are on screen; the patient approves; the counter shows it settled."""
    remote = window.payment.remote
    assert remote.link_edit.text() == link_of(update)
    assert not remote.qr_label.pixmap().isNull()
    with qtbot.waitSignal(window.payment.settled, timeout=WAIT_MS) as settled:
        phone(link_of(update))
    settlement = settled.args[0]
    assert isinstance(settlement, Settlement)
    return settlement


def select_row(qtbot: QtBot, window: MainWindow, row: int) -> None:
    """Pick the bill on ``row`` and wait until the whole bill is read and shown."""
    summary = window.queue.model.bill_at(row)
    assert summary is not None
    with qtbot.waitSignal(
        window.queue.bill_selected,
        timeout=WAIT_MS,
        check_params_cb=lambda bill: bill is not None and bill.id == summary.id,
    ):
        window.queue.select_row(row, lambda: None)
    assert window.payment.bill is not None
    assert window.payment.bill.id == summary.id
