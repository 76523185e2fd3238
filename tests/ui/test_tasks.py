"""The task runner: work off the GUI thread, answers back on it, none for a closed window."""

from __future__ import annotations

import threading

import shiboken6
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from pos_app.ui.tasks import TaskRunner


def test_answers_come_back_on_the_gui_thread(qtbot: QtBot) -> None:
    runner = TaskRunner()
    worked_on: list[str] = []
    answered_on: list[str] = []

    def work() -> int:
        worked_on.append(threading.current_thread().name)
        return 42

    with qtbot.waitSignal(runner.task_finished, timeout=5000):
        runner.run_db(work, on_success=lambda value: answered_on.append(f"{value}"))
    assert worked_on
    assert worked_on[0] != threading.main_thread().name
    assert answered_on == ["42"]
    assert runner.wait_for_done(5000)


def test_no_answer_for_a_widget_deleted_while_the_work_ran(qtbot: QtBot) -> None:
    runner = TaskRunner()
    owner = QWidget()
    release = threading.Event()
    answers: list[object] = []
    runner.run_db(release.wait, on_success=answers.append, owner=owner)
    kept = QWidget()
    runner.run_db(lambda: "kept", on_success=answers.append, owner=kept)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not _alive(owner), timeout=5000)
    with qtbot.waitSignal(runner.task_finished, timeout=5000):
        release.set()
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    assert answers == ["kept"]  # the closed widget's answer was dropped, the other delivered
    kept.deleteLater()


def _alive(widget: QWidget) -> bool:
    return bool(shiboken6.isValid(widget))
