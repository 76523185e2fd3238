"""ESC/POS bytes for thermal receipt printers, and sending them to the printer.

The peso sign: the code pages thermal printers carry (PC437, PC850, PC858 ...) have no "₱", and
python-escpos prints "?" in its place. ESC/POS output therefore writes amounts as "P1,500.00"
(``ESCPOS_PESO_SIGN``), the usual way on Philippine till receipts, which costs one column where
"PHP " would cost four on 32-column paper. PDFs keep "₱".

Threading: ``encode_escpos`` is pure. ``send_to_printer`` blocks on the network or device for up
to ``timeout_s``: call it from a worker, never from the GUI thread.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

from pos_app.config import PrinterKind
from pos_app.domain.errors import UserFacingError
from pos_app.printing.document import Align, ReceiptDocument, TextSize
from pos_app.printing.layout import lay_out

__all__ = [
    "DEFAULT_PROFILE",
    "ESCPOS_PESO_SIGN",
    "PrinterError",
    "encode_escpos",
    "send_to_printer",
]

log = logging.getLogger(__name__)

DEFAULT_PROFILE = "TM-T88V"
ESCPOS_PESO_SIGN = "P"
DEFAULT_NETWORK_PORT = 9100  # the raw printing port every networked ESC/POS printer listens on
_PRINTER_NOT_ANSWERING = (
    "The receipt printer isn't answering. "
    "Check that it is on and has paper, then press Print again."
)


class PrinterError(UserFacingError):
    """The receipt printer could not be reached or refused the data."""

    default_message = _PRINTER_NOT_ANSWERING


def encode_escpos(
    document: ReceiptDocument, *, profile: str = DEFAULT_PROFILE, columns: int | None = None
) -> bytes:
    """The document as ESC/POS: initialise, the lines, QR codes natively, feed and full cut.

    ``columns`` defaults to the profile's Font A width (42 on a TM-T88V; 48 on most generic 80 mm
    printers, 32 on 58 mm ones).
    """
    from escpos.printer import Dummy

    printer = Dummy(profile=profile)
    width = columns if columns is not None else _profile_columns(printer)
    printer.hw("INIT")
    style: tuple[Align, bool, TextSize] | None = None
    for line in lay_out(document, columns=width, peso_sign=ESCPOS_PESO_SIGN):
        if line.qr_payload is not None:
            printer.set(align=Align.CENTER.value)
            printer.qr(line.qr_payload, native=True, size=6)
            style = None
            continue
        if style != (line.align, line.bold, line.size):  # style commands only when it changes
            style = (line.align, line.bold, line.size)
            large = line.size is TextSize.LARGE
            printer.set(
                align=line.align.value,
                bold=line.bold,
                double_width=large,
                double_height=large,
                normal_textsize=not large,
            )
        printer.textln(line.text)
    printer.set(align=Align.LEFT.value, bold=False, normal_textsize=True)
    printer.cut()
    return bytes(printer.output)


def _profile_columns(printer: Any) -> int:
    try:
        return int(printer.profile.get_columns("a"))
    except (KeyError, TypeError, ValueError, AttributeError):
        return 48


def send_to_printer(
    data: bytes, kind: PrinterKind, address: str, *, timeout_s: float = 10.0
) -> None:
    """Send ready ESC/POS ``data`` to the printer at ``address``; ``PrinterError`` if it fails.

    ``address`` is "host[:port]" for a network printer, "vendor_id:product_id" in hex for USB and
    a device path (e.g. /dev/usb/lp0) for a file printer.
    """
    if kind is PrinterKind.PDF:
        raise ValueError("send_to_printer is for ESC/POS printers; PDF receipts are saved instead")
    from escpos.exceptions import Error as EscposError

    try:
        printer = _open_printer(kind, address, timeout_s)
        try:
            printer._raw(data)  # the public API has no "send these bytes"; _raw is its primitive
        finally:
            printer.close()
    except PrinterError:
        raise
    except (EscposError, OSError, RuntimeError, ValueError) as exc:
        # RuntimeError: python-escpos's way of saying pyusb is not installed.
        log.warning("receipt printer %s at %r failed: %r", kind.value, address, exc)
        raise PrinterError(detail=f"{kind.value} {address!r}: {exc!r}") from exc


def _open_printer(kind: PrinterKind, address: str, timeout_s: float) -> Any:
    """An opened python-escpos printer; opening is where an absent printer shows up."""
    from escpos import printer as escpos_printer

    if not address.strip():
        raise PrinterError(
            "No receipt printer is set up. Ask the clinic manager to choose one in Settings.",
            detail=f"empty printer address for {kind.value}",
        )
    device: Any
    if kind is PrinterKind.ESCPOS_NETWORK:
        host, port = _host_and_port(address)
        device = escpos_printer.Network(host, port, timeout=timeout_s, profile=DEFAULT_PROFILE)
        # Connect here rather than in Network.open(), which leaves the socket unclosed when the
        # printer refuses; create_connection closes it on failure.
        device.device = socket.create_connection((host, port), timeout=timeout_s)
        return device
    if kind is PrinterKind.ESCPOS_USB:
        vendor, _, product = address.strip().partition(":")
        device = escpos_printer.Usb(int(vendor, 16), int(product, 16), profile=DEFAULT_PROFILE)
    else:
        device = escpos_printer.File(address.strip(), profile=DEFAULT_PROFILE)
    device.open()
    return device


def _host_and_port(address: str) -> tuple[str, int]:
    """ "192.168.1.50" or "192.168.1.50:9100" (a bad port raises ValueError)."""
    host, colon, port = address.strip().rpartition(":")
    if not colon:
        return address.strip(), DEFAULT_NETWORK_PORT
    return host.strip(), int(port)
