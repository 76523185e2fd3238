"""``pos-app backup``: back up the counter's SQLite database now, then apply the retention rule.

The counter also does this by itself every day, and after each Z-reading. A
shared PostgreSQL database is backed up with ``pg_dump`` instead (docs/backups.md).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from pos_app.domain.errors import PosError

HELP = "back up the payment database now (SQLite; see docs/backups.md for PostgreSQL)"


def run(argv: Sequence[str]) -> int:
    argparse.ArgumentParser(prog="pos-app backup", description=HELP).parse_args(list(argv))
    from pos_app.app import backup_policy, open_counter_database
    from pos_app.config import books_settings, load_secrets, load_settings
    from pos_app.storage.backup import inspect_backup

    try:
        mode = load_secrets().mode
        settings = books_settings(load_settings(), mode)  # sandbox mode: the practice books
        database = open_counter_database(load_settings(), mode)
    except PosError as exc:
        print(exc.user_message, file=sys.stderr)
        return 1
    try:
        policy = backup_policy(settings, database)
        if policy is None:
            print(
                "This counter uses a shared PostgreSQL database: back it up with pg_dump on the "
                "database server (see docs/backups.md).",
                file=sys.stderr,
            )
            return 2
        made = policy.backup("manual", datetime.now(UTC))
        report = inspect_backup(made.path)
    except PosError as exc:
        print(exc.user_message, file=sys.stderr)
        return 1
    finally:
        database.dispose()
    print(f"Backup made: {made.path}")
    print(f"  {report.invoices} invoices, the last {report.last_invoice or '(none yet)'}")
    return 0
