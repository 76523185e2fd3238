"""Senior citizen and PWD discount (RA 9994, RA 10754) on dental services.

VAT-registered clinic: remove VAT first (price ÷ 1.12 is the VAT-exempt sale), then take 20% off
that. Non-VAT clinic: 20% off the price. ₱1,120.00 gives ₱800.00 due (VAT) or ₱896.00 (non-VAT).

Rounding: each step rounds half up to the centavo (the VAT-exempt sale, then the discount), and
the last figure is found by subtraction, so ``due + discount + vat_removed == gross`` always holds
exactly. Rates are settings (the clinic's accountant has the last word), hence parameters here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pos_app.domain.money import Money

__all__ = [
    "AppliedDiscount",
    "DiscountKind",
    "DiscountResult",
    "VatStatus",
    "best_discount",
    "no_discount",
    "senior_pwd_discount",
    "vat_breakdown",
]


class VatStatus(StrEnum):
    """The clinic's BIR registration. Closed set."""

    VAT = "vat"  # VAT-registered: prices include 12% VAT
    NON_VAT = "non_vat"  # non-VAT: prices carry no VAT; invoices say not valid for input tax


class DiscountKind(StrEnum):
    """Which discount a bill carries. Closed set; only one ever applies."""

    NONE = "none"  # full price
    SENIOR = "senior"  # senior citizen, RA 9994 (id number recorded)
    PWD = "pwd"  # noqa: S105 -- person with disability, RA 10754 (id number recorded)
    PROMO = "promo"  # the clinic's own promo, when it saves the patient more

    @property
    def is_statutory(self) -> bool:
        """Goes into the separate senior/PWD sales book."""
        return self in {DiscountKind.SENIOR, DiscountKind.PWD}


@dataclass(frozen=True)
class DiscountResult:
    """The figures an invoice shows. ``due + discount + vat_removed == gross``."""

    gross: Money  # the price as billed, VAT included for a VAT clinic
    vat_exempt_sale: Money  # the sale without VAT (equals gross for non-VAT; zero if not exempt)
    vat_removed: Money  # VAT taken off because the sale is exempt
    discount: Money  # the 20% (or the promo)
    due: Money  # what the patient pays

    @property
    def savings(self) -> Money:
        """Everything the patient does not pay: discount plus VAT removed."""
        return self.discount + self.vat_removed


def _percent_half_up(amount: Money, percent_num: int, percent_den: int = 100) -> Money:
    """``amount × percent_num ÷ percent_den``, rounded half up to the centavo, in ints only."""
    numerator = amount.centavos * percent_num
    return Money((2 * numerator + percent_den) // (2 * percent_den))


def _check_percent(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise ValueError(f"{name} must be a whole percent from 0 to 100, got {value!r}")


def senior_pwd_discount(
    gross: Money, vat_status: VatStatus, rate_percent: int = 20, vat_percent: int = 12
) -> DiscountResult:
    """The senior/PWD figures for a service priced ``gross``."""
    _check_percent("rate_percent", rate_percent)
    _check_percent("vat_percent", vat_percent)
    if vat_status is VatStatus.VAT:
        vat_exempt_sale = _percent_half_up(gross, 100, 100 + vat_percent)
    else:
        vat_exempt_sale = gross
    vat_removed = gross - vat_exempt_sale
    discount = _percent_half_up(vat_exempt_sale, rate_percent)
    return DiscountResult(
        gross=gross,
        vat_exempt_sale=vat_exempt_sale,
        vat_removed=vat_removed,
        discount=discount,
        due=vat_exempt_sale - discount,
    )


def no_discount(gross: Money) -> DiscountResult:
    """Full price: nothing exempt, nothing off."""
    return DiscountResult(
        gross=gross,
        vat_exempt_sale=Money.ZERO,
        vat_removed=Money.ZERO,
        discount=Money.ZERO,
        due=gross,
    )


def _promo_discount(gross: Money, promo: Money) -> DiscountResult:
    off = min(promo, gross)
    return DiscountResult(
        gross=gross,
        vat_exempt_sale=Money.ZERO,
        vat_removed=Money.ZERO,
        discount=off,
        due=gross - off,
    )


@dataclass(frozen=True)
class AppliedDiscount:
    """The one discount that applies, and its figures."""

    kind: DiscountKind
    result: DiscountResult


def best_discount(
    gross: Money,
    vat_status: VatStatus,
    promo: Money | None,
    *,
    kind: DiscountKind = DiscountKind.SENIOR,
    rate_percent: int = 20,
    vat_percent: int = 12,
) -> AppliedDiscount:
    """For a senior or PWD (``kind``) with a promo on offer: only one discount, the higher.

    "Higher" is judged by what the patient saves in total, so the VAT exemption counts on the
    senior/PWD side; a tie goes to the statutory discount. ``kind=NONE`` means the patient has no
    senior/PWD id, so only the promo (if any) can apply.
    """
    if kind is DiscountKind.PROMO:
        raise ValueError("kind is the patient's status: NONE, SENIOR or PWD")
    promo_result = _promo_discount(gross, promo) if promo else None
    if kind is DiscountKind.NONE:
        if promo_result is None:
            return AppliedDiscount(DiscountKind.NONE, no_discount(gross))
        return AppliedDiscount(DiscountKind.PROMO, promo_result)
    statutory = senior_pwd_discount(gross, vat_status, rate_percent, vat_percent)
    if promo_result is not None and promo_result.savings > statutory.savings:
        return AppliedDiscount(DiscountKind.PROMO, promo_result)
    return AppliedDiscount(kind, statutory)


def vat_breakdown(vat_inclusive: Money, vat_percent: int) -> tuple[Money, Money]:
    """(VATable sale, VAT) of a VAT-inclusive amount; the sale rounds half up to the centavo.

    ``vat_breakdown(Money(112000), 12)`` is (₱1,000.00, ₱120.00); the two always add up exactly.
    The invoice and the X/Z readings both use it, so their figures agree to the centavo.
    """
    vatable = _percent_half_up(vat_inclusive, 100, 100 + vat_percent)
    return vatable, Money(vat_inclusive.centavos - vatable.centavos)
