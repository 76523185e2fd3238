"""``pos-app restore --check FILE``: can this backup be restored? Opens it read-only and says what
it holds (bills, invoices, the last invoice number, SQLite's integrity check), without touching
the live database. Putting a backup in place is a support task, step by step in docs/backups.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from pos_app.domain.errors import PosError

HELP = "check a backup file can be restored (--check FILE): what it holds, without changes"


def run(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="pos-app restore", description=HELP)
    parser.add_argument(
        "--check", metavar="FILE", type=Path, required=True, help="the backup file to check"
    )
    args = parser.parse_args(list(argv))
    from pos_app.storage.backup import inspect_backup

    try:
        report = inspect_backup(args.check)
    except PosError as exc:
        print(exc.user_message, file=sys.stderr)
        return 1
    when = f" ({report.last_invoice_at:%Y-%m-%d %H:%M} UTC)" if report.last_invoice_at else ""
    print(f"Backup {report.path}")
    print(f"  integrity:     {report.integrity}")
    print(f"  schema:        {report.schema or 'unknown'}")
    print(f"  bills:         {report.bills}")
    print(f"  invoices:      {report.invoices}")
    print(f"  last invoice:  {report.last_invoice or '(none)'}{when}")
    if report.journal_entries is not None:
        print(f"  e-journal:     {report.journal_entries} printouts")
    if not report.ok:
        print("This backup is damaged: try an older one, or call support.", file=sys.stderr)
        return 1
    print("It can be restored: see docs/backups.md. The live database was not touched.")
    return 0
