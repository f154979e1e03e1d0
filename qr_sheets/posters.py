"""Entrance posters: one per page, A4 or A5 portrait, large text for older readers.

The layout is drawn in A4 millimetres; an A5 poster is the same drawing scaled down (A5 is A4
scaled by 1/sqrt 2), so every proportion, and the code's share of the page, stays the same.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from .codes import draw_qr
from .fonts import register_fonts
from .pdf import ACCENT, GREY, INK, finish, fit, new_canvas, title_for
from .sheets import PAGE_HEIGHT_MM, PAGE_WIDTH_MM, PosterOptions, SheetItem

CTA_ZH = "扫码报事·预约服务"  # CJK fonts set the middle dot full width: no spaces
CTA_EN = "Scan to report · Book a service"
HOTLINE_LABEL = "社区电话 Community office: "
HOTLINE_24H_LABEL = "24小时热线 24-hour line: "

FRAME_INSET = 8.0  # mm from the page edge
FRAME_RADIUS = 5.0
TEXT_WIDTH = 176.0  # widest a text line may be, mm
QR_BOX = 144.0  # code with its quiet zone, mm on A4: the dark part is 104-116 mm across
QR_TOP = 90.0  # mm from the top of the page


def _y(mm_from_top: float) -> float:
    return (PAGE_HEIGHT_MM - mm_from_top) * mm


def _centred(canvas, text: str, font: str, size: float, baseline_mm: float, colour) -> None:
    canvas.setFillColor(colour)
    canvas.setFont(font, size)
    canvas.drawCentredString(PAGE_WIDTH_MM / 2 * mm, _y(baseline_mm), text)


def _place_lines(item: SheetItem, bold: str) -> list[tuple[str, float]]:
    """The place name as one big line, or two when one would have to shrink too far."""
    width = TEXT_WIDTH * mm
    one = fit(item.place, bold, 44, width)
    if one >= 30 or not item.compound or not item.building:
        return [(item.place, one)]
    rest = "·".join(p for p in (item.building, item.entrance) if p)
    return [(text, fit(text, bold, 32, width)) for text in (item.compound, rest)]


def _hotline(canvas, label: str, number: str, regular: str, bold: str, baseline_mm: float):
    label_size, number_size = 17.0, 24.0
    total = stringWidth(label, regular, label_size) + stringWidth(number, bold, number_size)
    shrink = min(1.0, TEXT_WIDTH * mm / total)
    label_size, number_size = label_size * shrink, number_size * shrink
    x = (PAGE_WIDTH_MM * mm - total * shrink) / 2
    canvas.setFillColor(GREY)
    canvas.setFont(regular, label_size)
    canvas.drawString(x, _y(baseline_mm), label)
    canvas.setFillColor(INK)
    canvas.setFont(bold, number_size)
    canvas.drawString(x + stringWidth(label, regular, label_size), _y(baseline_mm), number)


def _draw_poster(canvas, item: SheetItem, regular: str, bold: str) -> None:
    # frame
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(1.6)
    inset = FRAME_INSET * mm
    canvas.roundRect(inset, inset, (PAGE_WIDTH_MM - 2 * FRAME_INSET) * mm,
                     (PAGE_HEIGHT_MM - 2 * FRAME_INSET) * mm, FRAME_RADIUS * mm, stroke=1, fill=0)

    # who and where
    if item.community:
        size = fit(item.community, regular, 24, TEXT_WIDTH * mm)
        _centred(canvas, item.community, regular, size, 27, GREY)
    lines = _place_lines(item, bold)
    if len(lines) == 1:
        text, size = lines[0]
        _centred(canvas, text, bold, size, 48.5, INK)
    else:
        for (text, size), baseline in zip(lines, (42.5, 55.0), strict=True):
            _centred(canvas, text, bold, size, baseline, INK)

    # a rule, then what to do
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(2)
    canvas.line(60 * mm, _y(62), (PAGE_WIDTH_MM - 60) * mm, _y(62))
    _centred(canvas, CTA_ZH, bold, fit(CTA_ZH, bold, 36, TEXT_WIDTH * mm), 78, ACCENT)
    _centred(canvas, CTA_EN, regular, fit(CTA_EN, regular, 19, TEXT_WIDTH * mm), 87, GREY)

    # the code, and its address for those who type it
    draw_qr(canvas, item.url, (PAGE_WIDTH_MM - QR_BOX) / 2 * mm, _y(QR_TOP + QR_BOX), QR_BOX * mm)
    url = item.display_url
    _centred(canvas, url, regular, fit(url, regular, 21, TEXT_WIDTH * mm), QR_TOP + QR_BOX + 8,
             INK)

    # phone numbers
    baseline = QR_TOP + QR_BOX + 26
    for label, number in ((HOTLINE_LABEL, item.hotline), (HOTLINE_24H_LABEL, item.hotline_24h)):
        if number:
            _hotline(canvas, label, number, regular, bold, baseline)
            baseline += 14


DEFAULT_OPTIONS = PosterOptions()  # frozen, so one shared default is safe


def render_posters(items: Sequence[SheetItem], options: PosterOptions = DEFAULT_OPTIONS) -> bytes:
    """A PDF with one poster per item (A4 or A5 portrait), in order."""
    options.validate()
    items = list(items)
    if not items:
        raise ValueError("no items: a poster PDF needs at least one SheetItem")
    regular, bold = register_fonts(options.font_dir, options.font_path)
    pagesize = A4 if options.paper == "A4" else A5
    scale = min(pagesize[0] / A4[0], pagesize[1] / A4[1])
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, pagesize, title_for("二维码海报 QR posters", items),
                        "扫码报事 · 预约服务 entrance posters")
    for item in items:
        if scale != 1:
            canvas.translate((pagesize[0] - A4[0] * scale) / 2, (pagesize[1] - A4[1] * scale) / 2)
            canvas.scale(scale, scale)
        _draw_poster(canvas, item, regular, bold)
        canvas.showPage()
    return finish(canvas, buffer)
