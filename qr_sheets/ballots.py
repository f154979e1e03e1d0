"""Ballot slips (一事一议): one one-time code per household, which the 单元长 hands out door to
door. On A5 (one slip a page: the proposal's title, the home, a large code, how to vote, the
deadline) or on a label sheet (the home, the place, "扫码投票").

    pdf = render_ballot_slips(slips, BallotOptions(layout="A5"))
    pdf = render_ballot_slips(slips, BallotOptions(layout="labels", sheet=PRESETS["3x8"]))
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.units import mm

from .codes import draw_qr
from .fonts import register_fonts
from .labels import LINE_PITCH, fit_block, label_layouts
from .pdf import ACCENT, CJK_TOP, GREY, INK, finish, fit, new_canvas
from .sheets import PAGE_HEIGHT_MM, PRESETS, LabelSheet

A5_WIDTH_MM, A5_HEIGHT_MM = 148.0, 210.0
TEXT_WIDTH_MM = 128.0
QR_BOX_MM = 84.0  # with its quiet zone: the dark part is about 64 mm across
QR_TOP_MM = 64.0
HEADING = "一事一议 · 居民表决票"
HEADING_EN = "Residents' decision · ballot slip"
HOW_ZH = "扫码查看方案并投票 · 每户一票，截止前可改"
HOW_EN = "Scan to read the proposal and vote · one vote per home, changeable until the deadline"
LOST = "遗失请联系社区作废补发 · Lost? The office voids it and prints a new one"
CTA = "扫码投票"


@dataclass(frozen=True)
class BallotSlipItem:
    """One household's slip: its one-time link and what is written around it."""

    url: str
    community: str
    place: str  # compound·building(·entrance)
    room: str
    title: str
    deadline: str  # already in the community's local time, e.g. "2026-11-09 18:00"

    def __post_init__(self) -> None:
        if not isinstance(self.url, str) or not self.url.strip():
            raise ValueError("BallotSlipItem.url must be a non-empty string")

    @property
    def display_url(self) -> str:
        return self.url.split("://", 1)[-1]


@dataclass(frozen=True)
class BallotOptions:
    layout: str = "A5"  # or "labels"
    sheet: LabelSheet = PRESETS["3x8"]
    font_dir: str | None = None
    font_path: str | None = None

    def validate(self) -> None:
        if self.layout not in ("A5", "labels"):
            raise ValueError(f"layout must be 'A5' or 'labels', not {self.layout!r}")
        if self.layout == "labels":
            self.sheet.validate()


def _y(mm_from_top: float, page_height_mm: float) -> float:
    return (page_height_mm - mm_from_top) * mm


def _centred(canvas, text: str, font: str, size: float, baseline_mm: float, colour) -> None:
    size = fit(text, font, size, TEXT_WIDTH_MM * mm)
    canvas.setFillColor(colour)
    canvas.setFont(font, size)
    canvas.drawCentredString(A5_WIDTH_MM / 2 * mm, _y(baseline_mm, A5_HEIGHT_MM), text)


def _draw_a5(canvas, item: BallotSlipItem, regular: str, bold: str) -> None:
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(1.2)
    canvas.roundRect(6 * mm, 6 * mm, (A5_WIDTH_MM - 12) * mm, (A5_HEIGHT_MM - 12) * mm,
                     4 * mm, stroke=1, fill=0)
    _centred(canvas, item.community, regular, 13, 16, GREY)
    _centred(canvas, HEADING, bold, 20, 26, ACCENT)
    _centred(canvas, HEADING_EN, regular, 10, 32, GREY)
    rows = fit_block([(item.title, bold, 1.0, INK)], TEXT_WIDTH_MM * mm, 12 * mm)
    baseline = 38.0
    for text, font, size, colour in rows:
        canvas.setFillColor(colour)
        canvas.setFont(font, size)
        baseline += size * CJK_TOP / mm
        canvas.drawCentredString(A5_WIDTH_MM / 2 * mm, _y(baseline, A5_HEIGHT_MM), text)
        baseline += (LINE_PITCH - CJK_TOP) * size / mm
    _centred(canvas, f"{item.place}·{item.room}", bold, 24, 60, INK)
    draw_qr(canvas, item.url, (A5_WIDTH_MM - QR_BOX_MM) / 2 * mm,
            _y(QR_TOP_MM + QR_BOX_MM, A5_HEIGHT_MM), QR_BOX_MM * mm)
    below = QR_TOP_MM + QR_BOX_MM
    _centred(canvas, item.display_url, regular, 10, below + 5, INK)
    _centred(canvas, HOW_ZH, bold, 15, below + 16, ACCENT)
    _centred(canvas, HOW_EN, regular, 9, below + 22, GREY)
    _centred(canvas, f"截止 Deadline: {item.deadline}", bold, 14, below + 32, INK)
    _centred(canvas, LOST, regular, 8.5, below + 40, GREY)


def _draw_label(canvas, item: BallotSlipItem, layout, regular: str, bold: str) -> None:
    qx, qy, side, _ = layout.qr
    draw_qr(canvas, item.url, qx * mm, (PAGE_HEIGHT_MM - qy - side) * mm, side * mm)
    x, y, w, h = layout.text
    lines = [(item.room, bold, 1.0, INK), (item.place, regular, 0.6, GREY),
             (CTA, bold, 0.6, ACCENT), (item.title, regular, 0.5, GREY)]
    rows = fit_block(lines, w * mm, h * mm)
    top = PAGE_HEIGHT_MM * mm - y * mm - (h * mm - LINE_PITCH * sum(r[2] for r in rows)) / 2
    for text, font, size, colour in rows:
        canvas.setFillColor(colour)
        canvas.setFont(font, size)
        canvas.drawString(x * mm, top - (LINE_PITCH - 1) / 2 * size - CJK_TOP * size, text)
        top -= LINE_PITCH * size


DEFAULT_OPTIONS = BallotOptions()  # frozen, so one shared default is safe


def render_ballot_slips(items: Sequence[BallotSlipItem],
                        options: BallotOptions = DEFAULT_OPTIONS) -> bytes:
    """A PDF of ballot slips, in order: one per A5 page, or filling label sheets."""
    options.validate()
    items = list(items)
    if not items:
        raise ValueError("no items: a ballot slip PDF needs at least one BallotSlipItem")
    regular, bold = register_fonts(options.font_dir, options.font_path)
    buffer = io.BytesIO()
    title = f"一事一议表决票 Ballot slips · {items[0].community}"
    if options.layout == "A5":
        canvas = new_canvas(buffer, A5, title, items[0].title)
        for item in items:
            _draw_a5(canvas, item, regular, bold)
            canvas.showPage()
        return finish(canvas, buffer)
    sheet = options.sheet
    layouts = label_layouts(sheet)
    canvas = new_canvas(buffer, A4, title, items[0].title)
    for page in range(sheet.pages_for(len(items))):
        first = page * sheet.per_page - sheet.skip
        for slot, layout in enumerate(layouts):
            if 0 <= first + slot < len(items):
                _draw_label(canvas, items[first + slot], layout, regular, bold)
        canvas.showPage()
    return finish(canvas, buffer)
