"""Render the 80 mm documents the counter prints as PNGs for the docs (docs/screenshots/receipts).

    .venv/bin/python scripts/receipt_pngs.py

Uses the golden cases (tests/unit/printing/test_golden.py), so the pictures show exactly what the
golden files pin down; pdftoppm (poppler-utils) rasterises the PDFs at 203 dpi, a thermal
printer's 8 dots per millimetre.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pos_app.printing import render_pdf  # noqa: E402
from tests.unit.printing.test_golden import CASES  # noqa: E402

PICTURES = {
    "invoice-senior-80mm": "invoice-vat-senior-cash-original",
    "invoice-reprint-80mm": "invoice-vat-none-split-reprint2",
    "invoice-pwd-non-vat-80mm": "invoice-nonvat-pwd-split-original",
    "acknowledgement-80mm": "acknowledgement-vat-original",
}


def main() -> int:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        print("pdftoppm is needed: apt-get install poppler-utils", file=sys.stderr)
        return 1
    target = ROOT / "docs" / "screenshots" / "receipts"
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for picture, case in PICTURES.items():
            pdf = Path(scratch) / f"{case}.pdf"
            pdf.write_bytes(render_pdf(CASES[case]()))
            png = target / picture
            command = [pdftoppm, "-png", "-r", "203", "-singlefile", str(pdf), str(png)]
            subprocess.run(command, check=True)  # noqa: S603 (our own files, a fixed program)
            print(target / f"{picture}.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
