"""Sheets of sticky labels: the code on the left, compound / building / entrance on the right."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from .codes import draw_qr
from .fonts import register_fonts
from .pdf import ACCENT, CJK_TOP, GREY, GUIDE, INK, finish, fit, new_canvas, title_for
from .sheets import (
    PAGE_HEIGHT_MM,
    PAGE_WIDTH_MM,
    SAFE_MARGIN_MM,
    Box,
    LabelSheet,
    SheetItem,
    content_boxes,
    label_boxes,
)

CTA = "扫码报事"
GAP_MM = 1.5  # between the code and the text
LINE_PITCH = 1.2  # line slot height, in em
MAX_TEXT_PT = 20.0
MIN_CTA_PT = 5.5  # below this the "scan to report" line is left out


@dataclass(frozen=True)
class LabelLayout:
    """Where the parts of one label go, mm from the page's top-left corner."""

    label: Box
    content: Box
    qr: Box
    text: Box


def label_layouts(sheet: LabelSheet) -> list[LabelLayout]:
    """The layout of every position on a page, in filling order. Codes are the same size on
    every label of a sheet: as tall as the smallest content box, at most half its width."""
    contents = content_boxes(sheet)  # validates
    side = min(min(h for _, _, _, h in contents), min(w for _, _, w, _ in contents) / 2)
    layouts = []
    for label, content in zip(label_boxes(sheet), contents, strict=True):
        cx, cy, cw, ch = content
        qr = (cx, cy + (ch - side) / 2, side, side)
        text = (cx + side + GAP_MM, cy, cw - side - GAP_MM, ch)
        layouts.append(LabelLayout(label, content, qr, text))
    return layouts


def _text_lines(item: SheetItem, regular: str, bold: str):
    """(text, font, relative size, colour) of each line, top to bottom."""
    lines = [(item.compound, regular, 0.8, GREY), (item.building, bold, 1.0, INK)]
    if item.entrance:
        lines.append((item.entrance, bold, 1.0, INK))
    lines.append((CTA, regular, 0.6, ACCENT))
    return [line for line in lines if line[0]]


def _breakable(text: str, i: int) -> bool:
    """May a line break before text[i]? Not inside a run of Latin letters or digits."""
    a, b = text[i - 1], text[i]
    return not (a.isascii() and a.isalnum() and b.isascii() and b.isalnum())


def wrap(text: str, font: str, pieces: int) -> list[str] | None:
    """`text` cut into `pieces` lines of about equal width, or None if it cannot be."""
    if pieces <= 1:
        return [text]
    edges = [0.0]
    for ch in text:
        edges.append(edges[-1] + stringWidth(ch, font, 1))
    cuts, last = [], 0
    for j in range(1, pieces):
        target = edges[-1] * j / pieces
        options = [i for i in range(last + 1, len(text)) if _breakable(text, i)]
        if not options:
            return None
        last = min(options, key=lambda i: abs(edges[i] - target))
        cuts.append(last)
    parts = [text[a:b].strip(" ·") for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    return parts if all(parts) else None


def fit_block(lines, width: float, height: float):
    """Sizes for a block of lines in a box (points): as large as the height allows, each line
    shrunk to the width; a line that would shrink a lot is wrapped (up to three lines) when that
    makes the smallest text larger. Returns [(text, font, size, colour)]."""
    splits = [1] * len(lines)
    best, best_score = None, -1.0
    for _ in range(2 * len(lines) + 1):
        rows = []
        for (text, font, factor, colour), k in zip(lines, splits, strict=True):
            for part in wrap(text, font, k) or [text]:
                rows.append((part, font, factor, colour))
        base = min(MAX_TEXT_PT, height / (LINE_PITCH * sum(f for _, _, f, _ in rows)))
        sizes = [fit(text, font, base * f, width) for text, font, f, _ in rows]
        score = min(size / f for size, (_, _, f, _) in zip(sizes, rows, strict=True))
        if score > best_score + 1e-9:
            best_score = score
            best = [(t, font, size, c) for size, (t, font, _, c) in zip(sizes, rows, strict=True)]
        # wrap the most squeezed line one more time, if it is squeezed and can be
        squeeze = {}
        for index, (text, font, factor, _) in enumerate(lines):
            squeeze[index] = stringWidth(text, font, base * factor) / splits[index] / width
        worst = max(squeeze, key=squeeze.get)
        if squeeze[worst] <= 1.3 or splits[worst] >= 3:
            break
        splits[worst] += 1
    return best


def _draw_text(canvas, item: SheetItem, box: Box, regular: str, bold: str) -> None:
    x, y, w, h = (v * mm for v in box)
    lines = _text_lines(item, regular, bold)
    rows = fit_block(lines, w, h)
    if any(text == CTA and size < MIN_CTA_PT for text, _, size, _ in rows):
        rows = fit_block([line for line in lines if line[0] != CTA], w, h)  # no room for it
    top = PAGE_HEIGHT_MM * mm - y - (h - LINE_PITCH * sum(size for _, _, size, _ in rows)) / 2
    for text, font, size, colour in rows:
        slack = (LINE_PITCH - 1) / 2 * size
        canvas.setFillColor(colour)
        canvas.setFont(font, size)
        canvas.drawString(x, top - slack - CJK_TOP * size, text)
        top -= LINE_PITCH * size


def _draw_guides(canvas, sheet: LabelSheet) -> None:
    """Thin grey lines along the label edges, kept inside the printable area."""
    boxes = label_boxes(sheet)
    xs = sorted({round(v, 4) for x, _, w, _ in boxes for v in (x, x + w)})
    ys = sorted({round(v, 4) for _, y, _, h in boxes for v in (y, y + h)})
    inset = SAFE_MARGIN_MM + 0.5  # half a millimetre more, for the line's own width
    lo, hi_x, hi_y = inset, PAGE_WIDTH_MM - inset, PAGE_HEIGHT_MM - inset
    top, bottom = max(ys[0], lo), min(ys[-1], hi_y)
    left, right = max(xs[0], lo), min(xs[-1], hi_x)
    canvas.setStrokeColor(GUIDE)
    canvas.setLineWidth(0.3)
    page_h = PAGE_HEIGHT_MM
    lines = [(x, top, x, bottom) for x in xs if lo <= x <= hi_x]
    lines += [(left, y, right, y) for y in ys if lo <= y <= hi_y]
    canvas.lines([(x0 * mm, (page_h - y0) * mm, x1 * mm, (page_h - y1) * mm)
                  for x0, y0, x1, y1 in lines])


def render_labels(items: Sequence[SheetItem], sheet: LabelSheet) -> bytes:
    """A PDF of label sheets for `items`, in order, starting after the first `sheet.skip`
    positions of the first page; as many pages as needed."""
    sheet.validate()
    items = list(items)
    if not items:
        raise ValueError("no items: a label PDF needs at least one SheetItem")
    regular, bold = register_fonts(sheet.font_dir, sheet.font_path)
    layouts = label_layouts(sheet)
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, A4, title_for("二维码标签 QR labels", items),
                        f"{sheet.columns} x {sheet.rows} label sheets")
    per_page = sheet.per_page
    for page in range(sheet.pages_for(len(items))):
        if sheet.cut_guides:
            _draw_guides(canvas, sheet)
        first = page * per_page - sheet.skip
        for slot, layout in enumerate(layouts):
            index = first + slot
            if not 0 <= index < len(items):
                continue
            item = items[index]
            qx, qy, side, _ = layout.qr
            draw_qr(canvas, item.url, qx * mm, (PAGE_HEIGHT_MM - qy - side) * mm, side * mm)
            _draw_text(canvas, item, layout.text, regular, bold)
        canvas.showPage()
    return finish(canvas, buffer)
