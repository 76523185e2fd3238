"""After paying by e-wallet or card checkout the patient's phone lands on a page that says what
happened (issue 15 item 9): the counter as the app wires it in sandbox mode, the patient played by
the test pressing the hosted test page's buttons and following its "Return to merchant" link."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pos_app.app import build_services
from pos_app.config import Secrets, load_settings
from pos_app.domain.bill import Bill, BillStatus
from pos_app.domain.tender import TenderMethod
from pos_app.services.collect.finished import (
    CLINIC_PAGE,
    PAYMONGO_SITE,
    SANDBOX_PAGE,
    payment_finished_url,
    return_address,
    with_outcome,
)
from pos_app.services.counter import PaymentBackend

_BACK_LINK = re.compile(r"href='([^']+)'>Return to merchant")


@pytest.fixture
def counter(tmp_path: Path) -> Iterator[tuple[PaymentBackend, Bill]]:
    """The counter in sandbox mode, wired as the app wires it, and a bill from the clinic."""
    settings = load_settings(
        {"POS_APP_DATA_DIR": str(tmp_path / "data"), "POS_APP_CONFIG_DIR": str(tmp_path / "c")}
    )
    services = build_services(settings, Secrets())
    try:
        started = services.start_payment_backend()
        assert started.clinic is not None
        started.clinic.run()
        with services.database.unit_of_work(read_only=True) as uow:
            bill = next(b for b in uow.bills.list_queue(BillStatus.PENDING, 50) if b.balance)
        yield started, bill
    finally:
        services.shutdown()


def _phone_pays_then_goes_back(url: str, *, authorize: bool) -> tuple[str, httpx.Response]:
    """The patient's phone: the test page's button, then the link PayMongo sends it back by."""
    action = {"action": "authorize" if authorize else "fail"}
    done = httpx.post(url, data=action, timeout=10)
    done.raise_for_status()
    found = _BACK_LINK.search(done.text)
    assert found is not None, done.text
    back = found.group(1).replace("&amp;", "&")
    return back, httpx.get(back, timeout=10)


def test_after_an_ewallet_the_phone_lands_on_the_sandboxs_page_not_an_error(
    counter: tuple[PaymentBackend, Bill],
) -> None:
    backend, bill = counter
    update = backend.collect.start(bill.id, TenderMethod.GCASH, bill.balance)
    assert update.display is not None
    assert update.display.url is not None
    back, page = _phone_pays_then_goes_back(update.display.url, authorize=True)
    assert back.startswith(backend.paymongo_url + SANDBOX_PAGE)
    assert "kaha.invalid" not in back
    assert page.status_code == 200
    assert "<h1>Payment finished</h1>" in page.text
    assert "screen shows the result" in page.text


@pytest.mark.parametrize(
    ("authorize", "said"),
    [(True, "Payment sent"), (False, "Payment not completed")],
)
def test_a_gcash_source_sends_the_phone_to_a_page_that_says_how_it_ended(
    counter: tuple[PaymentBackend, Bill], authorize: bool, said: str
) -> None:
    backend, bill = counter
    update = backend.collect.start_source(bill.id, TenderMethod.GCASH, bill.balance)
    assert update.display is not None
    assert update.display.url is not None
    back, page = _phone_pays_then_goes_back(update.display.url, authorize=authorize)
    assert back.endswith("outcome=" + ("paid" if authorize else "failed"))
    assert page.status_code == 200
    assert f"<h1>{said}</h1>" in page.text


def test_card_checkout_sends_the_phone_to_the_page_with_its_outcome(
    counter: tuple[PaymentBackend, Bill],
) -> None:
    backend, bill = counter
    update = backend.collect.start(bill.id, TenderMethod.CHECKOUT, bill.balance)
    assert update.display is not None
    assert update.display.url is not None
    done = httpx.post(update.display.url, data={"action": "authorize", "method": "card"})
    done.raise_for_status()
    found = _BACK_LINK.search(done.text)
    assert found is not None, done.text
    page = httpx.get(found.group(1).replace("&amp;", "&"), timeout=10)
    assert page.status_code == 200
    assert "<h1>Payment sent</h1>" in page.text


def test_the_page_is_the_setting_then_the_sandbox_then_the_clinic_server() -> None:
    sandbox, clinic = "http://127.0.0.1:9/", "https://records.clinic.example"
    mine = "https://clinic.example/paid?lang=fil"
    assert payment_finished_url(mine, sandbox_url=sandbox, clinic_url=clinic) == mine
    assert payment_finished_url("", sandbox_url=sandbox, clinic_url=clinic) == (
        "http://127.0.0.1:9" + SANDBOX_PAGE
    )
    assert payment_finished_url("", sandbox_url=None, clinic_url=clinic) == clinic + CLINIC_PAGE
    assert payment_finished_url("", sandbox_url=None, clinic_url=None) is None
    # no page at all: card checkout keeps PayMongo's own result page, e-wallets need an address
    assert with_outcome(None, "paid") is None
    assert return_address(None) == PAYMONGO_SITE
    assert with_outcome(mine, "failed") == "https://clinic.example/paid?lang=fil&outcome=failed"
