"""The Qt user interface: the only package of Kaha that imports PySide6.

PySide6 puts a hook in front of Python's ``__import__`` for its opt-in ``__feature__`` imports
(``from __feature__ import snake_case``). For every module imported after PySide6, that hook reads
the module's whole source file (``inspect.getsource``) to see whether it mentions PySide6: it made
loading SQLAlchemy and Alembic on the database worker at start-up ~0.25 s slower here, and it taxes
every module loaded later in the day (the printing code, the QR code) and our own window's modules
before the first paint. Kaha uses no ``__feature__``, so the hook comes out again here, before any
of Kaha's Qt modules runs. PySide's own import hook for its lazily created types (the one the
feature hook hands each import on to) stays. tests/ui/test_import_hook.py holds this.
"""

import builtins

import PySide6  # noqa: F401 - loaded first, so that its import hook can be taken out below


def _without_feature_import_hook() -> None:
    feature_hook = getattr(builtins, "__feature_import__", None)
    next_hook = getattr(builtins, "__orig_import__", None)
    if feature_hook is not None and next_hook is not None and builtins.__import__ is feature_hook:
        builtins.__import__ = next_hook


_without_feature_import_hook()
