"""R1's random-moment kills: a payment is started in a fresh counter process, which is killed with
SIGKILL after a seeded random delay; the next start of the app (``recover``) runs, and the sandbox's
ledger and the local database are checked (``kill_oracle``). One sandbox and one database serve a
batch of kills; a bill left unpaid by a kill is collected again by the next iteration.

The plan (flow and delay of each iteration) comes only from the seed and the spans, so
``KAHA_KILL_SEED`` + ``KAHA_KILL_SPANS`` replay it exactly; where the kill lands inside the process
still depends on the OS scheduler, which no seed can pin.

Each delay is uniform over [0, span) of its flow, the span being how long one whole payment took in
a warm-up run (from fork to exit; the patient's test page included). A quarter of the iterations
also kill the first recovery at a random moment, and recover again.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pos_app.domain.bill import BillStatus
from pos_app.storage import Database, open_database
from pos_sandbox.requestlog import LoggedRequest, RequestLog
from pos_sandbox.server import SandboxServer
from tests.integration.payments.crash_harness import add_bill
from tests.integration.payments.crash_zygote import ChildRun, Zygote
from tests.reliability.kill_oracle import violations

FLOWS = ("qrph", "gcash", "source-gcash", "checkout")
RECOVER = "recover"
RECOVERY_LIMIT_S = 10.0  # R1: recovery done within 10 s
RECOVER_KILL_RATE = 0.25


class TimedLog(RequestLog):
    """The sandbox's request log, plus when each answer was finished (the log is written just
    before the last byte of the answer goes out): a kill between a request's arrival and that
    moment landed mid-request."""

    def __init__(self) -> None:
        super().__init__()
        self._times_lock = threading.Lock()
        self._times: list[tuple[float, float]] = []

    def record(self, entry: LoggedRequest) -> None:
        super().record(entry)
        with self._times_lock:
            self._times.append((entry.at, time.time()))

    def landed(self, started: float, killed: float) -> str:
        with self._times_lock:
            times = list(self._times)
        in_flight = [1 for arrived, done in times if started <= arrived <= killed < done]
        return "mid-request" if in_flight else "between steps"


@contextmanager
def timed_sandbox() -> Iterator[tuple[SandboxServer, TimedLog]]:
    server = SandboxServer()
    log = TimedLog()
    server.paymongo_log = log  # start() hands this log to the PayMongo app
    with server:
        server.paymongo.configure(rate_limit_per_second=None)
        yield server, log


@dataclass(frozen=True)
class KillPlan:
    index: int
    flow: str
    fraction: float  # kill the payment this far into its flow's span
    recover_fraction: float | None  # also kill the first recovery this far into its span


def plan(seed: int, index: int) -> KillPlan:
    rng = random.Random(f"{seed}/{index}")
    flow = rng.choice(FLOWS)
    fraction = rng.random()
    recover_fraction = rng.random() if rng.random() < RECOVER_KILL_RATE else None
    return KillPlan(index, flow, fraction, recover_fraction)


def parse_spans(text: str) -> dict[str, float]:
    """``"qrph=310,gcash=290,…"`` (milliseconds) into seconds per flow."""
    pairs = (item.split("=", 1) for item in text.split(",") if item.strip())
    return {name.strip(): float(ms) / 1000 for name, ms in pairs}


def format_spans(spans: dict[str, float]) -> str:
    return ",".join(f"{name}={spans[name] * 1000:.0f}" for name in sorted(spans))


@dataclass
class Outcome:
    plan: KillPlan
    delay_s: float
    landed: str  # "mid-request", "between steps" or "missed" (the payment finished first)
    state_at_kill: str  # the attempt's state just after the kill, or "none"
    recover_killed: bool
    recover_s: float  # PaymentMonitor.recover in the final recovery, database opening included
    recover_wall_s: float  # that recovery's child from fork to exit: app start, patient paying
    violations: list[str] = field(default_factory=list)


class KillLoop:
    """Runs the plan against one zygote and one sandbox; a new database every ``batch`` kills."""

    def __init__(
        self, scratch: Path, zygote: Zygote, sandbox: SandboxServer, log: TimedLog, seed: int
    ) -> None:
        self.scratch, self.zygote, self.sandbox, self.log, self.seed = (
            scratch,
            zygote,
            sandbox,
            log,
            seed,
        )
        self._batches = 0
        self._database: Database | None = None
        self._db_url = ""
        self._bills: list[int] = []
        self._bill: int | None = None

    def warm_up(self, flows: tuple[str, ...] = FLOWS, runs: int = 2) -> dict[str, float]:
        """How long each flow's whole payment takes (the slowest of ``runs``), and a recovery
        that has one payment to drive on (a kill at ``attempt_committed`` first)."""
        self.new_batch()
        spans = {}
        for flow in flows:
            spans[flow] = max(self._collect(flow).wall_s for _ in range(runs))
        walls = []
        for _ in range(runs):
            killed = self._collect("qrph", crash_at="attempt_committed")
            assert killed.returncode == -9, killed.output
            recovered = self._recover()
            assert recovered.returncode == 0, recovered.output
            walls.append(recovered.wall_s)
            self._bill = None
        spans[RECOVER] = max(walls)
        return spans

    def new_batch(self) -> None:
        if self._database is not None:
            self._database.dispose()
        self._batches += 1
        self.sandbox.reset()
        self.sandbox.paymongo.configure(rate_limit_per_second=None)
        self._db_url = f"sqlite:///{self.scratch / f'batch-{self._batches}.sqlite3'}"
        self._database = open_database(self._db_url)
        self._bills, self._bill = [], None

    def run(self, spans: dict[str, float], kills: int, batch: int) -> list[Outcome]:
        outcomes: list[Outcome] = []
        index = 0
        landed = 0
        while landed < kills and index < 3 * kills:
            if landed and landed % batch == 0 and outcomes[-1].landed != "missed":
                self.new_batch()
            outcome = self.iteration(plan(self.seed, index), spans)
            outcomes.append(outcome)
            landed += outcome.landed != "missed"
            index += 1
        return outcomes

    def iteration(self, step: KillPlan, spans: dict[str, float]) -> Outcome:
        delay = step.fraction * spans[step.flow]
        run = self._collect(step.flow, kill_after_s=delay)
        problems = []
        if run.killed:
            landed, state = self.log.landed(run.started_at, run.killed_at or 0), self._state()
        else:
            landed, state = "missed", "none"
            if run.returncode != 0:
                problems.append(f"collect exited {run.returncode}: {run.output[-800:]}")
        recover_killed = False
        if step.recover_fraction is not None:
            first = self._recover(kill_after_s=step.recover_fraction * spans[RECOVER])
            recover_killed = first.killed
            if first.returncode not in (0, -9):
                problems.append(f"killed recovery exited {first.returncode}: {first.output[-800:]}")
        final = self._recover()
        recover_s = float("nan")
        if final.returncode != 0:
            problems.append(f"recovery exited {final.returncode}: {final.output[-800:]}")
        else:
            recover_s = float(final.last_json()["recover_s"])
            if recover_s > RECOVERY_LIMIT_S:
                problems.append(f"recovery took {recover_s:.2f} s")
        assert self._database is not None
        problems += violations(self.sandbox.paymongo.ledger(), self._database, self._bills)
        if problems or not self._reusable():
            self._bill = None  # never let one broken bill cascade into the next iterations
        return Outcome(
            step, delay, landed, state, recover_killed, recover_s, final.process_s, problems
        )

    # -- helpers ---------------------------------------------------------------------------------

    def _collect(
        self, flow: str, *, kill_after_s: float | None = None, crash_at: str | None = None
    ) -> ChildRun:
        if self._bill is None:
            assert self._database is not None
            self._bill = add_bill(self._database, f"B-{self._batches}-{len(self._bills) + 1}")
            self._bills.append(self._bill)
        args = ("collect", self._db_url, self.sandbox.paymongo_url, str(self._bill), flow)
        run = self.zygote.run(*args, kill_after_s=kill_after_s, crash_at=crash_at)
        if kill_after_s is None and crash_at is None:
            assert run.returncode == 0, run.output
            self._bill = None
        return run

    def _recover(self, *, kill_after_s: float | None = None) -> ChildRun:
        return self.zygote.run(
            "recover", self._db_url, self.sandbox.paymongo_url, kill_after_s=kill_after_s
        )

    def _state(self) -> str:
        assert self._database is not None
        assert self._bill is not None
        with self._database.unit_of_work(read_only=True) as uow:
            attempts = uow.attempts.list_for_bill(self._bill)
        return attempts[-1].state.value if attempts else "none"

    def _reusable(self) -> bool:
        """Still pending with nothing open: the next iteration collects this bill again."""
        assert self._database is not None
        assert self._bill is not None
        with self._database.unit_of_work(read_only=True) as uow:
            bill = uow.bills.get(self._bill)
            still_open = [a for a in uow.attempts.list_for_bill(self._bill) if a.is_open]
        return bill is not None and bill.status is BillStatus.PENDING and not still_open

    def close(self) -> None:
        if self._database is not None:
            self._database.dispose()
            self._database = None


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else 0.0


def table(outcomes: list[Outcome], seed: int, spans: dict[str, float], took_s: float) -> str:
    """The figures of a run, and the line that replays it."""
    kills = [o for o in outcomes if o.landed != "missed"]
    rows = [f"{'flow':<14}{'kills':>7}{'mid-request':>13}{'between':>9}{'recovery killed':>17}"]
    for name in (*FLOWS, "all"):
        mine = [o for o in kills if name in ("all", o.plan.flow)]
        count = Counter(o.landed for o in mine)
        rows.append(
            f"{name:<14}{len(mine):>7}{count['mid-request']:>13}{count['between steps']:>9}"
            f"{sum(o.recover_killed for o in mine):>17}"
        )
    states = Counter(o.state_at_kill for o in kills)
    recover = [o.recover_s for o in outcomes if o.recover_s == o.recover_s]
    walls = [o.recover_wall_s for o in outcomes]
    bad = [v for o in outcomes for v in o.violations]
    rows += [
        f"iterations {len(outcomes)} (payment finished before its kill: "
        f"{len(outcomes) - len(kills)}), {took_s:.0f} s",
        "state at kill: " + ", ".join(f"{k}={v}" for k, v in sorted(states.items())),
        f"recovery s (recover, db open incl.): max {max(recover, default=0):.3f}  "
        f"p95 {p95(recover):.3f}  median {statistics.median(recover or [0]):.3f}",
        f"recovery child process s (incl. patient paying): max {max(walls, default=0):.3f}  "
        f"p95 {p95(walls):.3f}",
        f"violations: {len(bad)}",
        f"replay: KAHA_KILL_SEED={seed} KAHA_KILLS={len(kills)} "
        f"KAHA_KILL_SPANS={format_spans(spans)}",
    ]
    return "\n".join(rows)
