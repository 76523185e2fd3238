"""X and Z readings as pure computation: a period's sales, payments and refunds in, figures out.

What a reading shows comes from philippines.md ("X and Z readings" and its added section): first
and last invoice, void and refund numbers, gross sales, the senior, PWD and other discounts, the
VAT taken off for senior/PWD sales, net sales split into VATable, VAT, VAT-exempt and zero-rated
(non-VAT sales for a non-VAT clinic), refunds, payments per method and the cash in the drawer.

Identities the figures keep (tests check them on generated days):

- gross = net + senior + PWD + other discounts + VAT taken off (senior/PWD);
- VAT clinic: net = VATable + VAT + VAT-exempt + zero-rated (a senior/PWD sale is VAT-exempt
  as a whole, and counts at what the patient paid); non-VAT clinic: net = non-VAT sales;
- present accumulated grand total = previous + net sales, so it never goes down (refunds are
  shown on their own lines and never subtract from it).

No clock, no storage: the service gathers the facts and passes the times in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from pos_app.domain.discount import DiscountKind, DiscountResult, VatStatus, vat_breakdown
from pos_app.domain.money import Money
from pos_app.domain.tender import TenderMethod

__all__ = [
    "CashCount",
    "PeriodFacts",
    "RefundFact",
    "Sale",
    "SalesFigures",
    "Shift",
    "XReading",
    "ZReading",
    "cash_count",
    "sales_figures",
    "z_reading",
]


@dataclass(frozen=True)
class Sale:
    """One invoice of the period, with the discount its bill carries."""

    invoice_number: str
    sequence: int
    total: Money  # what the invoice says was due (after any discount)
    discount_on_bill: Money  # everything taken off the bill (senior/PWD: 20% plus VAT removed)
    kind: DiscountKind = DiscountKind.NONE  # SENIOR or PWD when the statutory discount applied
    statutory: DiscountResult | None = None  # its figures, when SENIOR or PWD


@dataclass(frozen=True)
class RefundFact:
    """A refund that succeeded in the period."""

    reference: str  # its refund slip number (given back by hand), else the refund's id
    amount: Money
    cash_by_hand: bool = False  # handed over from the drawer: lowers the cash expected


@dataclass(frozen=True)
class PeriodFacts:
    """What happened at one terminal in a period, as read from the database."""

    sales: tuple[Sale, ...] = ()
    payments: tuple[tuple[TenderMethod, Money], ...] = ()  # every tender taken, in order
    refunds: tuple[RefundFact, ...] = ()


@dataclass(frozen=True)
class SalesFigures:
    """The sales part of an X or Z reading."""

    invoice_count: int
    first_invoice: str | None
    last_invoice: str | None
    gross: Money
    senior_discount: Money
    pwd_discount: Money
    other_discount: Money
    vat_taken_off: Money  # VAT removed from senior/PWD sales (they are VAT-exempt)
    net: Money
    vatable: Money
    vat: Money
    vat_exempt: Money
    zero_rated: Money
    non_vat: Money  # a non-VAT clinic's sales
    refund_count: int
    refund_total: Money
    first_refund: str | None
    last_refund: str | None
    payments: tuple[tuple[TenderMethod, Money], ...]  # every method, in TenderMethod's order
    # There are no voids yet: the fields are printed so the reading has every BIR field.
    void_count: int = 0
    void_total: Money = Money.ZERO
    first_void: str | None = None
    last_void: str | None = None
    cash_refunded: Money = Money.ZERO  # refunds handed over in cash from the drawer

    @property
    def cash_in(self) -> Money:
        return dict(self.payments)[TenderMethod.CASH]


@dataclass(frozen=True)
class CashCount:
    """The drawer: float plus cash taken is what should be there; what was counted, if it was."""

    opening_float: Money
    cash_in: Money
    cash_out: Money  # cash paid out of the drawer: refunds handed over in cash
    counted: Money | None  # None until the shift is closed

    @property
    def expected(self) -> Money:
        return (self.opening_float + self.cash_in).minus_floor_zero(self.cash_out)

    @property
    def difference_centavos(self) -> int | None:
        """Counted minus expected: negative when short, positive when over; None if not counted."""
        if self.counted is None:
            return None
        return self.counted.centavos - self.expected.centavos


@dataclass(frozen=True)
class Shift:
    """One cashier's shift at one terminal: opened with a float, closed with the cash counted."""

    id: int
    terminal_id: str
    opened_at: datetime
    opened_by: str
    opening_float: Money
    closed_at: datetime | None = None
    closed_by: str | None = None
    counted: Money | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class XReading:
    """A shift's totals at one moment; resets nothing."""

    terminal_id: str
    shift: Shift
    taken_at: datetime
    taken_by: str
    figures: SalesFigures
    cash: CashCount


@dataclass(frozen=True)
class ZReading:
    """The end of one terminal's day: stored once, printed the same every time."""

    terminal_id: str
    business_date: date
    z_counter: int  # this terminal's Z-readings, this one included
    reset_counter: int  # times the day's totals were reset (one per Z-reading)
    period_start: datetime  # the previous Z-reading's end (or the terminal's first sale)
    period_end: datetime
    taken_at: datetime
    taken_by: str
    figures: SalesFigures
    previous_grand_total: Money
    cash: CashCount
    shift_count: int = 0
    cashiers: tuple[str, ...] = field(default=())

    @property
    def present_grand_total(self) -> Money:
        return self.previous_grand_total + self.figures.net


def sales_figures(
    facts: PeriodFacts, vat_status: VatStatus, *, vat_percent: int = 12
) -> SalesFigures:
    """The period's figures (see the module docstring for the identities they keep)."""
    sales = sorted(facts.sales, key=lambda sale: sale.sequence)
    senior = _discounts(sales, DiscountKind.SENIOR)
    pwd = _discounts(sales, DiscountKind.PWD)
    vat_taken_off = Money.total(s.statutory.vat_removed for s in sales if s.statutory)
    other = Money.total(s.discount_on_bill for s in sales if s.statutory is None)
    net = Money.total(s.total for s in sales)
    vatable, vat, exempt, non_vat = Money.ZERO, Money.ZERO, Money.ZERO, Money.ZERO
    if vat_status is VatStatus.VAT:
        for sale in sales:
            if sale.statutory is not None:
                exempt += sale.total
            else:
                sale_vatable, sale_vat = vat_breakdown(sale.total, vat_percent)
                vatable, vat = vatable + sale_vatable, vat + sale_vat
    else:
        non_vat = net
    refunds = facts.refunds
    return SalesFigures(
        invoice_count=len(sales),
        first_invoice=sales[0].invoice_number if sales else None,
        last_invoice=sales[-1].invoice_number if sales else None,
        gross=net + senior + pwd + other + vat_taken_off,
        senior_discount=senior,
        pwd_discount=pwd,
        other_discount=other,
        vat_taken_off=vat_taken_off,
        net=net,
        vatable=vatable,
        vat=vat,
        vat_exempt=exempt,
        zero_rated=Money.ZERO,  # a clinic sells nothing zero-rated; the line stays on the reading
        non_vat=non_vat,
        refund_count=len(refunds),
        refund_total=Money.total(r.amount for r in refunds),
        first_refund=refunds[0].reference if refunds else None,
        last_refund=refunds[-1].reference if refunds else None,
        payments=_per_method(facts.payments),
        cash_refunded=Money.total(r.amount for r in refunds if r.cash_by_hand),
    )


def cash_count(
    opening_float: Money, figures: SalesFigures, counted: Money | None = None
) -> CashCount:
    return CashCount(opening_float, figures.cash_in, figures.cash_refunded, counted)


def z_reading(
    *,
    terminal_id: str,
    business_date: date,
    z_counter: int,
    period: tuple[datetime, datetime],
    taken: tuple[datetime, str],
    facts: PeriodFacts,
    shifts: Sequence[Shift],
    previous_grand_total: Money,
    vat_status: VatStatus,
    vat_percent: int = 12,
) -> ZReading:
    """The Z-reading of ``facts``, the terminal's sales between ``period`` (start, end), with
    the cash of ``shifts`` (closed in the period). ``taken`` is (when, by whom)."""
    figures = sales_figures(facts, vat_status, vat_percent=vat_percent)
    floats = Money.total(shift.opening_float for shift in shifts)
    counted = Money.total(shift.counted or Money.ZERO for shift in shifts)
    return ZReading(
        terminal_id=terminal_id,
        business_date=business_date,
        z_counter=z_counter,
        reset_counter=z_counter,
        period_start=period[0],
        period_end=period[1],
        taken_at=taken[0],
        taken_by=taken[1],
        figures=figures,
        previous_grand_total=previous_grand_total,
        cash=cash_count(floats, figures, counted),
        shift_count=len(shifts),
        cashiers=_names(shifts),
    )


def _discounts(sales: Iterable[Sale], kind: DiscountKind) -> Money:
    return Money.total(s.statutory.discount for s in sales if s.statutory and s.kind is kind)


def _per_method(
    payments: Iterable[tuple[TenderMethod, Money]],
) -> tuple[tuple[TenderMethod, Money], ...]:
    totals = dict.fromkeys(TenderMethod, Money.ZERO)
    for method, amount in payments:
        totals[method] += amount
    return tuple(totals.items())


def _names(shifts: Iterable[Shift]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for shift in shifts:
        seen[shift.opened_by] = None
        if shift.closed_by:
            seen[shift.closed_by] = None
    return tuple(seen)
