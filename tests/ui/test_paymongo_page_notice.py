"""With a real PayMongo key, no page after paying and no clinic server, patients land on
PayMongo's page after an e-wallet or card checkout: start-up says so in the window, in one
plain sentence with where to fix it (docs/payment-finished.md); with a page of the clinic's, or
in sandbox mode, nothing is said."""

from __future__ import annotations

import dataclasses
import secrets

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from pos_app.app import build_services
from pos_app.config import Secrets, load_settings
from pos_app.domain.roles import Role
from pos_app.services.collect.finished import NO_CLINIC_PAGE
from pos_app.services.counter import CounterServices
from pos_app.ui.main_window import MainWindow
from pos_app.ui.start_notice import NOTICE_OBJECT_NAME
from tests.ui.test_cash_while_paymongo_hangs import _on_this_tests_window
from tests.ui.test_starting import _dialogs_shown, _no_payments, _run

TEST_KEY = Secrets(paymongo_secret_key="sk_test_" + secrets.token_hex(12))
LIVE_KEY = Secrets(paymongo_secret_key="sk_live_" + secrets.token_hex(12))


def test_a_test_key_without_a_clinic_page_says_patients_see_paymongos_page(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings()
    problems = _dialogs_shown(monkeypatch)
    seen: dict[str, object] = {}

    def build() -> CounterServices:
        services = build_services(settings, TEST_KEY)
        services.access.add_person("Olivia Reyes", Role.OWNER, "4821", by="test")
        services.access.sign_in("Olivia Reyes", "4821")
        return dataclasses.replace(
            services, start_payment_backend=_no_payments, open_payment_backend=None
        )

    def notice() -> QMessageBox | None:
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
        return next((b for b in boxes if b.objectName() == NOTICE_OBJECT_NAME), None)

    def steps(window: MainWindow) -> None:
        qtbot.waitUntil(lambda: notice() is not None, timeout=10_000)
        box = notice()
        assert box is not None
        seen["said"], seen["visible"] = box.text(), box.isVisible()
        box.close()
        QApplication.quit()

    with _on_this_tests_window(monkeypatch, steps) as on_this_window:
        _run(settings, [], build, on_this_window)
    assert seen["visible"] is True
    assert seen["said"] == NO_CLINIC_PAGE
    assert seen["said"] == (
        "After paying by e-wallet or card on their phone, patients land on PayMongo's page, not "
        "the clinic's: to show your own, set \u201cPage after paying by phone\u201d in "
        "Owner \u2192 Settings\u2026 \u2192 Clinic."
    )
    assert not problems, problems


@pytest.mark.parametrize(
    ("keys", "environ", "said"),
    [
        (LIVE_KEY, {}, NO_CLINIC_PAGE),
        (TEST_KEY, {"POS_APP_CLINIC_BASE_URL": "https://records.clinic.example"}, None),
        (LIVE_KEY, {"POS_APP_PAYMENT_FINISHED_URL": "https://clinic.example/done"}, None),
        (Secrets(), {}, None),  # sandbox mode: the sandbox's own page
    ],
    ids=["live-no-page", "clinic-server", "page-set", "sandbox"],
)
def test_the_start_notice_is_said_only_when_patients_would_see_paymongos_page(
    monkeypatch: pytest.MonkeyPatch, keys: Secrets, environ: dict[str, str], said: str | None
) -> None:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    services = build_services(load_settings(), keys)
    try:
        assert services.notice == said
    finally:
        services.shutdown()
