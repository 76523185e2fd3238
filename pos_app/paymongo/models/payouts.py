"""PayMongo payouts (fact sheet section 19): what reached the clinic's bank, and its deductions.

The payout resource is documented only in outline (docs.paymongo.com/reference/payout-resources,
[L-M]): ``po_`` ids, ``amount`` (gross), ``fee``, ``refund_amount``, ``dispute_amount``,
``adjustment_amount``, ``tax_amount`` and ``taxes[]``, ``net_amount``, ``status`` and the bank
transfer's ``last_payout_transfer.reference_number``. Fields that may be missing are read as 0 or
None, so a leaner answer still parses. Amounts are int centavos, times unix seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from pos_app.paymongo.models._fields import Fields, resource


@dataclass(frozen=True, slots=True)
class PayoutTax:
    """One line of ``taxes[]``; the 2% withholding on fees comes back as one of these."""

    type: str
    name: str
    amount: int

    @classmethod
    def from_json(cls, data: object, where: str) -> PayoutTax:
        f = Fields(data, where)
        return cls(
            type=f.opt_text("type") or "",
            name=f.opt_text("name") or "",
            amount=f.opt_integer("amount") or 0,
        )


@dataclass(frozen=True, slots=True)
class Payout:
    id: str
    status: str  # e.g. "pending", "in_transit", "deposited"; kept as text: the set is not published
    currency: str
    amount: int  # gross: the payments in it
    fee: int
    refund_amount: int
    dispute_amount: int
    adjustment_amount: int
    tax_amount: int  # withholding on fees credited back (shown by PayMongo as taxes[])
    net_amount: int
    taxes: tuple[PayoutTax, ...]
    reference_number: str | None  # the bank transfer's reference
    livemode: bool
    created_at: int
    payout_date: int | None

    @classmethod
    def from_json(cls, data: object, where: str = "payout") -> Payout:
        payout_id, f = resource(data, where, "payout")
        transfer = f.opt_obj("last_payout_transfer")
        return cls(
            id=payout_id,
            status=f.opt_text("status") or "unknown",
            currency=f.opt_text("currency") or "PHP",
            amount=f.integer("amount"),
            fee=f.opt_integer("fee") or 0,
            refund_amount=f.opt_integer("refund_amount") or 0,
            dispute_amount=f.opt_integer("dispute_amount") or 0,
            adjustment_amount=f.opt_integer("adjustment_amount") or 0,
            tax_amount=f.opt_integer("tax_amount") or 0,
            net_amount=f.integer("net_amount"),
            taxes=f.items("taxes", PayoutTax.from_json, optional=True),
            reference_number=None if transfer is None else transfer.opt_text("reference_number"),
            livemode=f.flag("livemode", default=False),
            created_at=f.integer("created_at"),
            payout_date=f.opt_integer("payout_date"),
        )
