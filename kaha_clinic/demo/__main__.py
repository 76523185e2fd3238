"""python -m kaha_clinic.demo --port P --token T: the example clinic server, for TEST mode.

Makes (or reuses, with --db) an SQLite database, migrates it, adds demo bills, gives the counter's
user the token T, and serves /api/billing/ and /admin/ on 127.0.0.1:P until interrupted.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

MAX_TOKEN = 40  # DRF's authtoken key column


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m kaha_clinic.demo",
        description="Serve the example clinic records server (kaha_clinic) on this machine.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--token", help="the counter's API token (made up if not given)")
    parser.add_argument("--db", type=Path, help="SQLite file to use and keep (default: temporary)")
    parser.add_argument(
        "--database-url", help="use PostgreSQL instead: postgresql://user@host:port/name"
    )
    parser.add_argument("--bills", type=int, default=60, help="demo bills to add to an empty db")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--admin-password", help="password of the 'admin' superuser")
    args = parser.parse_args(argv)
    if args.token is not None and not 0 < len(args.token) <= MAX_TOKEN:
        parser.error(f"--token must be 1 to {MAX_TOKEN} characters")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    # Stopped with SIGTERM too (tests, service managers): unwind so the temporary folder goes.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with tempfile.TemporaryDirectory(prefix="kaha-clinic-") as folder:
        db = args.db or Path(folder) / "clinic.sqlite3"
        os.environ["KAHA_CLINIC_DB"] = str(db)
        if args.database_url:
            os.environ["KAHA_CLINIC_DATABASE_URL"] = args.database_url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaha_clinic.demo.settings")
        return _serve(args, db)


def _serve(args: argparse.Namespace, db: Path) -> int:
    import django

    django.setup()
    from django.core.management import call_command

    from kaha_clinic.demo import seed, server
    from kaha_clinic.models import Bill

    call_command("migrate", verbosity=0, interactive=False)
    token = args.token or secrets.token_hex(20)
    seed.ensure_counter_token(token)
    password = args.admin_password or secrets.token_urlsafe(12)
    seed.ensure_admin("admin", password)
    if not Bill.objects.exists():
        seed.seed(args.bills, args.seed)
    httpd = server.make_server(args.host, args.port, quiet=False)
    url = f"http://{args.host}:{httpd.server_address[1]}"
    where = "PostgreSQL" if args.database_url else db
    print(f"Clinic server:  {url}  ({Bill.objects.count()} bills in {where})", flush=True)
    print(f"Counter token:  {token}", flush=True)
    print(f"Admin:          {url}/admin/  (admin / {password})", flush=True)
    print(f"Counter setup:  POS_APP_CLINIC_BASE_URL={url} POS_APP_CLINIC_TOKEN={token}", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
