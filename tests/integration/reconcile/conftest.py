"""The collect fixtures (database with demo bills, sandbox, CollectService) plus a reconciler."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pos_app.services.collect import CollectService
from pos_app.services.reconcile.service import ReconcileService
from pos_app.storage import Database
from pos_sandbox.server import SandboxServer
from tests.integration.collect.conftest import (
    SandboxTimeClock,
    collect,
    database,
    fresh,
    make_client,
    sandbox,
)

__all__ = ["collect", "database", "fresh", "sandbox"]


@pytest.fixture
def reconciler(
    database: Database, collect: CollectService, fresh: SandboxServer
) -> Iterator[ReconcileService]:
    with make_client(fresh) as client:
        yield ReconcileService(database, client, collect, SandboxTimeClock(fresh), "01")
