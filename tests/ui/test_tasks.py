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


class _Tracked:
    """Records on which thread its last reference went."""

    def __init__(self, name: str, died_on: list[tuple[str, str]]) -> None:
        self._name = name
        self._died_on = died_on

    def __del__(self) -> None:
        self._died_on.append((self._name, threading.current_thread().name))


def _submit(runner: TaskRunner, died_on: list[tuple[str, str]], delivered: list[str]) -> None:
    """A task whose closure holds one tracked object and whose outcome is another (in a
    function of its own: no test local may keep either alive)."""
    held = _Tracked("held by the work", died_on)
    runner.run_db(
        lambda: (held, _Tracked("the outcome", died_on))[1],
        on_success=lambda outcome: delivered.append(type(outcome).__name__),
    )
    failing = _Tracked("held by failing work", died_on)

    def fail() -> None:
        raise RuntimeError(f"failed with {failing!r} in a frame the traceback keeps")

    runner.run_db(fail, on_failure=lambda exc: delivered.append(type(exc).__name__))


def test_the_work_and_its_outcome_are_let_go_on_the_gui_thread(qtbot: QtBot) -> None:
    """A widget whose Python side dies on a pool thread is deleted behind Qt's back (a segfault
    in shiboken's runDeletionInMainThread): what a task holds must go on the GUI thread."""
    runner = TaskRunner()
    died_on: list[tuple[str, str]] = []
    delivered: list[str] = []
    _submit(runner, died_on, delivered)
    # the pool finishes (and deletes) both jobs before the GUI thread hears of them
    assert runner.wait_for_done(5000)
    qtbot.waitUntil(lambda: len(delivered) == 2, timeout=5000)
    assert sorted(delivered) == ["RuntimeError", "_Tracked"]
    qtbot.waitUntil(lambda: len(died_on) == 3, timeout=5000)
    main = threading.main_thread().name
    assert sorted(died_on) == [
        ("held by failing work", main),
        ("held by the work", main),
        ("the outcome", main),
    ]
