"""E-wallets through payment intents, card checkout on the phone, keyed cards and walk-in bills."""

from __future__ import annotations

import httpx
import pytest

from pos_app.domain.attempt import AttemptState
from pos_app.domain.bill import BillStatus
from pos_app.domain.errors import UserFacingError
from pos_app.domain.money import Money
from pos_app.domain.tender import TenderMethod
from pos_app.services.collect import CollectService, CounterIdentity
from pos_app.services.collect.inputs import CardDetails
from pos_app.storage import Database
from pos_sandbox.server import SandboxServer
from tests.integration.collect.conftest import SandboxTimeClock, make_client, patient_pays


def _open_bill(database: Database, index: int = 0) -> tuple[int, Money]:
    with database.unit_of_work(read_only=True) as uow:
        bills = list(uow.bills.list_queue(BillStatus.PENDING, 50))
    return bills[index].id, bills[index].balance


@pytest.mark.parametrize(
    "method",
    [TenderMethod.GCASH, TenderMethod.PAYMAYA, TenderMethod.GRAB_PAY, TenderMethod.SHOPEE_PAY],
)
def test_ewallet_redirect_shown_as_qr_and_paid_on_the_phone(
    collect: CollectService, database: Database, method: TenderMethod
) -> None:
    bill_id, balance = _open_bill(database)
    update = collect.start(bill_id, method, balance)
    assert update.attempt.state is AttemptState.AWAITING_PAYMENT
    assert update.display is not None
    assert update.display.qr_text is not None
    assert update.display.url == update.display.qr_text
    patient_pays(update.display.url)
    paid = collect.refresh(update.attempt.id)
    assert paid.settlement is not None
    assert paid.settlement.tenders[-1].method is method


def test_card_checkout_on_the_phone(
    collect: CollectService, database: Database, fresh: SandboxServer
) -> None:
    bill_id, balance = _open_bill(database)
    update = collect.start(bill_id, TenderMethod.CHECKOUT, balance)
    assert update.display is not None
    assert update.display.url is not None
    session_id = update.attempt.paymongo_ids["checkout"]
    wire = fresh.paymongo.get(session_id)
    session = wire.get("data", wire)["attributes"]
    assert session["reference_number"] is not None
    assert sum(i["amount"] * i["quantity"] for i in session["line_items"]) == balance.centavos
    answer = httpx.post(
        update.display.url,
        data={
            "action": "authorize",
            "method": "card",
            "card_number": "4343434343434345",
            "exp_month": "12",
            "exp_year": "2030",
            "cvc": "123",
        },
    )
    assert answer.status_code == 200, answer.text
    paid = collect.refresh(update.attempt.id)
    assert paid.attempt.state is AttemptState.SUCCEEDED
    assert paid.settlement is not None


def test_checkout_cancel_expires_the_session(collect: CollectService, database: Database) -> None:
    bill_id, balance = _open_bill(database)
    update = collect.start(bill_id, TenderMethod.CHECKOUT, balance)
    assert collect.cancel(update.attempt.id).attempt.state is AttemptState.CANCELLED


@pytest.fixture
def keyed(database: Database, fresh: SandboxServer) -> CollectService:
    return CollectService(
        database,
        make_client(fresh),
        SandboxTimeClock(fresh),
        CounterIdentity("01", "MAIN", "Test Clinic", keyed_card_enabled=True),
    )


def _card(number: str) -> CardDetails:
    return CardDetails(number=number, exp_month=12, exp_year=2030, cvc="123")


def test_keyed_card_is_off_unless_the_clinic_turns_it_on(
    collect: CollectService, database: Database
) -> None:
    bill_id, balance = _open_bill(database)
    with pytest.raises(UserFacingError, match="turned off"):
        collect.start_keyed_card(bill_id, balance, _card("4343434343434345"))


def test_keyed_card_paid(keyed: CollectService, database: Database) -> None:
    bill_id, balance = _open_bill(database)
    update = keyed.start_keyed_card(bill_id, balance, _card("4343434343434345"))
    assert update.attempt.state is AttemptState.SUCCEEDED
    assert update.settlement is not None
    assert "4343" not in repr(_card("4343434343434345"))[:-4]


@pytest.mark.parametrize(
    ("number", "code"),
    [("4400000000000016", "generic_decline"), ("5100000000000198", "insufficient_funds")],
)
def test_keyed_card_declined(
    keyed: CollectService, database: Database, number: str, code: str
) -> None:
    bill_id, balance = _open_bill(database)
    update = keyed.start_keyed_card(bill_id, balance, _card(number))
    assert update.attempt.state is AttemptState.FAILED
    assert update.attempt.failure_code == code
    assert update.message.startswith("The bank declined the card")  # PayMongo's words: the log
    assert "Ask for another card" in update.message


@pytest.mark.parametrize("authorize", [True, False])
def test_keyed_card_3ds(keyed: CollectService, database: Database, authorize: bool) -> None:
    bill_id, balance = _open_bill(database)
    update = keyed.start_keyed_card(bill_id, balance, _card("4120000000000007"))
    assert update.attempt.state is AttemptState.AWAITING_PAYMENT
    assert update.display is not None
    assert update.display.url is not None
    patient_pays(update.display.url, authorize=authorize)
    after = keyed.refresh(update.attempt.id)
    assert after.attempt.state is (AttemptState.SUCCEEDED if authorize else AttemptState.FAILED)


def test_walk_in_bill_then_cash(collect: CollectService) -> None:
    bill = collect.open_walk_in(
        "Juan  Dela Cruz", [("Consultation", 1, Money(500_00)), ("X-ray", 2, Money(450_00))]
    )
    assert bill.amount_due == Money(1_400_00)
    assert bill.patient.full_name == "Juan Dela Cruz"
    result = collect.pay_cash(bill.id, bill.balance, Money(2_000_00))
    assert result.settlement is not None
    assert result.change_due == Money(600_00)
    with pytest.raises(UserFacingError):
        collect.open_walk_in("   ", [("Consultation", 1, Money(500_00))])
