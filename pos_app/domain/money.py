"""Money: a non-negative amount of Philippine pesos held as whole centavos.

``float`` never holds money. Text typed by a receptionist goes through ``Money.parse``, which is
exact (no float on the way) and refuses anything it cannot read with certainty, raising an
``AmountError`` whose message says how to type it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from pos_app.domain.errors import AmountError

__all__ = ["MAX_PARSE_CENTAVOS", "Money"]

# Far above any dental bill, and low enough that a slip of the finger ("15000000") is caught.
MAX_PARSE_CENTAVOS = 10_000_000_00  # ₱10,000,000.00

# Either plain digits or digits grouped by commas in threes, then at most two decimals.
# [0-9] not \d: \d would also accept Arabic-Indic and other Unicode digits.
# Compiled on first use (re caches them): this module loads before the window is first drawn.
_AMOUNT_PATTERN = r"(?P<whole>[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.(?P<frac>[0-9]{1,2}))?"
_TOO_MANY_DECIMALS = r"[0-9,]{1,30}\.[0-9]{3,8}"
_CURRENCY_PREFIXES = ("₱", "PHP", "Php", "php", "P")
_MAX_INPUT_LENGTH = 40

_TYPE_IT_LIKE = "That amount doesn't look right. Type it like 1,500.00."


@dataclass(frozen=True, slots=True, order=True)
class Money:
    """An amount in centavos, never negative. ``Money(150000)`` is ₱1,500.00."""

    centavos: int

    ZERO: ClassVar[Money]

    def __post_init__(self) -> None:
        # bool is an int subclass; True centavos is always a bug.
        if isinstance(self.centavos, bool) or not isinstance(self.centavos, int):
            raise TypeError(
                f"Money needs whole centavos as int, got {type(self.centavos).__name__}"
            )
        if self.centavos < 0:
            raise AmountError(
                "An amount can't be less than zero. Please check the figures.",
                detail=f"negative amount: {self.centavos} centavos",
            )

    # --- construction -------------------------------------------------------------------------

    @classmethod
    def of_pesos(cls, pesos: int) -> Money:
        """Whole pesos: ``Money.of_pesos(1500)`` is ₱1,500.00."""
        if isinstance(pesos, bool) or not isinstance(pesos, int):
            raise TypeError(f"of_pesos needs an int, got {type(pesos).__name__}")
        return cls(pesos * 100)

    @classmethod
    def parse(cls, text: str) -> Money:
        """Read an amount as typed: "1,500.00", "1500", "1500.5", "₱1,500.00", " 1500 ".

        Raises ``AmountError`` for anything else: floats passed as numbers, negatives, more than
        two decimals, misplaced commas, letters, empty text, or more than ``MAX_PARSE_CENTAVOS``.
        """
        if not isinstance(text, str):
            raise AmountError(_TYPE_IT_LIKE, detail=f"expected text, got {type(text).__name__}")
        cleaned = _strip_currency(text.strip())
        if not cleaned:
            raise AmountError("Please type an amount, like 1,500.00.", detail="empty amount")
        if cleaned.startswith("-"):
            raise AmountError(
                "An amount can't be less than zero. Type it without the minus sign, like 1,500.00.",
                detail="negative amount typed",
            )
        match = (
            re.fullmatch(_AMOUNT_PATTERN, cleaned) if len(cleaned) <= _MAX_INPUT_LENGTH else None
        )
        if match is None:
            raise _unreadable(cleaned, text)
        whole = int(match["whole"].replace(",", ""))
        fraction = (match["frac"] or "").ljust(2, "0")
        centavos = whole * 100 + int(fraction)
        if centavos > MAX_PARSE_CENTAVOS:
            raise AmountError(
                f"That amount is too large (more than {cls(MAX_PARSE_CENTAVOS)}). "
                "Please check the number of zeros.",
                detail=f"amount above maximum: {centavos} centavos",
            )
        return cls(centavos)

    # --- arithmetic ---------------------------------------------------------------------------

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.centavos + other.centavos)

    def __sub__(self, other: Money) -> Money:
        """Raises ``AmountError`` if the result would be negative; see ``minus_floor_zero``."""
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.centavos - other.centavos)

    def __mul__(self, factor: int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int):
            return NotImplemented
        return Money(self.centavos * factor)

    __rmul__ = __mul__

    def minus_floor_zero(self, other: Money) -> Money:
        """``self - other``, or zero if ``other`` is larger (e.g. a balance after overpayment)."""
        return Money(max(0, self.centavos - other.centavos))

    def __bool__(self) -> bool:
        return self.centavos != 0

    @property
    def is_zero(self) -> bool:
        return self.centavos == 0

    @staticmethod
    def total(amounts: Iterable[Money]) -> Money:
        """Sum of ``amounts``; ``Money.ZERO`` for none (built-in ``sum`` would start from int 0)."""
        return Money(sum(amount.centavos for amount in amounts))

    def allocate(self, ratios: Sequence[int]) -> list[Money]:
        """Split into parts proportional to ``ratios`` without losing a centavo.

        Each part is rounded down, then the centavos left over go one each to the parts with the
        largest remainders (ties to the earlier part), so the parts always add up to ``self``.
        """
        if not ratios:
            raise ValueError("allocate needs at least one ratio")
        if any(isinstance(r, bool) or not isinstance(r, int) or r < 0 for r in ratios):
            raise ValueError("ratios must be non-negative ints")
        ratio_total = sum(ratios)
        if ratio_total == 0:
            raise ValueError("at least one ratio must be above zero")
        shares = [divmod(self.centavos * ratio, ratio_total) for ratio in ratios]
        parts = [quotient for quotient, _ in shares]
        leftover = self.centavos - sum(parts)
        by_remainder = sorted(range(len(shares)), key=lambda i: (-shares[i][1], i))
        for index in by_remainder[:leftover]:
            parts[index] += 1
        return [Money(part) for part in parts]

    # --- text ---------------------------------------------------------------------------------

    def format(self) -> str:
        """For people: "₱1,500.00"."""
        pesos, centavos = divmod(self.centavos, 100)
        return f"₱{pesos:,}.{centavos:02d}"

    def __str__(self) -> str:
        return self.format()

    def to_decimal_str(self) -> str:
        """For APIs and files: "1500.00" (no symbol, no grouping)."""
        pesos, centavos = divmod(self.centavos, 100)
        return f"{pesos}.{centavos:02d}"


Money.ZERO = Money(0)


def _strip_currency(text: str) -> str:
    for prefix in _CURRENCY_PREFIXES:
        if text.startswith(prefix):
            return text[len(prefix) :].strip()
    return text


def _unreadable(cleaned: str, text: str) -> AmountError:
    """The error for text that is not an amount, with the most helpful hint we can give."""
    detail = f"unreadable amount {text[:_MAX_INPUT_LENGTH]!r}"
    if re.fullmatch(_TOO_MANY_DECIMALS, cleaned):
        return AmountError(
            "Centavos only go two places after the point. Type it like 1,500.50.", detail=detail
        )
    return AmountError(_TYPE_IT_LIKE, detail=detail)
