"""ESC/POS bytes, and what happens when the receipt printer can't be reached."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from pos_app.config import PrinterKind
from pos_app.domain.errors import UserFacingError
from pos_app.domain.money import Money
from pos_app.printing.document import QrBlock, ReceiptDocument, TextBlock
from pos_app.printing.escpos import PrinterError, encode_escpos, send_to_printer
from pos_app.printing.receipt import InvoiceHeader, build_invoice_receipt
from tests.unit.printing.samples import cash, make_bill, make_invoice

ESC_INIT = b"\x1b@"
FULL_CUT = b"\x1dV\x00"
NOT_ANSWERING = (
    "The receipt printer isn't answering. "
    "Check that it is on and has paper, then press Print again."
)


@pytest.fixture
def invoice_bytes(vat_header: InvoiceHeader) -> bytes:
    document = build_invoice_receipt(
        header=vat_header,
        invoice=make_invoice(Money(112000)),
        bill=make_bill(),
        tenders=[cash(Money(112000), Money(200000))],
        cashier="Ana Reyes",
    )
    return encode_escpos(document)


def test_bytes_start_with_init_and_end_with_a_cut(invoice_bytes: bytes) -> None:
    assert invoice_bytes.startswith(ESC_INIT)
    assert invoice_bytes.endswith(FULL_CUT)
    assert b"MAIN-01-000123" in invoice_bytes
    assert b"INVOICE" in invoice_bytes


def test_amounts_use_p_because_thermal_code_pages_lack_the_peso_sign(invoice_bytes: bytes) -> None:
    assert b"P1,120.00" in invoice_bytes
    assert b"Change" in invoice_bytes
    assert b"P880.00" in invoice_bytes
    assert b"?" not in invoice_bytes  # what python-escpos prints for a character it can't encode


def test_lines_fit_the_profile_columns(invoice_bytes: bytes) -> None:
    # TM-T88V Font A has 42 columns; printable runs between commands end in newlines.
    text_runs = [run for run in invoice_bytes.split(b"\n") if b"TOTAL AMOUNT DUE" in run]
    assert len(text_runs) == 1
    printed = text_runs[0][text_runs[0].index(b"TOTAL") :]
    assert printed.endswith(b"P1,120.00")
    assert len(printed) == 42


def test_qr_block_is_sent_as_a_native_qr_code() -> None:
    data = encode_escpos(ReceiptDocument((TextBlock("Scan to pay"), QrBlock("00020101021228"))))

    assert b"\x1d(k" in data  # GS ( k: the printer's own 2D-code command
    assert b"00020101021228" in data


def test_file_printer_receives_the_bytes(tmp_path: Path) -> None:
    device = tmp_path / "lp0"

    send_to_printer(b"\x1b@hello", PrinterKind.ESCPOS_FILE, str(device))

    assert device.read_bytes() == b"\x1b@hello"


def test_file_printer_that_cannot_be_opened_raises_printer_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "lp0"

    with pytest.raises(PrinterError) as caught:
        send_to_printer(b"\x1b@", PrinterKind.ESCPOS_FILE, str(missing))

    assert isinstance(caught.value, UserFacingError)
    assert caught.value.user_message == NOT_ANSWERING


def test_network_printer_on_a_closed_port_raises_printer_error() -> None:
    with socket.socket() as probe:  # a port that was just free and now has no listener
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(PrinterError) as caught:
        send_to_printer(b"\x1b@", PrinterKind.ESCPOS_NETWORK, f"127.0.0.1:{port}", timeout_s=0.5)

    assert caught.value.user_message == NOT_ANSWERING
    assert "127.0.0.1" in (caught.value.detail or "")


def test_network_printer_receives_the_bytes() -> None:
    received = bytearray()
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        server.settimeout(5)

        def accept_all() -> None:
            connection, _ = server.accept()
            with connection:
                while chunk := connection.recv(4096):
                    received.extend(chunk)

        reader = threading.Thread(target=accept_all)
        reader.start()
        port = server.getsockname()[1]
        send_to_printer(b"\x1b@receipt", PrinterKind.ESCPOS_NETWORK, f"127.0.0.1:{port}")
        reader.join(timeout=5)

    assert not reader.is_alive()
    assert bytes(received) == b"\x1b@receipt"


@pytest.mark.parametrize(
    ("kind", "address"),
    [(PrinterKind.ESCPOS_USB, "not-an-id"), (PrinterKind.ESCPOS_NETWORK, "127.0.0.1:lp")],
)
def test_malformed_address_raises_printer_error(kind: PrinterKind, address: str) -> None:
    with pytest.raises(PrinterError):
        send_to_printer(b"\x1b@", kind, address)


def test_empty_address_asks_for_a_printer_in_settings() -> None:
    with pytest.raises(PrinterError) as caught:
        send_to_printer(b"\x1b@", PrinterKind.ESCPOS_NETWORK, "  ")

    assert "Settings" in caught.value.user_message


def test_pdf_kind_is_not_an_escpos_printer() -> None:
    with pytest.raises(ValueError, match="PDF"):
        send_to_printer(b"", PrinterKind.PDF, "")
