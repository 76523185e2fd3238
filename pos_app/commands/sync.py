"""``pos-app sync [--once] [--full]``: bills in step with the clinic server, without the window.

For a first install (fill an empty counter before opening it), scheduled runs and support. Uses the
counter's own settings and keyring: ``clinic_base_url`` and the ``clinic_token`` secret. Prints what
it pulled and sent; exits 1 with one plain sentence when the server cannot be reached or refuses
the token, 2 when no clinic server is set up. In sandbox mode with no clinic server set up it syncs
with the embedded clinic stand-in, as the window does.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from pos_app.domain.errors import UserFacingError

if TYPE_CHECKING:
    from pos_app.services.clinic_sync import PullProgress, SyncReport
    from pos_sandbox.server import SandboxServer

HELP = "pull bills from the clinic server and send waiting changes (--once, --full)"

NOT_SET_UP = (
    "No clinic server is set up on this counter. Set clinic_base_url in the settings and store "
    "the token with: pos-app --set-secret clinic_token"
)


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pos-app sync", description=HELP)
    parser.add_argument("--once", action="store_true", help="one pull and send, then exit")
    parser.add_argument(
        "--full",
        action="store_true",
        help="pull every bill again (bills the server no longer has leave the queue)",
    )
    return parser.parse_args(list(argv))


def run(argv: Sequence[str]) -> int:
    args = _parse(argv)
    from pos_app.app import (
        clinic_sync,
        open_counter_database,
        settle_memory,
        start_embedded_sandbox,
    )
    from pos_app.config import Mode, load_secrets, load_settings
    from pos_app.log_file import configure_logging

    try:
        settings = load_settings()
        secrets = load_secrets()
    except UserFacingError as exc:
        print(exc.user_message, file=sys.stderr)
        return 2
    sandbox: SandboxServer | None = None
    url, token = settings.clinic_base_url, secrets.clinic_token
    if not url or not token:
        if secrets.mode is not Mode.SANDBOX:
            print(NOT_SET_UP, file=sys.stderr)
            return 2
        # sandbox mode, as in the window: the demo bills come from the embedded clinic stand-in
        sandbox = start_embedded_sandbox(settings)
        url, token = sandbox.clinic_url, sandbox.clinic_token
    try:
        database = open_counter_database(settings)
    except UserFacingError as exc:
        print(exc.user_message, file=sys.stderr)
        return 1
    configure_logging(settings)  # details go to the log file; the terminal gets plain words
    closers: list[Callable[[], None]] = []
    sync = clinic_sync(settings, database, url, token, closers)
    settle_memory()  # as the window does once started: a first load runs faster
    if sandbox is not None:
        closers.append(sandbox.stop)  # after the clinic client it serves
    assert sync is not None
    shown = [0.0]

    def show_progress(progress: PullProgress) -> None:
        now = time.monotonic()
        if progress.total and now - shown[0] >= 1.0:  # a line a second is enough to watch
            shown[0] = now
            print(progress.describe(), flush=True)

    sync.subscribe_progress(show_progress)
    try:
        report = sync.run(full=args.full)
        if report.failure is not None:
            print(report.failure.user_message, file=sys.stderr)
            return 1
        print(report.describe(), flush=True)
        while not args.once:
            time.sleep(1.0)
            later = sync.tick()
            if later is not None and (later.failure or _did_something(later)):
                print(later.describe(), flush=True)
    except KeyboardInterrupt:
        return 0
    finally:
        for close in closers:
            close()
        database.dispose()
    return 0


def _did_something(report: SyncReport) -> bool:
    pulled, pushed = report.pull, report.push
    return bool((pulled and pulled.pulled) or (pushed and pushed.sent))
