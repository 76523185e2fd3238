"""Money at its edges: bools that pass for ints, the parse limits, the currency prefixes, and the
exact words a receptionist reads when an amount is refused."""

from __future__ import annotations

import pytest

from pos_app.domain.errors import AmountError
from pos_app.domain.money import MAX_PARSE_CENTAVOS, Money

TYPE_IT_LIKE = "That amount doesn't look right. Type it like 1,500.00."
TOO_LARGE = "That amount is too large (more than ₱10,000,000.00). Please check the number of zeros."


# --- bools are not amounts --------------------------------------------------------------------


def test_of_pesos_refuses_true_so_a_flag_never_becomes_one_peso() -> None:
    with pytest.raises(TypeError, match="of_pesos needs an int, got bool"):
        Money.of_pesos(True)


@pytest.mark.parametrize("bad", [1.0, "1", None])
def test_of_pesos_refuses_anything_but_int(bad: object) -> None:
    with pytest.raises(TypeError):
        Money.of_pesos(bad)  # type: ignore[arg-type]


def test_of_pesos_is_a_hundred_centavos_a_peso() -> None:
    assert Money.of_pesos(0) == Money.ZERO
    assert Money.of_pesos(1) == Money(100)
    assert Money.of_pesos(1500) == Money(150_000)


@pytest.mark.parametrize("flag", [True, False])
def test_multiplying_by_a_bool_is_refused_so_a_flag_never_scales_a_bill(flag: bool) -> None:
    with pytest.raises(TypeError):
        Money(250) * flag
    with pytest.raises(TypeError):
        flag * Money(250)


def test_multiplying_by_an_int_either_side() -> None:
    assert Money(250) * 3 == Money(750)
    assert 3 * Money(250) == Money(750)
    assert Money(250) * 1 == Money(250)
    assert Money(250) * 0 == Money.ZERO
    with pytest.raises(TypeError):
        Money(250) * 1.5  # type: ignore[operator]


def test_the_bool_guard_names_the_type_in_the_log_detail() -> None:
    with pytest.raises(TypeError, match="Money needs whole centavos as int, got bool"):
        Money(True)


# --- the ₱10,000,000.00 limit -----------------------------------------------------------------


def test_the_parse_limit_is_ten_million_pesos() -> None:
    assert MAX_PARSE_CENTAVOS == 1_000_000_000


@pytest.mark.parametrize("text", ["10,000,000.00", "10000000", "₱10,000,000", "9,999,999.99"])
def test_up_to_the_limit_is_accepted(text: str) -> None:
    assert Money.parse(text) <= Money(MAX_PARSE_CENTAVOS)
    assert Money.parse("10,000,000.00") == Money(MAX_PARSE_CENTAVOS)


@pytest.mark.parametrize("text", ["10,000,000.01", "10000000.01", "10000001", "15000000"])
def test_one_centavo_over_the_limit_is_refused_in_plain_words(text: str) -> None:
    with pytest.raises(AmountError) as caught:
        Money.parse(text)
    assert caught.value.user_message == TOO_LARGE


# --- the 40-character input limit --------------------------------------------------------------


def test_forty_characters_are_read() -> None:
    text = "1".zfill(40)
    assert len(text) == 40
    assert Money.parse(text) == Money(100)
    assert Money.parse(f"₱ {text} ") == Money(100)  # prefix and spaces are not counted


def test_forty_one_characters_are_refused_as_unreadable() -> None:
    text = "1".zfill(41)
    with pytest.raises(AmountError) as caught:
        Money.parse(text)
    assert caught.value.user_message == TYPE_IT_LIKE
    assert caught.value.detail == f"unreadable amount {text[:40]!r}"


# --- prefixes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["Php1,500.00", "Php 1500", "PHP1500", "php 1,500", "₱1500", "P1500", " P 1500 "]
)
def test_every_peso_prefix_is_taken_off(text: str) -> None:
    assert Money.parse(text) == Money(150_000)


@pytest.mark.parametrize("text", ["pHP 1500", "USD 1500", "1500 PHP", "$1500"])
def test_other_prefixes_and_suffixes_are_refused(text: str) -> None:
    with pytest.raises(AmountError):
        Money.parse(text)


# --- the messages a receptionist reads ---------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "₱", "Php ", "P"])
def test_empty_amount_asks_for_one(text: str) -> None:
    with pytest.raises(AmountError) as caught:
        Money.parse(text)
    assert caught.value.user_message == "Please type an amount, like 1,500.00."
    assert caught.value.detail == "empty amount"


@pytest.mark.parametrize("text", ["-1", "₱-5", "Php -1,500.00"])
def test_a_minus_sign_is_explained(text: str) -> None:
    with pytest.raises(AmountError) as caught:
        Money.parse(text)
    assert caught.value.user_message == (
        "An amount can't be less than zero. Type it without the minus sign, like 1,500.00."
    )


def test_a_negative_result_is_explained() -> None:
    with pytest.raises(AmountError) as caught:
        Money(100) - Money(101)
    assert caught.value.user_message == (
        "An amount can't be less than zero. Please check the figures."
    )
    assert caught.value.detail == "negative amount: -1 centavos"


@pytest.mark.parametrize("text", ["1.505", "1,500.505", "1" * 30 + ".12345678"])
def test_three_to_eight_decimals_get_the_centavos_hint(text: str) -> None:
    with pytest.raises(AmountError) as caught:
        Money.parse(text)
    assert caught.value.user_message == (
        "Centavos only go two places after the point. Type it like 1,500.50."
    )


@pytest.mark.parametrize("text", ["1.123456789", "1" * 31 + ".123", "abc.123", "1,5.00"])
def test_other_unreadable_text_gets_the_general_hint(text: str) -> None:
    with pytest.raises(AmountError) as caught:
        Money.parse(text)
    assert caught.value.user_message == TYPE_IT_LIKE


def test_text_that_is_not_a_string_gets_the_general_hint() -> None:
    with pytest.raises(AmountError) as caught:
        Money.parse(1500)  # type: ignore[arg-type]
    assert caught.value.user_message == TYPE_IT_LIKE
    assert caught.value.detail == "expected text, got int"


# --- small arithmetic edges ----------------------------------------------------------------------


def test_one_decimal_is_tens_of_centavos() -> None:
    assert Money.parse("0.5") == Money(50)
    assert Money.parse("1,000.05") == Money(100_005)


def test_minus_floor_zero_stops_at_zero() -> None:
    assert Money(5).minus_floor_zero(Money(7)) == Money.ZERO
    assert Money(7).minus_floor_zero(Money(5)) == Money(2)
    assert Money(7).minus_floor_zero(Money(7)) == Money.ZERO


def test_truth_and_zero() -> None:
    assert not Money(0)
    assert Money(1)
    assert Money(0).is_zero
    assert not Money(1).is_zero


def test_adding_or_subtracting_a_non_money_is_refused() -> None:
    with pytest.raises(TypeError):
        Money(1) + 1  # type: ignore[operator]
    with pytest.raises(TypeError):
        Money(1) - 1  # type: ignore[operator]


def test_total_of_nothing_is_zero_money() -> None:
    assert Money.total([]) == Money.ZERO
    assert Money.total([Money(1), Money(2)]) == Money(3)


def test_one_centavo_formats() -> None:
    assert Money(1).format() == "₱0.01"
    assert str(Money(123_456_789)) == "₱1,234,567.89"
    assert Money(1).to_decimal_str() == "0.01"
    assert Money(100_000_010).to_decimal_str() == "1000000.10"


def test_allocate_gives_leftovers_to_the_largest_remainder_then_the_earlier_part() -> None:
    assert Money(1).allocate([1, 1]) == [Money(1), Money(0)]
    assert Money(2).allocate([1, 1, 1]) == [Money(1), Money(1), Money(0)]
    assert Money(10).allocate([1, 2]) == [Money(3), Money(7)]
    assert Money(5).allocate([0, 1]) == [Money(0), Money(5)]


@pytest.mark.parametrize(
    ("ratios", "message"),
    [
        ([], "allocate needs at least one ratio"),
        ([True], "ratios must be non-negative ints"),
        ([1, -1], "ratios must be non-negative ints"),
        ([1.0], "ratios must be non-negative ints"),
        ([0, 0], "at least one ratio must be above zero"),
    ],
)
def test_allocate_refuses_bad_ratios_with_a_reason(ratios: list[int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Money(10).allocate(ratios)
