"""One PayMongo payment, two bills: refunds of an overpayment case's payment asked for from the
case's own bill (before its money would be applied: applying is then refused) and from the bill
it was applied to, with refunds made at PayMongo's dashboard meanwhile, in any order, sent or not
yet sent, succeeded or failed, by hand or through PayMongo. Whatever the sequence, the applied
line never offers more than was applied less what went back of it, PayMongo is never asked for
more than the payment, and the patient never gets back more than the payment by both routes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pos_app.domain.attempt import AttemptState, PaymentAttempt
from pos_app.domain.money import Money
from pos_app.domain.refund import Refund, RefundRoute, RefundState
from pos_app.domain.tender import TenderMethod
from pos_app.paymongo.models import Payment, PaymentStatus, RefundReason, RefundStatus
from pos_app.paymongo.models import Refund as WireRefund
from pos_app.paymongo.models.payments import PaymentSource
from pos_app.services.refunds.applied import applied_option
from pos_app.services.refunds.ledger import PaidMoney

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
PAID = int(NOW.timestamp()) - 3600
OWN_BILL, OTHER_BILL = 1, 2
TENDER = 77

# (bill, amount in centavos, through PayMongo?, what happens: "sent", "unsent", "failed")
Step = tuple[int, int, bool, str]
steps = st.lists(
    st.tuples(
        st.sampled_from([OWN_BILL, OTHER_BILL]),
        st.integers(min_value=100, max_value=30_000),
        st.booleans(),
        st.sampled_from(["sent", "unsent", "failed"]),
    ),
    max_size=12,
)


@dataclass
class World:
    """PayMongo's view of the payment and the refunds stored on this counter."""

    amount: int
    applied: int
    at_paymongo: list[WireRefund] = field(default_factory=list)
    stored: list[Refund] = field(default_factory=list)
    applied_yet: bool = False

    def payment(self) -> Payment:
        return Payment(
            id="pay_case",
            amount=self.amount,
            currency="PHP",
            status=PaymentStatus.PAID,
            livemode=False,
            fee=None,
            net_amount=None,
            payment_intent_id="pi_case",
            source=PaymentSource(id="src_1", type="gcash"),
            description=None,
            failed_code=None,
            failed_message=None,
            metadata={},
            refunds=tuple(self.at_paymongo),
            created_at=PAID,
            paid_at=PAID,
        )

    def line(self) -> PaidMoney:
        mine = [
            r for r in self.stored if r.tender_id == TENDER and r.state is not RefundState.FAILED
        ]
        return PaidMoney(
            tender_id=TENDER,
            attempt_id="case",
            method=TenderMethod.GCASH,
            paid=Money(self.applied),
            paid_at=NOW,
            refunded_here=Money.total(r.amount for r in mine),
            refunded_here_api=Money.total(r.amount for r in mine if not r.manual),
            applied=True,
        )

    def paymongo_left(self) -> int:
        """What the real PayMongo would still accept (its own check)."""
        return self.amount - sum(
            r.amount for r in self.at_paymongo if r.status is not RefundStatus.FAILED
        )

    def given_back(self) -> int:
        """What the patient got (or is getting) back of the payment, by both routes."""
        at_paymongo = self.amount - self.paymongo_left()
        by_hand = sum(r.amount.centavos for r in self.stored if r.manual)
        return at_paymongo + self.stored_unsent_api() + by_hand

    def stored_unsent_api(self) -> int:
        return sum(
            r.amount.centavos
            for r in self.stored
            if not r.manual and r.state is RefundState.REQUESTED and r.paymongo_refund_id is None
        )


CASE_ATTEMPT = PaymentAttempt(
    id="case",
    bill_id=OWN_BILL,
    method=TenderMethod.GCASH,
    amount=Money(20_000),
    state=AttemptState.SUCCEEDED,
    idempotency_keys={},
    paymongo_ids={"intent": "pi_case"},
    created_at=NOW,
    updated_at=NOW,
)


def _refund(bill: int, amount: int, api: bool, n: int) -> Refund:
    refund = Refund.new(
        bill_id=bill,
        attempt_id="case",
        amount=Money(amount),
        reason="others",
        requested_by="Bea Staff",
        approved_by=None,
        manual=not api,
        at=NOW,
        paymongo_payment_id="pay_case" if api else None,
        tender_id=TENDER if bill == OTHER_BILL else None,
    )
    return replace(refund, id=f"r{n}", idempotency_key=f"k{n}")


def _wire(refund: Refund, status: RefundStatus) -> WireRefund:
    return WireRefund(
        id=f"ref_{refund.id}",
        amount=refund.amount.centavos,
        currency="PHP",
        payment_id="pay_case",
        reason=RefundReason.OTHERS,
        status=status,
        livemode=False,
        notes=None,
        metadata={},
        created_at=PAID,
        refunded_at=None,
    )


def _record(world: World, refund: Refund, what: str) -> None:
    """Store the refund; "sent": PayMongo has it pending, "failed": PayMongo failed it,
    "unsent": written ahead, PayMongo has not seen it yet."""
    if refund.manual:
        world.stored.append(refund.advance(RefundState.SUCCEEDED))
        return
    if what == "unsent":
        world.stored.append(refund)
        return
    status = RefundStatus.FAILED if what == "failed" else RefundStatus.PENDING
    wire = _wire(refund, status)
    state = RefundState.FAILED if what == "failed" else RefundState.PENDING
    world.stored.append(refund.advance(state, paymongo_refund_id=wire.id))
    world.at_paymongo.append(wire)


def _own_bill_step(world: World, amount: int, api: bool, what: str, n: int) -> None:
    """Before applying: the case line on its own bill (PayMongo's own cap), by hand or through
    PayMongo. After: a refund made at PayMongo's dashboard, which Kaha never stored."""
    if world.applied_yet:
        if api and amount <= world.paymongo_left() - world.stored_unsent_api():
            world.at_paymongo.append(
                _wire(_refund(OWN_BILL, amount, True, n), RefundStatus.PENDING)
            )
        return
    if amount > world.amount - world.given_back():
        return
    _record(world, _refund(OWN_BILL, amount, api, n), what)


def _other_bill_step(world: World, amount: int, api: bool, what: str, n: int) -> None:
    """The applied line: what the service offers is what may be asked for, by either route."""
    stored = [r for r in world.stored if r.paymongo_payment_id == "pay_case"]
    option = applied_option(world.line(), CASE_ATTEMPT, world.payment(), stored, NOW)
    left_here = world.applied - world.line().refunded_here.centavos
    assert option.refundable.centavos <= left_here
    assert option.refundable.centavos <= world.paymongo_left() - world.stored_unsent_api()
    if amount > option.refundable.centavos:
        return
    if api and option.route is RefundRoute.THROUGH_PAYMONGO:
        _record(world, _refund(OTHER_BILL, amount, True, n), what)
    elif not api:
        _record(world, _refund(OTHER_BILL, amount, False, n), what)


def _own_bill_refunded(world: World) -> bool:
    """Applying is refused once any of the case's money went back from its own bill."""
    return any(r.bill_id == OWN_BILL and r.state is not RefundState.FAILED for r in world.stored)


@settings(max_examples=300, deadline=None)
@example(  # by hand, then a refund in PayMongo's dashboard: nothing more goes back
    before_apply=[],
    after_apply=[
        (OTHER_BILL, 19_344, False, "sent"),
        (OWN_BILL, 657, True, "sent"),
        (OTHER_BILL, 100, False, "sent"),
    ],
    applied=19_344,
)
@given(
    before_apply=steps,
    after_apply=steps,
    applied=st.integers(min_value=100, max_value=20_000),
)
def test_one_payment_is_never_refunded_beyond_its_amount_across_both_bills(
    before_apply: list[Step], after_apply: list[Step], applied: int
) -> None:
    world = World(amount=20_000, applied=applied)
    for n, (bill, amount, api, what) in enumerate(before_apply + after_apply):
        if n == len(before_apply) and _own_bill_refunded(world):
            break  # OverpaymentService.apply_to_bill refuses: nothing reaches the other bill
        world.applied_yet = n >= len(before_apply)
        before = world.given_back()
        if bill == OWN_BILL:
            _own_bill_step(world, amount, api, what, n)
        elif world.applied_yet:
            _other_bill_step(world, amount, api, what, n)
        if not (world.applied_yet and bill == OWN_BILL):  # Kaha's own refunds (not the dashboard)
            # Kaha never gives the patient back more than they paid (a refund in PayMongo's
            # dashboard may, and Kaha then gives nothing more)
            assert world.given_back() == before or world.given_back() <= world.amount
        # PayMongo never holds, nor is ever asked for, more than the payment
        assert world.paymongo_left() - world.stored_unsent_api() >= 0
        on_other_bill = world.line().refunded_here.centavos
        assert on_other_bill <= world.applied
