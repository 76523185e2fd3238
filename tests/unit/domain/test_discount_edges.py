"""Discount edges: a VAT rate other than 12%, the percent bounds, half-up rounding at .5, and
which single discount wins when the savings are a centavo apart."""

from __future__ import annotations

import pytest

from pos_app.domain.discount import (
    DiscountKind,
    VatStatus,
    best_discount,
    no_discount,
    senior_pwd_discount,
)
from pos_app.domain.money import Money


def test_a_ten_percent_vat_rate_is_used_not_twelve() -> None:
    result = senior_pwd_discount(Money(110_000), VatStatus.VAT, vat_percent=10)
    assert result.vat_exempt_sale == Money(100_000)
    assert result.vat_removed == Money(10_000)
    assert result.discount == Money(20_000)
    assert result.due == Money(80_000)


def test_best_discount_passes_the_vat_rate_through() -> None:
    applied = best_discount(Money(110_000), VatStatus.VAT, None, vat_percent=10)
    assert applied.kind is DiscountKind.SENIOR
    assert applied.result == senior_pwd_discount(Money(110_000), VatStatus.VAT, vat_percent=10)
    assert applied.result.due == Money(80_000)


def test_best_discount_passes_the_rate_through() -> None:
    applied = best_discount(
        Money(112_000), VatStatus.VAT, None, kind=DiscountKind.PWD, rate_percent=5
    )
    assert applied.kind is DiscountKind.PWD
    assert applied.result.discount == Money(5_000)
    assert applied.result.due == Money(95_000)


def test_a_zero_vat_rate_removes_nothing() -> None:
    result = senior_pwd_discount(Money(10_000), VatStatus.VAT, vat_percent=0)
    assert result.vat_removed == Money.ZERO
    assert result.due == Money(8_000)


def test_the_non_vat_clinic_ignores_the_vat_rate() -> None:
    result = senior_pwd_discount(Money(10_000), VatStatus.NON_VAT, vat_percent=10)
    assert result.vat_exempt_sale == Money(10_000)
    assert result.vat_removed == Money.ZERO
    assert result.due == Money(8_000)


@pytest.mark.parametrize("value", [0, 100])
def test_zero_and_a_hundred_percent_are_allowed(value: int) -> None:
    senior_pwd_discount(Money(100), VatStatus.VAT, rate_percent=value, vat_percent=value)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("rate_percent", {"rate_percent": -1}),
        ("rate_percent", {"rate_percent": 101}),
        ("rate_percent", {"rate_percent": True}),
        ("vat_percent", {"vat_percent": -1}),
        ("vat_percent", {"vat_percent": 101}),
        ("vat_percent", {"vat_percent": 12.0}),
    ],
)
def test_percents_outside_nought_to_a_hundred_are_refused(
    name: str, kwargs: dict[str, object]
) -> None:
    value = next(iter(kwargs.values()))
    with pytest.raises(ValueError) as caught:
        senior_pwd_discount(Money(100), VatStatus.VAT, **kwargs)  # type: ignore[arg-type]
    assert str(caught.value) == f"{name} must be a whole percent from 0 to 100, got {value!r}"


def test_half_a_centavo_rounds_up_and_less_rounds_down() -> None:
    # 20% of 2.5 centavos is 0.5: up to 1; 20% of 2 centavos is 0.4: down to 0.
    assert senior_pwd_discount(Money(5), VatStatus.NON_VAT, rate_percent=10).discount == Money(1)
    assert senior_pwd_discount(Money(2), VatStatus.NON_VAT).discount == Money(0)
    assert senior_pwd_discount(Money(3), VatStatus.NON_VAT).discount == Money(1)


def test_a_promo_one_centavo_better_wins_and_a_tie_stays_statutory() -> None:
    gross = Money(10_000)  # non-VAT: the senior discount saves 2,000 centavos
    assert best_discount(gross, VatStatus.NON_VAT, Money(2_001)).kind is DiscountKind.PROMO
    assert best_discount(gross, VatStatus.NON_VAT, Money(2_000)).kind is DiscountKind.SENIOR
    assert best_discount(gross, VatStatus.NON_VAT, Money(1_999)).kind is DiscountKind.SENIOR


def test_a_zero_promo_is_no_promo() -> None:
    applied = best_discount(Money(10_000), VatStatus.VAT, Money.ZERO, kind=DiscountKind.NONE)
    assert applied.kind is DiscountKind.NONE
    assert applied.result == no_discount(Money(10_000))


def test_full_price_figures_are_spelled_out() -> None:
    result = no_discount(Money(10_000))
    assert result.gross == Money(10_000)
    assert result.vat_exempt_sale == Money.ZERO
    assert result.vat_removed == Money.ZERO
    assert result.discount == Money.ZERO
    assert result.due == Money(10_000)
    assert result.savings == Money.ZERO


def test_no_senior_id_takes_the_promo_as_it_is() -> None:
    applied = best_discount(Money(10_000), VatStatus.VAT, Money(500), kind=DiscountKind.NONE)
    assert applied.kind is DiscountKind.PROMO
    assert applied.result.gross == Money(10_000)
    assert applied.result.discount == Money(500)
    assert applied.result.due == Money(9_500)
    assert applied.result.vat_removed == Money.ZERO
    assert applied.result.vat_exempt_sale == Money.ZERO
    assert applied.result.savings == Money(500)


def test_the_promo_wins_over_a_pwd_discount_under_the_pwd_kind() -> None:
    applied = best_discount(Money(1_000), VatStatus.NON_VAT, Money(900), kind=DiscountKind.PWD)
    assert applied.kind is DiscountKind.PROMO
    assert applied.result.due == Money(100)


def test_only_senior_and_pwd_are_statutory() -> None:
    assert {kind for kind in DiscountKind if kind.is_statutory} == {
        DiscountKind.SENIOR,
        DiscountKind.PWD,
    }


def test_a_promo_kind_is_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="kind is the patient's status: NONE, SENIOR or PWD"):
        best_discount(Money(100), VatStatus.VAT, None, kind=DiscountKind.PROMO)
