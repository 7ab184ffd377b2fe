"""Money: exact amounts in one currency, and dated conversion to a reporting currency.

Amounts are :class:`~decimal.Decimal`, never float: a float cannot hold 0.1 exactly, and
revenue numbers must add up to the cent. Amounts in different currencies never mix; convert
them first with :class:`FxRates`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from revops.core.period import to_date
from revops.errors import CalendarError, MoneyError

__all__ = ["FxRates", "Money"]

Number = Decimal | int | str

_CURRENCY = re.compile(r"[A-Za-z]{3}")


def _decimal(value: object, what: str) -> Decimal:
    """`value` as a finite Decimal; floats are refused so that no binary rounding slips in."""
    if isinstance(value, float):
        raise MoneyError(
            f"{what} {value!r} is a float, which cannot hold cents exactly; "
            f"pass a string such as '{value}' or a Decimal"
        )
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise MoneyError(f"{what} must be a Decimal, int or str, got {type(value).__name__}")
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise MoneyError(f"{what} {value!r} is not a number") from exc
    if not number.is_finite():
        raise MoneyError(f"{what} must be a finite number, got {value!r}")
    return number


def _currency(code: object) -> str:
    """`code` as an upper-case ISO 4217 code."""
    if not isinstance(code, str) or not _CURRENCY.fullmatch(code):
        raise MoneyError(f"currency must be a three-letter ISO 4217 code, got {code!r}")
    return code.upper()


@dataclass(frozen=True, init=False)
class Money:
    """An exact amount in one currency.

    Args:
        amount: a Decimal, int or str; a float raises :class:`MoneyError`.
        currency: an ISO 4217 code such as ``USD``; lower case is accepted.

    Raises:
        MoneyError: the amount is a float or not a finite number, or the currency is not a
            three-letter code.

    Examples:
        >>> price = Money("1234.5", "usd")
        >>> str(price), str(price * 2), str(-price)
        ('USD 1,234.50', 'USD 2,469.00', 'USD -1,234.50')
        >>> (price + Money(10, "USD")).amount
        Decimal('1244.5')
        >>> price + Money(10, "EUR")
        Traceback (most recent call last):
        ...
        revops.errors.MoneyError: cannot add USD and EUR amounts; convert them to one currency first
    """

    amount: Decimal
    currency: str

    def __init__(self, amount: Number, currency: str) -> None:
        object.__setattr__(self, "amount", _decimal(amount, "amount"))
        object.__setattr__(self, "currency", _currency(currency))

    @classmethod
    def zero(cls, currency: str) -> Money:
        """No money in `currency`: the start of a sum."""
        return cls(Decimal(0), currency)

    def _same_currency(self, other: Money, doing: str) -> None:
        if other.currency != self.currency:
            raise MoneyError(
                f"cannot {doing} {self.currency} and {other.currency} amounts; "
                "convert them to one currency first"
            )

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "add")
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "subtract")
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, Money):
            return NotImplemented
        return Money(self.amount * _decimal(factor, "factor"), self.currency)

    __rmul__ = __mul__

    def __truediv__(self, divisor: Decimal | int) -> Money:
        if isinstance(divisor, Money):
            return NotImplemented
        number = _decimal(divisor, "divisor")
        if not number:
            raise MoneyError(f"cannot divide {self} by zero")
        return Money(self.amount / number, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def _compare(self, other: object, doing: str) -> tuple[Decimal, Decimal] | None:
        if not isinstance(other, Money):
            return None
        self._same_currency(other, doing)
        return self.amount, other.amount

    def __lt__(self, other: Money) -> bool:
        pair = self._compare(other, "compare")
        return NotImplemented if pair is None else pair[0] < pair[1]

    def __le__(self, other: Money) -> bool:
        pair = self._compare(other, "compare")
        return NotImplemented if pair is None else pair[0] <= pair[1]

    def __gt__(self, other: Money) -> bool:
        pair = self._compare(other, "compare")
        return NotImplemented if pair is None else pair[0] > pair[1]

    def __ge__(self, other: Money) -> bool:
        pair = self._compare(other, "compare")
        return NotImplemented if pair is None else pair[0] >= pair[1]

    def round(self, places: int = 2) -> Money:
        """The amount rounded to `places` decimals, halves away from zero.

        Examples:
            >>> Money("2.345", "EUR").round().amount, Money("-2.345", "EUR").round().amount
            (Decimal('2.35'), Decimal('-2.35'))
            >>> Money("1234.5", "JPY").round(0).amount
            Decimal('1235')
        """
        try:
            amount = self.amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        except InvalidOperation as exc:
            raise MoneyError(f"cannot round {self.amount} to {places} places") from exc
        return Money(amount, self.currency)

    def __str__(self) -> str:
        # At least cents, and every decimal the amount holds: a string never hides precision.
        exponent = self.amount.as_tuple().exponent
        places = max(2, -exponent) if isinstance(exponent, int) else 2
        return f"{self.currency} {self.amount:,.{places}f}"


class FxRates:
    """Dated exchange rates into one reporting currency.

    Args:
        reporting_currency: the currency every amount is converted to.
        rows: ``(currency, valid_from, rate)`` rows, where `rate` is the number of units of
            the reporting currency that one unit of `currency` buys from `valid_from` on
            (until the next row of that currency).

    Raises:
        MoneyError: a rate is not positive, a float, or for the reporting currency and not 1;
            or two rows give different rates for the same currency and day.

    Examples:
        >>> fx = FxRates("USD", [
        ...     ("EUR", date(2024, 1, 1), "1.10"),
        ...     ("EUR", date(2024, 2, 1), "1.08"),
        ... ])
        >>> fx.rate("EUR", date(2024, 1, 31)), fx.rate("EUR", date(2024, 6, 1))
        (Decimal('1.10'), Decimal('1.08'))
        >>> str(fx.convert(Money("100", "EUR"), date(2024, 2, 1)))
        'USD 108.00'
        >>> fx.rate("EUR", date(2023, 12, 31))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        revops.errors.MoneyError: no EUR to USD rate on or before 2023-12-31; the first ...
    """

    def __init__(
        self, reporting_currency: str, rows: Iterable[tuple[str, date, Number]] = ()
    ) -> None:
        self._reporting = _currency(reporting_currency)
        by_currency: dict[str, dict[date, Decimal]] = {}
        for currency, valid_from, rate in rows:
            code = _currency(currency)
            day = _day(valid_from)
            value = _decimal(rate, f"{code} rate on {day}")
            if value <= 0:
                raise MoneyError(f"{code} rate on {day} must be positive, got {value}")
            if code == self._reporting:
                if value != 1:
                    raise MoneyError(f"the reporting currency {code} has rate 1, not {value}")
                continue
            known = by_currency.setdefault(code, {})
            if known.get(day, value) != value:
                raise MoneyError(f"two {code} rates on {day}: {known[day]} and {value}")
            known[day] = value
        self._days = {code: sorted(rates) for code, rates in by_currency.items()}
        self._rates = {
            code: [rates[d] for d in self._days[code]] for code, rates in by_currency.items()
        }

    @property
    def reporting_currency(self) -> str:
        """The currency that :meth:`convert` returns."""
        return self._reporting

    @property
    def currencies(self) -> frozenset[str]:
        """The currencies that have at least one rate, besides the reporting currency."""
        return frozenset(self._days)

    def rate(self, currency: str, on: date | datetime) -> Decimal:
        """Units of the reporting currency per unit of `currency` on `on`.

        The latest rate whose ``valid_from`` is on or before `on`; 1 for the reporting
        currency itself.

        Raises:
            MoneyError: `currency` has no rate on or before `on`.
        """
        code, day = _currency(currency), _day(on)
        if code == self._reporting:
            return Decimal(1)
        days = self._days.get(code, [])
        position = bisect_right(days, day)
        if position == 0:
            since = f"; the first {code} rate is from {days[0]}" if days else ""
            raise MoneyError(f"no {code} to {self._reporting} rate on or before {day}{since}")
        return self._rates[code][position - 1]

    def convert(self, money: Money, on: date | datetime) -> Money:
        """`money` in the reporting currency at the rate of `on`, unrounded.

        Raises:
            MoneyError: the currency of `money` has no rate on or before `on`.
        """
        return Money(money.amount * self.rate(money.currency, on), self._reporting)

    def __repr__(self) -> str:
        counts = ", ".join(f"{code}: {len(days)}" for code, days in sorted(self._days.items()))
        return f"FxRates({self._reporting!r}, rates={{{counts}}})"


def _day(value: date | datetime) -> date:
    try:
        return to_date(value)
    except CalendarError as exc:
        raise MoneyError(str(exc)) from exc
