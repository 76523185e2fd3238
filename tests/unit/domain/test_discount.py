"""Senior/PWD discount: the philippines.md examples exactly, and no centavo lost for any price."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.discount import (
    DiscountKind,
    VatStatus,
    best_discount,
    no_discount,
    senior_pwd_discount,
)
from pos_app.domain.money import Money

prices = st.integers(min_value=0, max_value=10**11).map(Money)
percents = st.integers(min_value=0, max_value=100)


def test_vat_clinic_example_from_philippines_md() -> None:
    result = senior_pwd_discount(Money.parse("1,120.00"), VatStatus.VAT)
    assert result.vat_exempt_sale == Money.parse("1,000.00")
    assert result.vat_removed == Money.parse("120.00")
    assert result.discount == Money.parse("200.00")
    assert result.due == Money.parse("800.00")


def test_non_vat_clinic_example_from_philippines_md() -> None:
    result = senior_pwd_discount(Money.parse("1,120.00"), VatStatus.NON_VAT)
    assert result.discount == Money.parse("224.00")
    assert result.due == Money.parse("896.00")
    assert result.vat_removed == Money.ZERO
    assert result.vat_exempt_sale == Money.parse("1,120.00")


@pytest.mark.parametrize(
    ("gross", "exempt", "discount", "due"),
    [
        # 1.00 / 1.12 = 0.892857.. -> 0.89; 20% of 0.89 = 0.178 -> 0.18
        ("1.00", "0.89", "0.18", "0.71"),
        # 0.05 / 1.12 = 0.0446.. -> 0.04; 20% of 0.04 = 0.008 -> 0.01
        ("0.05", "0.04", "0.01", "0.03"),
        # 0.28 / 1.12 = 0.25 exactly; 20% = 0.05
        ("0.28", "0.25", "0.05", "0.20"),
        # 0.42 / 1.12 = 0.375 -> half up 0.38; 20% of 0.38 = 0.076 -> 0.08
        ("0.42", "0.38", "0.08", "0.30"),
    ],
)
def test_vat_rounding_is_half_up_per_step(gross: str, exempt: str, discount: str, due: str) -> None:
    result = senior_pwd_discount(Money.parse(gross), VatStatus.VAT)
    assert result.vat_exempt_sale == Money.parse(exempt)
    assert result.discount == Money.parse(discount)
    assert result.due == Money.parse(due)


def test_non_vat_discount_rounds_half_up() -> None:
    # 20% of 0.03 = 0.006 -> 0.01; 20% of 0.02 = 0.004 -> 0.00
    assert senior_pwd_discount(Money(3), VatStatus.NON_VAT).discount == Money(1)
    assert senior_pwd_discount(Money(2), VatStatus.NON_VAT).discount == Money(0)
    # 20% of 0.25 is exactly 0.05
    assert senior_pwd_discount(Money(25), VatStatus.NON_VAT).discount == Money(5)


@given(prices, st.sampled_from(list(VatStatus)), percents, percents)
def test_parts_always_sum_to_gross(
    gross: Money, vat_status: VatStatus, rate: int, vat: int
) -> None:
    result = senior_pwd_discount(gross, vat_status, rate_percent=rate, vat_percent=vat)
    assert result.due + result.discount + result.vat_removed == gross
    assert result.gross == gross
    assert result.savings == result.discount + result.vat_removed
    assert result.due <= gross


@given(prices)
def test_vat_clinic_parts_are_within_a_centavo_of_the_exact_figures(gross: Money) -> None:
    result = senior_pwd_discount(gross, VatStatus.VAT)
    exact_exempt = gross.centavos * 100 / 112
    assert abs(result.vat_exempt_sale.centavos - exact_exempt) <= 0.5 + 1e-9 * gross.centavos
    exact_discount = result.vat_exempt_sale.centavos * 0.2
    assert abs(result.discount.centavos - exact_discount) <= 0.5 + 1e-9 * gross.centavos


@given(prices)
def test_non_vat_due_is_eighty_percent_rounded(gross: Money) -> None:
    result = senior_pwd_discount(gross, VatStatus.NON_VAT)
    assert abs(result.due.centavos - gross.centavos * 0.8) <= 0.5 + 1e-9 * gross.centavos


@pytest.mark.parametrize("bad", [-1, 101, True])
def test_rates_must_be_whole_percents(bad: int) -> None:
    with pytest.raises(ValueError):
        senior_pwd_discount(Money(100), VatStatus.VAT, rate_percent=bad)
    with pytest.raises(ValueError):
        senior_pwd_discount(Money(100), VatStatus.VAT, vat_percent=bad)


def test_best_discount_keeps_senior_when_it_saves_more() -> None:
    gross = Money.parse("1,120.00")
    # Senior saves 320.00 in total (120 VAT + 200 discount); a 250.00 promo saves less.
    applied = best_discount(gross, VatStatus.VAT, Money.parse("250.00"))
    assert applied.kind is DiscountKind.SENIOR
    assert applied.result.due == Money.parse("800.00")


def test_best_discount_takes_promo_when_it_saves_more() -> None:
    gross = Money.parse("1,120.00")
    applied = best_discount(gross, VatStatus.NON_VAT, Money.parse("300.00"), kind=DiscountKind.PWD)
    assert applied.kind is DiscountKind.PROMO
    assert applied.result.discount == Money.parse("300.00")
    assert applied.result.due == Money.parse("820.00")


def test_best_discount_tie_goes_to_the_statutory_discount() -> None:
    applied = best_discount(Money.parse("1,120.00"), VatStatus.NON_VAT, Money.parse("224.00"))
    assert applied.kind is DiscountKind.SENIOR
    assert applied.kind.is_statutory


def test_best_discount_without_promo_or_id() -> None:
    gross = Money.parse("500.00")
    assert best_discount(gross, VatStatus.VAT, None).kind is DiscountKind.SENIOR
    plain = best_discount(gross, VatStatus.VAT, None, kind=DiscountKind.NONE)
    assert plain.kind is DiscountKind.NONE
    assert plain.result == no_discount(gross)
    promo_only = best_discount(gross, VatStatus.VAT, Money.parse("50.00"), kind=DiscountKind.NONE)
    assert promo_only.kind is DiscountKind.PROMO
    assert promo_only.result.due == Money.parse("450.00")


def test_a_promo_larger_than_the_bill_leaves_nothing_due_not_a_negative() -> None:
    applied = best_discount(Money(1000), VatStatus.NON_VAT, Money(5000), kind=DiscountKind.NONE)
    assert applied.result.due == Money.ZERO
    assert applied.result.discount == Money(1000)


def test_kind_promo_is_not_a_patient_status() -> None:
    with pytest.raises(ValueError):
        best_discount(Money(1000), VatStatus.VAT, None, kind=DiscountKind.PROMO)


@given(
    prices,
    st.sampled_from(list(VatStatus)),
    st.none() | prices,
    st.sampled_from([DiscountKind.NONE, DiscountKind.SENIOR, DiscountKind.PWD]),
)
def test_best_discount_is_one_discount_whose_parts_sum_to_gross(
    gross: Money, vat_status: VatStatus, promo: Money | None, kind: DiscountKind
) -> None:
    applied = best_discount(gross, vat_status, promo, kind=kind)
    result = applied.result
    assert result.due + result.discount + result.vat_removed == gross
    statutory = senior_pwd_discount(gross, vat_status)
    if kind is not DiscountKind.NONE:
        assert result.savings >= statutory.savings
    if promo is not None and kind is not DiscountKind.NONE:
        assert result.savings >= min(promo, gross)
