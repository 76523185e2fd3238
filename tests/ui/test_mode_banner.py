"""The band across the top of the window: whether real money moves."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.config import Mode
from pos_app.ui.mode_banner import BANNERS, STARTING_BANNER, ModeBanner


@pytest.mark.parametrize("mode", list(Mode))
def test_each_mode_has_its_own_words_and_colour(qtbot: QtBot, mode: Mode) -> None:
    banner = ModeBanner(mode)
    qtbot.addWidget(banner)
    text, background, _foreground = BANNERS[mode]
    assert banner.mode is mode
    assert banner.text() == text
    assert background in banner.styleSheet()


def test_the_words_say_plainly_whether_real_money_moves() -> None:
    assert "no real money moves" in BANNERS[Mode.SANDBOX][0]
    assert "no real money moves" in BANNERS[Mode.TEST][0]
    assert "real payments" in BANNERS[Mode.LIVE][0]
    assert len({colours[1] for colours in BANNERS.values()}) == len(Mode)


def test_before_the_keys_are_read_it_says_so_then_shows_the_mode(qtbot: QtBot) -> None:
    banner = ModeBanner(None)
    qtbot.addWidget(banner)
    assert banner.mode is None
    assert banner.text() == STARTING_BANNER[0]
    assert "LIVE" not in banner.text()
    assert "SANDBOX" not in banner.text()
    banner.show_mode(Mode.LIVE)
    assert banner.mode is Mode.LIVE
    assert banner.text() == BANNERS[Mode.LIVE][0]
    assert BANNERS[Mode.LIVE][1] in banner.styleSheet()


def test_the_words_are_centred_across_the_band(qtbot: QtBot) -> None:
    banner = ModeBanner(None)
    qtbot.addWidget(banner)
    banner.ensurePolished()  # the centring is in the style sheet (no Qt enum before paint)
    assert banner.alignment() == Qt.AlignmentFlag.AlignCenter
    banner.show_mode(Mode.SANDBOX)
    banner.ensurePolished()
    assert banner.alignment() == Qt.AlignmentFlag.AlignCenter
