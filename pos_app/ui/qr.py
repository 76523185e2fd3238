"""QR codes as pixmaps: PayMongo's own PNG when it sends one, else drawn with ``qrcode``.

Threading contract: decoding a PNG or drawing a QR takes tens of milliseconds, too long for the GUI
thread. ``prerender`` (any thread; call it on the worker that fetched the payment) makes QImages,
which Qt allows off the GUI thread, and caches them; ``display_pixmap`` (GUI thread only) turns the
cached image into a pixmap, which is cheap, and renders on the spot only on a cache miss.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap

from pos_app.services.collect.results import AttemptUpdate, PaymentDisplay

PANEL_QR_SIZE = 320  # the receptionist's payment panel
CUSTOMER_QR_SIZE = 420  # the customer display
QR_SIZES = (PANEL_QR_SIZE, CUSTOMER_QR_SIZE)
_CACHE_SIZE = 16
_cache: OrderedDict[tuple[str, str, int], QImage] = OrderedDict()
_lock = threading.Lock()


def qr_image(*, png: bytes | None, text: str | None, size: int) -> QImage:
    """A square image ``size`` pixels wide, scaled without smoothing so modules stay sharp."""
    image = QImage()
    if png is not None:
        image.loadFromData(png)
    elif text is not None:
        import qrcode  # with PIL ~40 ms: loaded on the worker that draws, not before the window

        buffer = io.BytesIO()
        qrcode.make(text, border=2).save(buffer, format="PNG")
        image.loadFromData(buffer.getvalue())
    if image.isNull():
        return image
    return image.scaled(
        size,
        size,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.FastTransformation,
    )


def _key(display: PaymentDisplay, size: int) -> tuple[str, str, int]:
    # the attempt id alone is not enough: a 3-D Secure step replaces a card's link
    content = display.qr_text or display.url or str(len(display.qr_png or b""))
    return display.attempt_id, content, size


def prerender(update: AttemptUpdate, sizes: Iterable[int] = QR_SIZES) -> AttemptUpdate:
    """Any thread: make and cache the QR images ``update`` will be shown with; returns it."""
    display = update.display
    if display is None or not update.is_open:
        return update
    for size in sizes:
        key = _key(display, size)
        with _lock:
            if key in _cache:
                continue
        image = qr_image(png=display.qr_png, text=display.qr_text or display.url, size=size)
        with _lock:
            _cache[key] = image
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return update


def display_pixmap(display: PaymentDisplay, size: int) -> QPixmap:
    """GUI thread only: the cached image as a pixmap (rendered now on a miss)."""
    key = _key(display, size)
    with _lock:
        image = _cache.get(key)
    if image is None:
        image = qr_image(png=display.qr_png, text=display.qr_text or display.url, size=size)
        with _lock:
            _cache[key] = image
    return QPixmap.fromImage(image)
