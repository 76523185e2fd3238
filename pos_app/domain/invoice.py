"""Invoices: the BIR sales document, numbered per terminal with no gaps and no reuse."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from pos_app.domain.money import Money

__all__ = ["Invoice", "InvoiceSeries", "format_invoice_number"]

_SEQUENCE_DIGITS = 6
_CODE_PATTERN = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")


def format_invoice_number(prefix: str, terminal_id: str, sequence: int) -> str:
    """ "MAIN", "01", 123 -> "MAIN-01-000123" (sequence padded to six digits, wider if needed)."""
    for name, code in (("prefix", prefix), ("terminal_id", terminal_id)):
        if not _CODE_PATTERN.fullmatch(code):
            raise ValueError(f"{name} must be letters and digits (dashes between), got {code!r}")
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 1:
        raise ValueError(f"sequence must be an int from 1, got {sequence!r}")
    return f"{prefix.upper()}-{terminal_id.upper()}-{sequence:0{_SEQUENCE_DIGITS}d}"


@dataclass(frozen=True)
class Invoice:
    """An issued invoice. ``number`` is ``format_invoice_number(prefix, terminal_id, sequence)``."""

    number: str
    terminal_id: str
    sequence: int
    bill_id: int
    issued_at: datetime
    total: Money


@dataclass(frozen=True)
class InvoiceSeries:
    """One terminal's numbering, e.g. sales "MAIN" or voids "VOID". Storage keeps ``last_sequence``
    and must take the next number in the same transaction that settles the bill.
    """

    prefix: str
    terminal_id: str
    last_sequence: int = 0

    def issue(self, *, bill_id: int, total: Money, at: datetime) -> tuple[InvoiceSeries, Invoice]:
        """The next invoice, and the series advanced past it."""
        sequence = self.last_sequence + 1
        invoice = Invoice(
            number=format_invoice_number(self.prefix, self.terminal_id, sequence),
            terminal_id=self.terminal_id,
            sequence=sequence,
            bill_id=bill_id,
            issued_at=at,
            total=total,
        )
        advanced = InvoiceSeries(self.prefix, self.terminal_id, sequence)
        return advanced, invoice
