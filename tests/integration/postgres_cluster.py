"""A throwaway PostgreSQL server for the storage tests: its own data folder, socket and port.

Started once per test session from Debian's ``postgresql`` package (``make test`` installs it),
listening only on a Unix socket in a temporary folder, with fsync off: what is tested here is
that Kaha's SQL and locking behave on PostgreSQL, not PostgreSQL's own durability. Each test
gets a fresh database in it. As root (CI, a fresh container) the server runs as the
``postgres`` user, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

SUPERUSER = "kaha"
TEMPLATE = "kaha_migrated"


class Disposable(Protocol):
    def dispose(self) -> None: ...


class PostgresUnavailable(RuntimeError):
    """PostgreSQL's server programs are not on this machine."""


def server_bin_dir() -> Path:
    """The newest installed PostgreSQL's bin folder (Debian keeps them out of PATH)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name),
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise PostgresUnavailable(
        "PostgreSQL is not installed: run `make test` (it installs Debian's postgresql package) "
        "or `apt-get install postgresql`"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresCluster:
    root: Path
    port: int
    bin_dir: Path
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _template: str | None = None

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def url(self, database: str) -> str:
        return (
            f"postgresql+psycopg://{SUPERUSER}@/{database}?host={self.socket_dir}&port={self.port}"
        )

    def new_database(self, template: str = "template1") -> str:
        """Create a database (empty, or a copy of ``template``) and return its SQLAlchemy URL."""
        name = f"kaha_test_{next(self._names)}"
        self._psql(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
        return self.url(name)

    def migrated_template(self, open_database: Callable[[str], Disposable]) -> str:
        """The name of a database migrated to head once, for ``new_database`` to copy."""
        if self._template is None:
            self._psql(f"CREATE DATABASE {TEMPLATE}")
            open_database(self.url(TEMPLATE)).dispose()  # migrates, then lets go of it
            self._template = TEMPLATE
        return self._template

    def _psql(self, sql: str) -> None:
        subprocess.run(
            [
                str(self.bin_dir / "psql"),
                "-h", str(self.socket_dir), "-p", str(self.port), "-U", SUPERUSER,
                "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", sql,
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip

    def stop(self) -> None:
        _as_server_user(
            [str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "stop"],
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def _as_server_user(command: list[str], *, check: bool = True) -> None:
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise RuntimeError(f"{command[0:4]} failed:\n{result.stdout}\n{result.stderr}")


def start_cluster() -> PostgresCluster:
    bin_dir = server_bin_dir()
    root = Path(tempfile.mkdtemp(prefix="kaha-pg-"))
    root.chmod(0o755)  # the server user must reach its folders below
    cluster = PostgresCluster(root=root, port=_free_port(), bin_dir=bin_dir)
    cluster.socket_dir.mkdir()
    cluster.data_dir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(cluster.socket_dir, "postgres", "postgres")
        shutil.chown(cluster.data_dir, "postgres", "postgres")
    try:
        _as_server_user(
            [
                str(bin_dir / "initdb"), "-D", str(cluster.data_dir), "-U", SUPERUSER,
                "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
            ]
        )  # fmt: skip
        options = (
            f"-p {cluster.port} -k {cluster.socket_dir} -c listen_addresses='' "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=60"
        )
        _as_server_user(
            [
                str(bin_dir / "pg_ctl"), "-D", str(cluster.data_dir), "-o", options,
                "-l", str(cluster.data_dir / "server.log"), "-w", "-t", "60", "start",
            ]
        )  # fmt: skip
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return cluster
