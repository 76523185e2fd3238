"""Fixtures for the printing tests: the clinic's invoice header, VAT and non-VAT."""

from __future__ import annotations

import pytest

from pos_app.domain.discount import VatStatus
from pos_app.printing.receipt import InvoiceHeader
from tests.unit.printing.samples import make_header


@pytest.fixture
def vat_header() -> InvoiceHeader:
    return make_header(VatStatus.VAT)


@pytest.fixture
def non_vat_header() -> InvoiceHeader:
    return make_header(VatStatus.NON_VAT)
