"""The garbage collector as the window and ``pos-app sync`` set it once start-up is done.

In a child process: freezing objects and changing the thresholds is for the whole process, and
the test run must keep Python's own."""

from __future__ import annotations

import json
import subprocess
import sys

CHILD = """
import gc, json
from pos_app.app import YOUNG_COLLECTION_THRESHOLD, settle_memory
before = gc.get_threshold()
settle_memory()
print(json.dumps({"before": before, "after": gc.get_threshold(),
                  "frozen": gc.get_freeze_count(), "young": YOUNG_COLLECTION_THRESHOLD}))
"""


def test_start_up_objects_are_frozen_and_young_objects_collected_less_often() -> None:
    child = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=60, check=True
    )
    seen = json.loads(child.stdout)
    assert seen["frozen"] > 10_000  # the app's modules, SQLAlchemy's and Qt's bindings
    young, middle, old = seen["after"]
    assert young == seen["young"] > seen["before"][0]
    assert (middle, old) == tuple(seen["before"][1:])
