"""The contract suite's fixtures: each test runs once per server, both over real HTTP.

- sandbox: pos_sandbox's fake clinic (Starlette under uvicorn), fresh state per test;
- django: kaha_clinic's example site under Django's threaded WSGI server, on pytest-django's
  test database (a file, emptied after each test), with a counter user holding the token.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import django
import httpx
import pytest
from django.conf import settings

from kaha_clinic.demo import settings as site_settings
from pos_sandbox.clinic import ClinicState, create_clinic_app
from pos_sandbox.clock import SandboxClock
from pos_sandbox.faults import FaultInjector
from pos_sandbox.requestlog import RequestLog
from tests.contract.backends import ClinicSide, DjangoSide, SandboxSide
from tests.sandbox.clinic.serving import serve_in_thread

if not settings.configured:
    # settings.configure() rather than DJANGO_SETTINGS_MODULE: loading a settings module makes
    # Django set the process's TZ to TIME_ZONE (Asia/Manila), which would shift local time under
    # every other test in the session (the counter's own tests read UTC vs local time).
    settings.configure(
        **{name: value for name, value in vars(site_settings).items() if name.isupper()}
    )
    django.setup()

TOKEN = "tok" + secrets.token_hex(16)


@dataclass
class Served:
    url: str
    state: ClinicState | None


@pytest.fixture(scope="session")
def _sandbox_server() -> Iterator[Served]:
    state = ClinicState()
    clock = SandboxClock()
    app = create_clinic_app(
        state,
        token=TOKEN,
        clock=clock,
        faults=FaultInjector(rng=random.Random(0), clock=clock),
        log=RequestLog(),
    )
    with serve_in_thread(app) as url:
        yield Served(url, state)


@pytest.fixture(scope="session")
def _django_server() -> Iterator[Served]:
    from kaha_clinic.demo.server import serving

    with serving() as url:
        yield Served(url, None)


@dataclass
class Clinic:
    """One server under test: its base URL and the clinic-side controls."""

    url: str
    side: ClinicSide

    @property
    def name(self) -> str:
        return self.side.name


@pytest.fixture(
    params=["sandbox", pytest.param("django", marks=pytest.mark.django_db(transaction=True))]
)
def clinic(request: pytest.FixtureRequest) -> Clinic:
    if request.param == "sandbox":
        served: Served = request.getfixturevalue("_sandbox_server")
        assert served.state is not None
        served.state.reset()
        return Clinic(served.url, SandboxSide(served.state))
    served = request.getfixturevalue("_django_server")
    from kaha_clinic.demo.seed import ensure_counter_token

    ensure_counter_token(TOKEN)
    return Clinic(served.url, DjangoSide())


@pytest.fixture
def api(clinic: Clinic) -> Iterator[httpx.Client]:
    """An httpx client for the server under test that sends the right token."""
    headers = {"Authorization": f"Token {TOKEN}"}
    with httpx.Client(base_url=clinic.url, headers=headers, timeout=10.0) as client:
        yield client
