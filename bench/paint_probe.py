"""The app's start-up probe, ended the moment it says "ready" (its queue first painted).

For counting the instructions a start-up runs up to its first paint (``startup_bench``, under
valgrind), the process must stop there: the probe itself goes on to open the database.
``python -m bench.paint_probe`` starts exactly as ``python -m pos_app --startup-probe`` does.
"""

from __future__ import annotations

import builtins
import os
import runpy
import sys

_print = builtins.print


def _print_then_stop(*args: object, **kwargs: object) -> None:
    _print(*args, **kwargs)  # type: ignore[call-overload]
    if args == ("ready",):
        sys.stdout.flush()
        os._exit(0)


if __name__ == "__main__":
    builtins.print = _print_then_stop
    sys.argv = ["pos_app", "--startup-probe"]
    runpy.run_module("pos_app", run_name="__main__", alter_sys=True)
