"""A fork server for the random-kill loop: the counter's code is imported once, then every run of
``crash_runner`` is a fresh child process forked from it, killed with SIGKILL when asked.

    python -m tests.integration.payments.crash_zygote

Why: a cold ``python -m crash_runner`` spends about a second importing before the payment even
starts, so a kill "at a random moment" would mostly hit the imports, and hundreds of kills would
take many minutes. A forked child holds no state of its parent's beyond imported modules (the
zygote opens no database, no socket and starts no thread before forking), so killing it is the
same power cut as killing a cold process; its next start (``recover``) is another fresh child.

Protocol, one JSON object per line. Request on stdin::

    {"args": ["collect", ...], "out": "/path/for/its/stdout+stderr",
     "kill_after_s": 0.123 | null, "crash_at": "intent_sent" | null, "timeout_s": 120}

Answer on stdout, once the child is gone (exited, or killed and reaped)::

    {"pid": 123, "returncode": 0 | 1 | -9, "forked_at": t, "started_at": t,
     "killed_at": t | null, "ended_at": t, "timed_out": false}

``kill_after_s`` counts from ``started_at``: the moment the child reports the app is up (its
database open, its PayMongo client made), so the kill lands inside the payment itself rather than
in the app's start. Times are ``time.time()``. The zygote itself does the killing: it holds a
pidfd on its unreaped child, so the SIGKILL can only ever reach that child.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pos_app.services.collect.crash_points import CRASH_ENV
from tests.integration.payments import crash_runner
from tests.integration.payments.crash_harness import ROOT

ZYGOTE = "tests.integration.payments.crash_zygote"


@dataclass(frozen=True)
class ChildRun:
    """How one forked run of the runner ended, and what it printed."""

    returncode: int
    forked_at: float
    started_at: float  # when the app was up and the payment (or recovery) began
    killed_at: float | None
    ended_at: float
    timed_out: bool
    output: str

    @property
    def killed(self) -> bool:
        return self.returncode == -signal.SIGKILL and self.killed_at is not None

    @property
    def wall_s(self) -> float:
        """From the app being up to the process gone."""
        return self.ended_at - self.started_at

    @property
    def process_s(self) -> float:
        """From fork to the process gone: the start of the app included, not the imports."""
        return self.ended_at - self.forked_at

    def last_json(self) -> dict[str, Any]:
        """The runner's last JSON line (``recover`` prints one)."""
        lines = [line for line in self.output.splitlines() if line.startswith("{")]
        assert lines, self.output
        answer: dict[str, Any] = json.loads(lines[-1])
        return answer


class Zygote:
    """The test's end: start the fork server, run the runner in forked children, stop it."""

    def __init__(self, scratch: Path) -> None:
        self._scratch = scratch
        self._count = 0
        env = {k: v for k, v in os.environ.items() if k != CRASH_ENV}
        self._process = subprocess.Popen(
            [sys.executable, "-m", ZYGOTE],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(
        self,
        *args: str,
        kill_after_s: float | None = None,
        crash_at: str | None = None,
        timeout_s: float = 120,
    ) -> ChildRun:
        self._count += 1
        out = self._scratch / f"child-{self._count}.log"
        request = {
            "args": list(args),
            "out": str(out),
            "kill_after_s": kill_after_s,
            "crash_at": crash_at,
            "timeout_s": timeout_s,
        }
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None
        assert stdout is not None
        stdin.write(json.dumps(request) + "\n")
        stdin.flush()
        line = stdout.readline()
        if not line:
            raise RuntimeError(f"the crash zygote died (exit {self._process.wait()})")
        answer = json.loads(line)
        return ChildRun(
            returncode=answer["returncode"],
            forked_at=answer["forked_at"],
            started_at=answer["started_at"],
            killed_at=answer["killed_at"],
            ended_at=answer["ended_at"],
            timed_out=answer["timed_out"],
            output=out.read_text(encoding="utf-8", errors="replace"),
        )

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        self._process.wait(timeout=30)
        if self._process.stdout is not None:
            self._process.stdout.close()

    def __enter__(self) -> Zygote:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- the fork server itself ---------------------------------------------------------------------


def _child(request: dict[str, Any], ready_fd: int) -> None:
    """In the forked child: output to the given file, run the runner, exit without cleanup."""
    code = 1
    try:
        fd = os.open(request["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.environ.pop(CRASH_ENV, None)
        if request.get("crash_at"):
            os.environ[CRASH_ENV] = request["crash_at"]

        def ready() -> None:
            os.write(ready_fd, b"r")

        crash_runner.main(request["args"], ready)
        code = 0
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _serve_one(request: dict[str, Any]) -> dict[str, Any]:
    """Fork, wait until the child says the app is up (or is gone), then until it exits, or
    until ``kill_after_s`` has passed since it was up: then SIGKILL."""
    sys.stdout.flush()
    forked_at = time.time()
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(ready_r)
        _child(request, ready_w)
    os.close(ready_w)
    pidfd = os.pidfd_open(pid)
    timeout_s = float(request.get("timeout_s") or 120)
    # one byte once the app is up; end of file if the child is gone before that
    up, _, _ = select.select([ready_r], [], [], timeout_s)
    is_up = bool(up) and os.read(ready_r, 1) == b"r"
    os.close(ready_r)
    ready_at = time.time()
    kill_after = request.get("kill_after_s")
    wait_s = timeout_s if kill_after is None or not is_up else float(kill_after)
    killed_at = None
    exited, _, _ = select.select([pidfd], [], [], max(wait_s, 0.0))
    if not exited:
        killed_at = time.time()
        os.kill(pid, signal.SIGKILL)  # not reaped yet: this pid is still our child
    _, status = os.waitpid(pid, 0)
    os.close(pidfd)
    return {
        "pid": pid,
        "returncode": os.waitstatus_to_exitcode(status),
        "forked_at": forked_at,
        "started_at": ready_at,
        "killed_at": killed_at,
        "ended_at": time.time(),
        "timed_out": killed_at is not None and (kill_after is None or not is_up),
    }


def serve(requests: IO[str], answers: IO[str]) -> None:
    for line in requests:
        if line.strip():
            answers.write(json.dumps(_serve_one(json.loads(line))) + "\n")
            answers.flush()


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout)
