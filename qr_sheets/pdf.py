"""What posters and labels share: the canvas, text that shrinks to fit, colours."""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from contextlib import contextmanager

from reportlab import rl_config
from reportlab.lib.colors import Color
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from .sheets import SheetItem

AUTHOR = "Mashang 码上办"
INK = Color(0, 0, 0)
GREY = Color(0.27, 0.27, 0.27)
ACCENT = Color(0.72, 0.09, 0.09)  # a deep red: reads as "official notice", prints dark in B/W
GUIDE = Color(0.78, 0.78, 0.78)

CJK_TOP = 0.88
"""Height of a CJK ideograph above the baseline, in em (Noto Sans SC, WenQuanYi alike)."""


def new_canvas(buffer: io.BytesIO, pagesize, title: str, subject: str) -> Canvas:
    """A compressed canvas whose output depends only on what is drawn (invariant=1)."""
    canvas = Canvas(buffer, pagesize=pagesize, invariant=1, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor(AUTHOR)
    canvas.setSubject(subject)
    canvas.setCreator("Mashang qr_sheets")
    return canvas


_save_lock = threading.Lock()


@contextmanager
def _binary_streams():
    """Leave compressed streams binary (no ASCII85 layer) while a document is written.

    reportlab wraps every compressed stream in ASCII85 by default (`rl_config.useA85`), which
    makes it 25 % larger and, being pure Python, costs more than the rest of writing the file.
    The setting is global and read only while `save()` formats the document, so it is switched
    off for exactly that span, under a lock, and restored.
    """
    with _save_lock:
        saved = rl_config.useA85
        rl_config.useA85 = 0
        try:
            yield
        finally:
            rl_config.useA85 = saved


def finish(canvas: Canvas, buffer: io.BytesIO) -> bytes:
    """Write the document and return its bytes."""
    with _binary_streams():
        canvas.save()
    return buffer.getvalue()


def fit(text: str, font: str, size: float, width: float) -> float:
    """`size`, or the smaller size at which `text` is exactly `width` points wide."""
    natural = stringWidth(text, font, size)
    return size if natural <= width else size * width / natural


def title_for(kind: str, items: Sequence[SheetItem]) -> str:
    communities = sorted({item.community for item in items if item.community})
    where = f" · {communities[0]}" if len(communities) == 1 else ""
    return f"{kind}{where}"
