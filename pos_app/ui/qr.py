"""QR codes as pixmaps: PayMongo's own PNG when it sends one, else drawn with ``qrcode``."""

from __future__ import annotations

import io

import qrcode
from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap


def qr_pixmap(*, png: bytes | None, text: str | None, size: int) -> QPixmap:
    """A square pixmap ``size`` pixels wide, scaled without smoothing so modules stay sharp."""
    pixmap = QPixmap()
    if png is not None:
        pixmap.loadFromData(png)
    elif text is not None:
        buffer = io.BytesIO()
        qrcode.make(text, border=2).save(buffer, format="PNG")
        pixmap.loadFromData(buffer.getvalue())
    if pixmap.isNull():
        return pixmap
    return pixmap.scaled(
        size,
        size,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.FastTransformation,
    )
