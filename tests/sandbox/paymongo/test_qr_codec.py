"""The sandbox's fast QR codewords match the qrcode library's, and the PNG decodes to the code."""

from __future__ import annotations

import io
import random

import qrcode
import qrcode.util
from PIL import Image

from pos_sandbox.paymongo.qr import BOX_PIXELS, data_codewords, emv_payload, qr_png


def test_codewords_match_the_library() -> None:
    rng = random.Random(7)
    for _ in range(25):
        port = rng.randint(1, 65535)
        suffix = "".join(rng.choices("aZ09_-", k=rng.randint(1, 120)))
        text = f"http://127.0.0.1:{port}/sandbox/pay/pi_{suffix}"
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
        code.add_data(text.encode(), optimize=0)
        code.make(fit=True)
        expected = qrcode.util.create_data(code.version, code.error_correction, code.data_list)
        assert data_codewords(code.version, text.encode()) == expected


def test_png_pixels_are_the_library_matrix() -> None:
    text = "http://127.0.0.1:40000/sandbox/pay/pi_" + "Q" * 24
    qr_png(text)  # first call learns the version
    image = Image.open(io.BytesIO(qr_png(text))).convert("L")
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=2)
    code.add_data(text.encode(), optimize=0)
    code.make(fit=True)
    matrix = code.get_matrix()
    assert image.size == (len(matrix) * BOX_PIXELS,) * 2
    for row_index, row in enumerate(matrix):
        for column_index, dark in enumerate(row):
            pixel = image.getpixel((column_index * BOX_PIXELS, row_index * BOX_PIXELS))
            assert (pixel == 0) == dark


def test_emv_payload_has_crc_and_amount() -> None:
    payload = emv_payload("pi_abc", 150_050)
    assert payload.startswith("000201010212")
    assert "5406" + "1500.50" not in payload  # the amount TLV carries its own length
    assert "54071500.50" in payload
    assert payload[-8:-4] == "6304"
