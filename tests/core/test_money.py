"""Money and FX rates: exact arithmetic in one currency, dated conversion to another."""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from revops.core import FxRates, Money
from revops.errors import MoneyError

amounts = st.decimals(min_value=-(10**12), max_value=10**12, places=4, allow_nan=False)


def usd(amount: str | int) -> Money:
    return Money(amount, "USD")


# Money


def test_money_is_built_from_a_string_an_int_or_a_decimal() -> None:
    assert Money("12.50", "USD").amount == Decimal("12.50")
    assert Money(12, "USD").amount == Decimal(12)
    assert Money(Decimal("0.1"), "USD").amount == Decimal("0.1")


def test_a_lower_case_currency_is_upper_cased() -> None:
    assert Money(1, "eur").currency == "EUR"
    assert Money(1, "eur") == Money(1, "EUR")


@pytest.mark.parametrize("currency", ["US", "USDX", "U5D", "", "€", 840, None])
def test_a_currency_that_is_not_three_letters_is_refused(currency: object) -> None:
    with pytest.raises(MoneyError, match="three-letter ISO 4217 code"):
        Money(1, currency)  # type: ignore[arg-type]


def test_a_float_amount_is_refused_with_a_hint_to_pass_a_string() -> None:
    with pytest.raises(MoneyError, match=r"float.*pass a string such as '0\.1'"):
        Money(0.1, "USD")  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", ["twelve", "1,234.50", "NaN", "Infinity", True, None])
def test_an_amount_that_is_not_a_finite_number_is_refused(amount: object) -> None:
    with pytest.raises(MoneyError, match="amount"):
        Money(amount, "USD")  # type: ignore[arg-type]


def test_money_is_immutable_and_hashable() -> None:
    price = usd("10.00")
    with pytest.raises(AttributeError):
        price.amount = Decimal(11)  # type: ignore[misc]
    assert {usd("10.00"), usd("10")} == {price}


def test_amounts_of_one_currency_add_and_subtract_exactly() -> None:
    assert usd("0.1") + usd("0.2") == usd("0.3")
    assert usd("10.00") - usd("12.50") == usd("-2.50")
    assert -usd("3") == usd(-3)
    assert abs(usd(-3)) == usd(3)
    assert sum([usd(1), usd(2)], Money.zero("USD")) == usd(3)


@pytest.mark.parametrize(
    ("verb", "operation"),
    [("add", operator.add), ("subtract", operator.sub), ("compare", operator.lt)],
)
def test_amounts_in_two_currencies_do_not_mix(
    verb: str, operation: Callable[[Money, Money], object]
) -> None:
    with pytest.raises(MoneyError, match=rf"cannot {verb} USD and EUR amounts"):
        operation(usd(1), Money(1, "EUR"))


def test_money_multiplies_and_divides_by_a_decimal_or_an_int() -> None:
    assert usd("10.50") * 3 == usd("31.50")
    assert 3 * usd("10.50") == usd("31.50")
    assert usd("10") * Decimal("0.15") == usd("1.5")
    assert usd("10") / 4 == usd("2.5")
    assert usd("10") / Decimal("0.5") == usd(20)


def test_money_refuses_float_factors_and_division_by_zero() -> None:
    with pytest.raises(MoneyError, match="float"):
        usd(10) * 1.5  # type: ignore[operator]
    with pytest.raises(MoneyError, match="by zero"):
        usd(10) / 0


def test_money_does_not_multiply_or_add_with_plain_numbers_or_money() -> None:
    with pytest.raises(TypeError):
        usd(10) * usd(2)  # type: ignore[operator]
    with pytest.raises(TypeError):
        usd(10) + 5  # type: ignore[operator]


def test_amounts_of_one_currency_compare() -> None:
    assert usd("9.99") < usd(10)
    assert usd(10) <= usd("10.00")
    assert usd(11) > usd(10)
    assert usd(10) >= usd(10)
    assert max(usd(3), usd(7), usd(5)) == usd(7)
    assert usd(1) != Money(1, "EUR")


@pytest.mark.parametrize(
    ("amount", "places", "rounded"),
    [
        ("2.345", 2, "2.35"),
        ("2.344", 2, "2.34"),
        ("-2.345", 2, "-2.35"),
        ("0.005", 2, "0.01"),
        ("2.5", 0, "3"),
        ("3.5", 0, "4"),
        ("1.23456", 4, "1.2346"),
        ("7", 2, "7.00"),
    ],
)
def test_rounding_takes_halves_away_from_zero(amount: str, places: int, rounded: str) -> None:
    result = usd(amount).round(places)
    assert result == usd(rounded)
    assert str(result.amount) == rounded


def test_money_prints_with_its_currency_and_thousands_separators() -> None:
    assert str(usd("1234.5")) == "USD 1,234.50"
    assert str(Money("-1234567", "eur")) == "EUR -1,234,567.00"
    assert str(usd("0.125")) == "USD 0.125"
    assert str(Money.zero("GBP")) == "GBP 0.00"


@given(amounts, amounts)
def test_adding_then_subtracting_returns_the_first_amount(a: Decimal, b: Decimal) -> None:
    assert usd(str(a)) + usd(str(b)) - usd(str(b)) == usd(str(a))
    assert usd(str(a)) + usd(str(b)) == usd(str(b)) + usd(str(a))


@given(amounts)
def test_rounding_moves_an_amount_by_at_most_half_a_cent(a: Decimal) -> None:
    rounded = Money(a, "USD").round()
    assert abs(rounded.amount - a) <= Decimal("0.005")
    assert rounded.round() == rounded


# FX rates


@pytest.fixture
def fx() -> FxRates:
    return FxRates(
        "usd",
        [
            ("EUR", date(2024, 1, 1), "1.10"),
            ("EUR", date(2024, 3, 1), Decimal("1.08")),
            ("gbp", date(2024, 2, 1), "1.27"),
            ("EUR", date(2024, 2, 1), "1.09"),
        ],
    )


def test_the_rate_is_the_latest_on_or_before_the_date(fx: FxRates) -> None:
    assert fx.rate("EUR", date(2024, 1, 1)) == Decimal("1.10")
    assert fx.rate("EUR", date(2024, 1, 31)) == Decimal("1.10")
    assert fx.rate("EUR", date(2024, 2, 1)) == Decimal("1.09")
    assert fx.rate("eur", date(2024, 2, 29)) == Decimal("1.09")
    assert fx.rate("EUR", date(2030, 1, 1)) == Decimal("1.08")


def test_the_reporting_currency_converts_at_one_on_any_date(fx: FxRates) -> None:
    assert fx.reporting_currency == "USD"
    assert fx.rate("USD", date(1900, 1, 1)) == 1
    assert fx.convert(usd("12.34"), date(1900, 1, 1)) == usd("12.34")


def test_conversion_keeps_full_precision_in_the_reporting_currency(fx: FxRates) -> None:
    converted = fx.convert(Money("33.333", "EUR"), date(2024, 3, 15))
    assert converted == Money("35.99964", "USD")
    assert converted.round() == usd("36.00")


def test_a_date_before_the_first_rate_names_the_currency_and_the_date(fx: FxRates) -> None:
    with pytest.raises(MoneyError, match=r"no GBP to USD rate on or before 2024-01-31") as err:
        fx.convert(Money(1, "GBP"), date(2024, 1, 31))
    assert "the first GBP rate is from 2024-02-01" in str(err.value)


def test_a_currency_without_rates_names_the_currency_and_the_date(fx: FxRates) -> None:
    with pytest.raises(MoneyError, match=r"no JPY to USD rate on or before 2024-05-01$"):
        fx.rate("JPY", date(2024, 5, 1))


def test_a_datetime_is_looked_up_on_its_utc_date(fx: FxRates) -> None:
    tokyo = timezone(timedelta(hours=9))
    assert fx.rate("EUR", datetime(2024, 2, 1, 8, 0, tzinfo=tokyo)) == Decimal("1.10")
    assert fx.rate("EUR", datetime(2024, 2, 1, 0, 0, tzinfo=UTC)) == Decimal("1.09")


@pytest.mark.parametrize("rate", ["0", "-1.1", 0])
def test_a_rate_that_is_not_positive_is_refused(rate: str | int) -> None:
    with pytest.raises(MoneyError, match="must be positive"):
        FxRates("USD", [("EUR", date(2024, 1, 1), rate)])


def test_a_float_rate_is_refused() -> None:
    with pytest.raises(MoneyError, match="float"):
        FxRates("USD", [("EUR", date(2024, 1, 1), 1.1)])  # type: ignore[list-item]


def test_two_different_rates_for_one_currency_and_day_are_refused() -> None:
    rows = [("EUR", date(2024, 1, 1), "1.10"), ("eur", date(2024, 1, 1), "1.11")]
    with pytest.raises(MoneyError, match=r"two EUR rates on 2024-01-01: 1\.10 and 1\.11"):
        FxRates("USD", rows)


def test_a_repeated_identical_rate_is_accepted() -> None:
    rows = [("EUR", date(2024, 1, 1), "1.10"), ("EUR", date(2024, 1, 1), "1.100")]
    assert FxRates("USD", rows).rate("EUR", date(2024, 6, 1)) == Decimal("1.1")


def test_a_reporting_currency_row_must_have_rate_one() -> None:
    assert FxRates("USD", [("USD", date(2024, 1, 1), 1)]).currencies == frozenset()
    with pytest.raises(MoneyError, match="reporting currency USD has rate 1"):
        FxRates("USD", [("USD", date(2024, 1, 1), "1.01")])
