"""pos_app.ui takes PySide's ``__feature__`` import hook out (see pos_app/ui/__init__.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

# In a fresh interpreter: PySide loaded first, as pytest-qt or a caller other than the app may.
PROBE = """
import builtins, json, sys
import PySide6.QtWidgets
hooked_before = builtins.__import__ is builtins.__feature_import__
import pos_app.ui.bill_queue
from PySide6.QtWidgets import QApplication, QTableView
app = QApplication([])
table = QTableView()
print(json.dumps({
    "hooked_before": hooked_before,
    "hooked_after": builtins.__import__ is builtins.__feature_import__,
    # the hook records each module it reads the source of
    "read": sorted(
        name for name in sys.modules["shibokensupport.feature"].pyside_feature_dict
        if name.startswith("pos_app")
    ),
    "table": type(table).__name__,
}))
"""


def _probe() -> dict[str, object]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    command = [sys.executable, "-c", PROBE]
    done = subprocess.run(command, check=False, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_feature_hook_is_out_before_kahas_qt_modules_load() -> None:
    result = _probe()
    # PySide still installs it (if a release stops doing so, pos_app/ui/__init__.py can go)
    assert result["hooked_before"] is True
    assert result["hooked_after"] is False
    # the package pos_app (imported before pos_app.ui took the hook out) and nothing after it
    assert result["read"] == ["pos_app"]
    # PySide's own lazy import of its types still works
    assert result["table"] == "QTableView"
