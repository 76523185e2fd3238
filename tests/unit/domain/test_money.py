"""Money: exact parsing, formatting and arithmetic over int centavos."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.errors import AmountError, UserFacingError
from pos_app.domain.money import MAX_PARSE_CENTAVOS, Money

centavos = st.integers(min_value=0, max_value=MAX_PARSE_CENTAVOS)
any_centavos = st.integers(min_value=0, max_value=10**15)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,500.00", 150000),
        ("1500", 150000),
        ("1500.5", 150050),
        ("₱1,500.00", 150000),
        (" 1500 ", 150000),
        ("0", 0),
        ("0.01", 1),
        ("1,234,567.89", 123456789),
        ("PHP 20", 2000),
        ("₱ 20.05", 2005),
        ("P1,000", 100000),
        ("\u00a01500\u00a0", 150000),
    ],
)
def test_parse_reads_what_a_receptionist_types(text: str, expected: int) -> None:
    assert Money.parse(text) == Money(expected)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "1.234",  # three decimals
        "1,50.00",  # misplaced comma
        "15,00",
        "1,5000",
        ",100",
        "100,",
        "1500.",
        ".50",
        "1e3",
        "nan",
        "inf",
        "1 500",
        "１５００",  # full-width digits
        "١٢٣",  # Arabic-Indic digits
        "₱",
        "--5",
        "99999999999",
        "1" * 5000,  # beyond int()'s digit limit: must still be a plain AmountError
    ],
)
def test_parse_refuses_garbage_with_a_receptionist_message(text: str) -> None:
    with pytest.raises(AmountError) as caught:
        Money.parse(text)
    assert caught.value.user_message
    assert "Traceback" not in caught.value.user_message
    assert isinstance(caught.value, UserFacingError)


@pytest.mark.parametrize("text", ["-1", "-1,500.00", "₱-5", "-₱5", " -0.01"])
def test_parse_refuses_negative_amounts(text: str) -> None:
    with pytest.raises(AmountError, match="less than zero"):
        Money.parse(text)


def test_too_many_decimals_gets_its_own_hint() -> None:
    with pytest.raises(AmountError, match="two places"):
        Money.parse("1,500.505")


@given(
    st.integers(min_value=0, max_value=MAX_PARSE_CENTAVOS // 100 - 1),
    st.integers(min_value=0, max_value=99),
    st.booleans(),
    st.sampled_from(["", "₱", "₱ ", "PHP ", "P"]),
    st.sampled_from(["none", "one", "two"]),
    st.sampled_from(["", " ", "  "]),
)
def test_parse_reads_every_well_formed_spelling_exactly(
    pesos: int, centavos: int, grouped: bool, symbol: str, decimals: str, padding: str
) -> None:
    whole = f"{pesos:,}" if grouped else str(pesos)
    if decimals == "none":
        text, expected = whole, pesos * 100
    elif decimals == "one":
        text, expected = f"{whole}.{centavos // 10}", pesos * 100 + (centavos // 10) * 10
    else:
        text, expected = f"{whole}.{centavos:02d}", pesos * 100 + centavos
    assert Money.parse(f"{padding}{symbol}{text}{padding}") == Money(expected)


def test_parse_refuses_a_float_passed_instead_of_text() -> None:
    with pytest.raises(AmountError) as caught:
        Money.parse(15.5)  # type: ignore[arg-type]
    assert caught.value.user_message == "That amount doesn't look right. Type it like 1,500.00."


def test_the_standard_message_says_how_to_type_it() -> None:
    with pytest.raises(AmountError) as caught:
        Money.parse("fifteen hundred")
    assert caught.value.user_message == "That amount doesn't look right. Type it like 1,500.00."


@pytest.mark.parametrize("bad", [1.5, 100.0, True, False, "100", None])
def test_constructor_refuses_anything_but_int(bad: object) -> None:
    with pytest.raises(TypeError):
        Money(bad)  # type: ignore[arg-type]


def test_constructor_refuses_negative_centavos() -> None:
    with pytest.raises(AmountError):
        Money(-1)


def test_amount_error_is_also_a_value_error() -> None:
    with pytest.raises(ValueError, match="less than zero"):
        Money(-5)


@given(any_centavos)
def test_format_then_parse_round_trips(amount: int) -> None:
    money = Money(amount)
    if amount <= MAX_PARSE_CENTAVOS:
        assert Money.parse(money.format()) == money
        assert Money.parse(money.to_decimal_str()) == money
    assert str(money) == money.format()


@given(centavos)
def test_to_decimal_str_has_two_decimals_and_no_grouping(amount: int) -> None:
    text = Money(amount).to_decimal_str()
    whole, fraction = text.split(".")
    assert len(fraction) == 2
    assert "," not in text
    assert int(whole) * 100 + int(fraction) == amount


@given(st.text(max_size=60))
def test_parse_of_any_text_gives_money_or_amount_error_only(text: str) -> None:
    try:
        result = Money.parse(text)
    except AmountError as error:
        message = error.user_message
    else:
        message = "parsed"
        assert 0 <= result.centavos <= MAX_PARSE_CENTAVOS
    assert message


@given(st.from_regex(r"\A[ ₱P0-9,.\-]{0,20}\Z"))
def test_parse_of_amount_like_text_gives_money_or_amount_error_only(text: str) -> None:
    with contextlib.suppress(AmountError):
        Money.parse(text)


def test_format_examples() -> None:
    assert Money(150000).format() == "₱1,500.00"
    assert Money(5).format() == "₱0.05"
    assert Money(0).format() == "₱0.00"
    assert Money(123456789).format() == "₱1,234,567.89"
    assert Money(150050).to_decimal_str() == "1500.50"


def test_of_pesos_and_zero() -> None:
    assert Money.of_pesos(1500) == Money(150000)
    assert Money(0) == Money.ZERO
    assert Money.ZERO.is_zero
    assert not Money.ZERO
    assert Money(1)
    with pytest.raises(TypeError):
        Money.of_pesos(1.5)  # type: ignore[arg-type]


@given(any_centavos, any_centavos)
def test_add_and_subtract(a: int, b: int) -> None:
    big, small = Money(max(a, b)), Money(min(a, b))
    assert (big - small) + small == big
    assert Money(a) + Money(b) == Money(a + b)
    assert big.minus_floor_zero(small) == big - small
    assert small.minus_floor_zero(big) == Money.ZERO


def test_subtracting_more_than_there_is_raises_amount_error() -> None:
    with pytest.raises(AmountError):
        Money(100) - Money(101)


def test_multiply_by_int_only() -> None:
    assert Money(250) * 3 == Money(750)
    assert 3 * Money(250) == Money(750)
    with pytest.raises(TypeError):
        Money(250) * 1.5  # type: ignore[operator]
    with pytest.raises(AmountError):
        Money(250) * -1


def test_ordering_and_total() -> None:
    assert Money(1) < Money(2)
    assert max(Money(5), Money(3)) == Money(5)
    assert Money.total([Money(1), Money(2), Money(3)]) == Money(6)
    assert Money.total([]) == Money.ZERO


@given(any_centavos, st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=12))
def test_allocate_never_loses_a_centavo(amount: int, ratios: list[int]) -> None:
    if sum(ratios) == 0:
        ratios = [*ratios, 1]
    parts = Money(amount).allocate(ratios)
    assert len(parts) == len(ratios)
    assert Money.total(parts) == Money(amount)
    total_ratio = sum(ratios)
    for part, ratio in zip(parts, ratios, strict=True):
        exact = amount * ratio / total_ratio
        assert abs(part.centavos - exact) < 1
        if ratio == 0:
            assert part.is_zero


def test_allocate_examples() -> None:
    assert Money(100).allocate([1, 1, 1]) == [Money(34), Money(33), Money(33)]
    assert Money(5).allocate([1, 1]) == [Money(3), Money(2)]
    assert Money(1000).allocate([3, 1]) == [Money(750), Money(250)]


@pytest.mark.parametrize("ratios", [[], [0, 0], [-1, 2], [1.5]])
def test_allocate_refuses_bad_ratios(ratios: list[int]) -> None:
    with pytest.raises(ValueError):
        Money(100).allocate(ratios)
