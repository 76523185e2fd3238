"""``python -m pos_app`` and the ``pos-app`` console script."""

from __future__ import annotations

import sys


def main() -> int:
    from pos_app.app import main as run_app

    return run_app(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
