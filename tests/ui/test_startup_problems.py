"""Start-up problems (a bad settings file, a key with the wrong prefix) in a window as well as on
the console: every bad setting at once, each with where its value came from and how to fix it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from pos_app.app import build_services, main
from pos_app.config import load_secrets, load_settings
from pos_app.services.counter import CounterServices
from pos_app.ui.application import run_gui_while_starting
from pos_app.ui.main_window import MainWindow

SECRET = "PAYMONGO_SECRET_KEY"
WEBHOOK = "PAYMONGO_WEBHOOK_SECRET"


class BoxReader:
    """Reads each error box as it opens, then presses its OK as a receptionist would."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.titles: list[str] = []
        self.over: list[str] = []  # the class of the window each box stood over
        self._timer = QTimer(interval=20)
        self._timer.timeout.connect(self._look)
        self._timer.start()

    def _look(self) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            return
        self.texts.append(box.text())
        self.titles.append(box.windowTitle())
        parent = box.parentWidget()
        # the class's name only: holding the window would keep it alive after its run
        self.over.append(type(parent.window()).__name__ if parent is not None else "")
        ok = box.button(QMessageBox.StandardButton.Ok)
        assert ok is not None
        ok.click()

    def stop(self) -> None:
        self._timer.stop()


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> Iterator[BoxReader]:
    # as on a real screen: offscreen, where nobody could close a box, only stderr is used
    monkeypatch.setattr(QApplication, "platformName", staticmethod(lambda: "xcb"))
    reader = BoxReader()
    yield reader
    reader.stop()


def test_wrong_keys_are_all_named_in_a_window_over_the_counter(
    qtbot: QtBot,
    boxes: BoxReader,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(SECRET, "pk_test_" + "Qm4v8Hs2Lx9Tz3Wd")  # the public key, pasted as secret
    monkeypatch.setenv(WEBHOOK, "sk_test_" + "Rn7c1Jp5Ye0Ua6Kb")  # the secret key, as webhook
    settings = load_settings()

    def build() -> CounterServices:
        return build_services(settings, load_secrets())

    assert run_gui_while_starting(settings, [], build) == 1
    for widget in QApplication.topLevelWidgets():  # no window left for the next test to find
        if isinstance(widget, MainWindow):
            widget.close()
            widget.deleteLater()
    # the window closing as it is deleted asks the application to quit: take that quit here
    QTimer.singleShot(0, QApplication.quit)
    QApplication.exec()
    assert len(boxes.texts) == 1, boxes.texts
    told = boxes.texts[0]
    assert boxes.titles == ["Kaha cannot start"]
    assert boxes.over == [MainWindow.__name__]  # over the counter's own window
    assert "2 settings need fixing" in told
    for name, variable in (("paymongo_secret_key", SECRET), ("paymongo_webhook_secret", WEBHOOK)):
        assert name in told
        assert f"the environment variable {variable}" in told
    assert "should start with sk_test_ or sk_live_" in told
    assert "should start with whsk_" in told
    assert "Fix: set PAYMONGO_SECRET_KEY to the right key" in told
    assert "Qm4v8Hs2Lx9Tz3Wd" not in told
    assert "Rn7c1Jp5Ye0Ua6Kb" not in told
    assert told in capsys.readouterr().err  # and on the console


def test_a_bad_settings_file_and_a_wrong_key_are_told_together_before_the_window(
    qtbot: QtBot,
    boxes: BoxReader,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings_file = tmp_path / "config" / "settings.toml"
    settings_file.parent.mkdir(parents=True, exist_ok=True)
    settings_file.write_text(
        'idle_lock_minutes = "soon"\nprinter_kind = "laser"\ntermnal_id = "02"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("POS_APP_KEYED_CARD_ENABLED", "perhaps")
    monkeypatch.setenv(SECRET, "pk_live_" + "Vb3n8Mq1Zx6Lc4Rt")
    assert main([]) == 2
    assert len(boxes.texts) == 1, boxes.texts
    told = boxes.texts[0]
    assert boxes.titles == ["Kaha cannot start"]
    assert "5 settings need fixing" in told
    where_file = f"Where: the settings file {settings_file}"
    assert told.count(where_file) == 3
    assert "idle_lock_minutes has the value 'soon', but it should be a whole number" in told
    assert "Fix: change the line to idle_lock_minutes = 5, or remove it for the default" in told
    assert "printer_kind has the value 'laser'" in told
    assert "'escpos_network'" in told
    assert "'termnal_id' is not a setting Kaha knows" in told
    assert "Where: the environment variable POS_APP_KEYED_CARD_ENABLED" in told
    assert "Fix: set POS_APP_KEYED_CARD_ENABLED to true or false, or unset it" in told
    assert "paymongo_secret_key starts with pk_live_" in told
    assert "Where: the environment variable PAYMONGO_SECRET_KEY" in told
    assert "Vb3n8Mq1Zx6Lc4Rt" not in told
    assert told in capsys.readouterr().err
