"""Printing a refund slip: ``ReceiptService`` does it, through its one output path."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from pos_app.printing.refund_slip import RefundSlip


class SlipPrinter(Protocol):
    """``ReceiptService`` as refunds use it (blocks on the printer or the disk)."""

    def print_refund_slip(self, slip: RefundSlip, bill_id: int) -> str: ...
