"""The syncing process of the chaos test: run ClinicSync until nothing waits, then exit 0.

``python -m tests.integration.clinic.chaos_runner DB_URL CLINIC_URL TOKEN``. The test kills it
with SIGKILL at random moments and starts it again; short timeouts make a late answer a timeout.
"""

from __future__ import annotations

import sys

from pos_app.clinic import ClinicClient
from pos_app.domain.clock import SystemClock
from pos_app.http_policy import RetryPolicy, Timeouts
from pos_app.services.clinic_sync import ClinicSync
from pos_app.storage import open_database

MAX_RUNS = 400


def main(argv: list[str]) -> int:
    db_url, url, token = argv
    database = open_database(db_url)
    client = ClinicClient(
        base_url=url,
        token=token,
        timeouts=Timeouts(connect_s=1, read_s=0.4, write_s=1, per_try_s=0.4, total_s=2),
        retry=RetryPolicy(max_attempts=3, base_delay_s=0.02, max_delay_s=0.1),
    )
    sync = ClinicSync(database, client, SystemClock(), page_size=50)
    for _ in range(MAX_RUNS):
        sync.request_now()
        with database.unit_of_work() as uow:  # no waiting between tries: the test is the clock
            uow.outbox.clear_backoff()
            uow.commit()
        report = sync.run()
        if report.failure is None and sync.status().waiting == 0:
            print("done", flush=True)
            return 0
    return 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
