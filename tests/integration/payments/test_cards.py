"""Cards: keyed at the counter (when enabled) and on the patient's phone through checkout.

Every class of PayMongo test card: paid, each decline code, 3DS passed and failed, declined
before and after authentication. A decline never records a tender nor issues an invoice.
"""

from __future__ import annotations

import logging

import httpx
import pytest

from pos_app.domain.attempt import AttemptState
from pos_app.domain.bill import BillStatus
from pos_app.domain.tender import TenderMethod
from pos_app.services.collect import CollectService
from pos_app.services.collect.inputs import CardDetails
from pos_app.storage import Database
from pos_sandbox.server import SandboxServer
from tests.integration.collect.conftest import patient_pays
from tests.integration.payments.conftest import bill_now, pending_bills

DECLINES = {
    "4200000000000018": "card_expired",
    "4300000000000017": "cvc_invalid",
    "4400000000000016": "generic_decline",
    "4028220000001457": "generic_decline",
    "4500000000000015": "fraudulent",
    "5100000000000198": "insufficient_funds",
    "5240460000001466": "insufficient_funds",
    "5200000000000197": "processor_blocked",
    "5300000000000196": "lost_card",
    "5483530000001462": "lost_card",
    "5400000000000195": "stolen_card",
    "5500000000000194": "processor_unavailable",
    "4600000000000014": "blocked",
}
PAID_AT_ONCE = ["4343434343434345", "5555444444444457", "4009930000001421", "5123000000000001"]
THREE_DS = "4120000000000007"
DECLINED_BEFORE_AUTH = "4230000000000004"
DECLINED_AFTER_AUTH = "5234000000000106"


def _card(number: str) -> CardDetails:
    return CardDetails(number=number, exp_month=12, exp_year=2030, cvc="123")


def _nothing_recorded(database: Database, bill_id: int) -> None:
    with database.unit_of_work(read_only=True) as uow:
        assert uow.tenders.list_for_bill(bill_id) == []
        assert uow.invoices.get_for_bill(bill_id) is None
    assert bill_now(database, bill_id).status is BillStatus.PENDING


@pytest.mark.parametrize("number", PAID_AT_ONCE)
def test_keyed_card_paid_at_once(keyed: CollectService, database: Database, number: str) -> None:
    bill = pending_bills(database)[0]
    update = keyed.start_keyed_card(bill.id, bill.balance, _card(number))
    assert update.attempt.state is AttemptState.SUCCEEDED
    assert update.settlement is not None
    assert update.settlement.tenders[-1].method is TenderMethod.CARD


@pytest.mark.parametrize(("number", "code"), sorted(DECLINES.items()))
def test_keyed_card_declined_with_a_reason_for_the_patient(
    keyed: CollectService, database: Database, number: str, code: str
) -> None:
    bill = pending_bills(database)[0]
    update = keyed.start_keyed_card(bill.id, bill.balance, _card(number))
    assert update.attempt.state is AttemptState.FAILED
    assert update.attempt.failure_code == code
    assert update.message.startswith("The bank declined the card: ")  # PayMongo's words: the log
    assert update.message.endswith("Ask for another card or another way to pay.")
    assert number not in update.message
    _nothing_recorded(database, bill.id)
    # the patient offers another card: a new attempt is allowed at once
    retry = keyed.start_keyed_card(bill.id, bill.balance, _card("4343434343434345"))
    assert retry.settlement is not None


@pytest.mark.parametrize(
    ("number", "authorize", "outcome"),
    [
        (THREE_DS, True, AttemptState.SUCCEEDED),
        (THREE_DS, False, AttemptState.FAILED),
        (DECLINED_AFTER_AUTH, True, AttemptState.FAILED),
    ],
)
def test_keyed_card_3ds_page_on_the_patients_phone(
    keyed: CollectService,
    database: Database,
    number: str,
    authorize: bool,
    outcome: AttemptState,
) -> None:
    bill = pending_bills(database)[0]
    update = keyed.start_keyed_card(bill.id, bill.balance, _card(number))
    assert update.attempt.state is AttemptState.AWAITING_PAYMENT
    assert update.display is not None
    assert update.display.qr_text == update.display.url
    assert update.display.url is not None
    httpx.post(update.display.url, data={"action": "authorize" if authorize else "fail"})
    after = keyed.refresh(update.attempt.id)
    assert after.attempt.state is outcome
    if outcome is AttemptState.SUCCEEDED:
        assert after.settlement is not None
    else:
        _nothing_recorded(database, bill.id)


def test_keyed_card_declined_before_authentication(
    keyed: CollectService, database: Database
) -> None:
    bill = pending_bills(database)[0]
    update = keyed.start_keyed_card(bill.id, bill.balance, _card(DECLINED_BEFORE_AUTH))
    assert update.attempt.state is AttemptState.FAILED
    assert update.attempt.failure_code == "generic_decline"
    _nothing_recorded(database, bill.id)


def test_keyed_card_number_is_never_stored_nor_logged(
    keyed: CollectService, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    bill = pending_bills(database)[0]
    number = "4343434343434345"
    caplog.set_level(logging.DEBUG)
    keyed.start_keyed_card(bill.id, bill.balance, _card(number))
    declined = pending_bills(database)[0]
    keyed.start_keyed_card(declined.id, declined.balance, _card("4400000000000016"))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert number not in logged
    assert "4400000000000016" not in logged
    with database.unit_of_work(read_only=True) as uow:
        connection = uow.session.connection().connection.dbapi_connection
        assert connection is not None
        dump = "\n".join(connection.iterdump())
    assert number not in dump
    assert number[-8:] not in dump


def _checkout_card_form(url: str, number: str) -> httpx.Response:
    """The patient types a card on the hosted checkout page and presses Pay."""
    return httpx.post(
        url,
        data={
            "action": "authorize",
            "method": "card",
            "card_number": number,
            "exp_month": "12",
            "exp_year": "2030",
            "cvc": "123",
        },
    )


def _start_checkout(collect: CollectService, database: Database) -> tuple[int, str, str]:
    bill = pending_bills(database)[0]
    update = collect.start(bill.id, TenderMethod.CHECKOUT, bill.balance)
    assert update.attempt.state is AttemptState.AWAITING_PAYMENT
    assert update.display is not None
    assert update.display.url is not None
    assert update.display.qr_text == update.display.url
    return bill.id, update.attempt.id, update.display.url


@pytest.mark.parametrize(("number", "code"), sorted(DECLINES.items()))
def test_checkout_card_declined_then_another_card_pays(
    collect: CollectService, database: Database, number: str, code: str
) -> None:
    bill_id, attempt_id, url = _start_checkout(collect, database)
    declined = _checkout_card_form(url, number)
    assert code in declined.text
    still = collect.refresh(attempt_id)
    assert still.attempt.state is AttemptState.AWAITING_PAYMENT  # the page stays open
    _nothing_recorded(database, bill_id)
    assert _checkout_card_form(url, "4343434343434345").status_code == 200
    paid = collect.refresh(attempt_id)
    assert paid.attempt.state is AttemptState.SUCCEEDED
    assert paid.settlement is not None
    assert len(paid.settlement.tenders) == 1


def test_checkout_session_carries_the_bill(
    collect: CollectService, database: Database, fresh: SandboxServer
) -> None:
    bill = pending_bills(database)[0]
    update = collect.start(bill.id, TenderMethod.CHECKOUT, bill.balance)
    wire = fresh.paymongo.get(update.attempt.paymongo_ids["checkout"])
    attributes = wire.get("data", wire)["attributes"]
    assert attributes["reference_number"] == bill.number
    items = attributes["line_items"]
    assert [item["name"] for item in items] == [line.description for line in bill.lines]
    assert sum(item["amount"] * item["quantity"] for item in items) == bill.balance.centavos


def test_checkout_failed_on_the_page_leaves_the_bill_unpaid(
    collect: CollectService, database: Database
) -> None:
    bill_id, attempt_id, url = _start_checkout(collect, database)
    patient_pays(url, authorize=False)
    assert collect.refresh(attempt_id).attempt.is_open
    _nothing_recorded(database, bill_id)
