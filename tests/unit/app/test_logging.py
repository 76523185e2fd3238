"""The log file keeps what helps support: Kaha's own records and any library's warnings, not
fontTools' font-subsetting messages or other libraries' DEBUG/INFO chatter."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from pos_app.config import load_settings
from pos_app.domain.discount import VatStatus
from pos_app.domain.money import Money
from pos_app.log_file import configure_logging
from pos_app.printing.pdf import render_pdf
from pos_app.printing.receipt import build_invoice_receipt
from tests.unit.printing.samples import cash, make_bill, make_header, make_invoice


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    """The counter's log set up as at start-up (INFO), and undone afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    names = [*logging.root.manager.loggerDict, "fontTools", "fpdf", "PIL"]
    levels = {name: logging.getLogger(name).level for name in names}
    settings = load_settings(
        {"POS_APP_DATA_DIR": str(tmp_path / "data"), "POS_APP_CONFIG_DIR": str(tmp_path / "cfg")}
    )
    path = configure_logging(settings)
    yield path
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def test_printing_a_receipt_leaves_no_font_subsetting_lines_in_the_log(log_file: Path) -> None:
    logging.getLogger("pos_app.printing").info("printing invoice MAIN-00000001")
    receipt = build_invoice_receipt(
        header=make_header(VatStatus.VAT),
        invoice=make_invoice(Money(112000)),
        bill=make_bill(),
        tenders=[cash(Money(112000), Money(150000))],
        cashier="Ana Reyes",
        reprint=False,
    )
    assert render_pdf(receipt).startswith(b"%PDF")  # fpdf2 subsets DejaVu with fontTools
    logging.getLogger("uvicorn.access").info('127.0.0.1 - "GET /v1/payment_intents" 200')
    logging.getLogger("some.library").warning("disk almost full")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert "fontTools" not in text
    assert "uvicorn.access" not in text
    assert "printing invoice MAIN-00000001" in text  # Kaha's own INFO stays
    assert "some.library: disk almost full" in text  # and any library's warning
