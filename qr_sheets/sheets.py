"""What to print (SheetItem), how (PosterOptions, LabelSheet), and the label sheet geometry.

All label lengths are millimetres on an A4 portrait page, measured from the page's top-left
corner, x to the right and y downwards (the way label sheet makers give them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

PAGE_WIDTH_MM = 210.0
PAGE_HEIGHT_MM = 297.0
SAFE_MARGIN_MM = 4.0
"""Nothing is printed closer than this to a page edge: most printers cannot reach it."""
LABEL_PADDING_MM = 1.5
"""Space kept clear inside each label edge (die-cut labels are never cut exactly)."""
MIN_CONTENT_MM = (20.0, 10.0)
"""A label must leave at least this much (width, height) inside the printable area."""
_EPS = 1e-6

Box = tuple[float, float, float, float]
"""(x, y, width, height) in mm from the page's top-left corner."""


@dataclass(frozen=True)
class SheetItem:
    """One code to print: where it is and what it opens."""

    url: str
    community: str
    compound: str
    building: str
    entrance: str | None
    hotline: str | None = None
    hotline_24h: str | None = None
    short_url: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.url, str) or not self.url.strip():
            raise ValueError("SheetItem.url must be a non-empty string")

    @property
    def place(self) -> str:
        """Compound·building·entrance, e.g. 微波宿舍·1号楼·2单元 (the CJK middle dot is full
        width, so it needs no spaces around it)."""
        return "·".join(p for p in (self.compound, self.building, self.entrance) if p)

    @property
    def display_url(self) -> str:
        """What is written under the code: `short_url`, or the URL without its scheme."""
        if self.short_url:
            return self.short_url
        url = self.url
        for scheme in ("https://", "http://"):
            if url.lower().startswith(scheme):
                url = url[len(scheme) :]
                break
        return url


@dataclass(frozen=True)
class PosterOptions:
    """Posters: one per page, portrait."""

    paper: str = "A4"
    font_dir: str | None = None
    font_path: str | None = None

    def validate(self) -> None:
        if self.paper not in ("A4", "A5"):
            raise ValueError(f"paper must be 'A4' or 'A5', not {self.paper!r}")


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number of millimetres, not {value!r}")
    return float(value)


@dataclass(frozen=True)
class LabelSheet:
    """A sheet of A4 labels: a grid of `columns` x `rows` labels, lengths in mm."""

    columns: int
    rows: int
    label_width: float
    label_height: float
    margin_left: float
    margin_top: float
    gap_x: float = 0
    gap_y: float = 0
    skip: int = 0
    cut_guides: bool = False
    font_dir: str | None = None
    font_path: str | None = None

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def pages_for(self, count: int) -> int:
        """Pages needed for `count` labels, the first `skip` positions being used already."""
        return math.ceil((self.skip + count) / self.per_page) if count > 0 else 0

    def validate(self) -> None:
        """Raise ValueError, saying what is wrong, unless the grid fits on A4 portrait and
        leaves room for a code and its text inside the printable area of every label."""
        for name in ("columns", "rows", "skip"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{name} must be a whole number, not {value!r}")
        if not 1 <= self.columns <= 20 or not 1 <= self.rows <= 40:
            raise ValueError(
                f"a {self.columns} x {self.rows} grid is not a label sheet: "
                "columns must be 1-20 and rows 1-40"
            )
        if not 0 <= self.skip < self.per_page:
            raise ValueError(
                f"skip must be 0 to {self.per_page - 1} (positions already used on the first "
                f"sheet of {self.per_page}), not {self.skip}"
            )
        width = _number("label_width", self.label_width)
        height = _number("label_height", self.label_height)
        if width <= 0 or height <= 0:
            raise ValueError(f"label size must be positive, not {width} x {height} mm")
        for name in ("margin_left", "margin_top", "gap_x", "gap_y"):
            if _number(name, getattr(self, name)) < 0:
                raise ValueError(f"{name} must not be negative, not {getattr(self, name)} mm")
        right = self.margin_left + self.columns * width + (self.columns - 1) * self.gap_x
        bottom = self.margin_top + self.rows * height + (self.rows - 1) * self.gap_y
        if right > PAGE_WIDTH_MM + _EPS:
            raise ValueError(
                f"{self.columns} columns of {width:g} mm (left margin {self.margin_left:g}, "
                f"gap {self.gap_x:g}) reach {right:g} mm across, wider than A4 "
                f"({PAGE_WIDTH_MM:g} mm)"
            )
        if bottom > PAGE_HEIGHT_MM + _EPS:
            raise ValueError(
                f"{self.rows} rows of {height:g} mm (top margin {self.margin_top:g}, "
                f"gap {self.gap_y:g}) reach {bottom:g} mm down, taller than A4 "
                f"({PAGE_HEIGHT_MM:g} mm)"
            )
        min_w, min_h = MIN_CONTENT_MM
        for index, (_, _, cw, ch) in enumerate(_content_boxes(self)):
            if cw < min_w - _EPS or ch < min_h - _EPS:
                row, col = divmod(index, self.columns)
                raise ValueError(
                    f"the label in row {row + 1}, column {col + 1} leaves only {cw:.1f} x "
                    f"{ch:.1f} mm inside the printable area ({SAFE_MARGIN_MM:g} mm from the page "
                    f"edges, {LABEL_PADDING_MM:g} mm inside the label); at least {min_w:g} x "
                    f"{min_h:g} mm is needed"
                )


PRESETS: dict[str, LabelSheet] = {
    # 24 per sheet, edge to edge (e.g. Avery 3475 / Herma 4453 style)
    "3x8": LabelSheet(columns=3, rows=8, label_width=70, label_height=37,
                      margin_left=0, margin_top=0.5),
    # 14 per sheet (e.g. Avery L7163 style)
    "2x7": LabelSheet(columns=2, rows=7, label_width=99.1, label_height=38.1,
                      margin_left=4.65, margin_top=15.15, gap_x=2.5),
    # 21 per sheet (e.g. Avery L7160 style)
    "3x7": LabelSheet(columns=3, rows=7, label_width=63.5, label_height=38.1,
                      margin_left=7.25, margin_top=15.15, gap_x=2.5),
    # 40 per sheet (e.g. Avery L7654 style)
    "4x10": LabelSheet(columns=4, rows=10, label_width=48.5, label_height=25.4,
                       margin_left=8, margin_top=21.5),
}


def label_boxes(sheet: LabelSheet) -> list[Box]:
    """Every label position on a page as (x, y, w, h) mm from the top-left corner, row by row
    (left to right, then down): the order labels are filled in."""
    return [
        (
            sheet.margin_left + col * (sheet.label_width + sheet.gap_x),
            sheet.margin_top + row * (sheet.label_height + sheet.gap_y),
            float(sheet.label_width),
            float(sheet.label_height),
        )
        for row in range(sheet.rows)
        for col in range(sheet.columns)
    ]


def _content_boxes(sheet: LabelSheet) -> list[Box]:
    lo_x, hi_x = SAFE_MARGIN_MM, PAGE_WIDTH_MM - SAFE_MARGIN_MM
    lo_y, hi_y = SAFE_MARGIN_MM, PAGE_HEIGHT_MM - SAFE_MARGIN_MM
    boxes = []
    for x, y, w, h in label_boxes(sheet):
        x0 = max(x + LABEL_PADDING_MM, lo_x)
        y0 = max(y + LABEL_PADDING_MM, lo_y)
        x1 = min(x + w - LABEL_PADDING_MM, hi_x)
        y1 = min(y + h - LABEL_PADDING_MM, hi_y)
        boxes.append((x0, y0, max(x1 - x0, 0.0), max(y1 - y0, 0.0)))
    return boxes


def content_boxes(sheet: LabelSheet) -> list[Box]:
    """Where each label's code and text go: the label inset by LABEL_PADDING_MM and cut to the
    printable area (SAFE_MARGIN_MM from each page edge). Same order as `label_boxes`."""
    sheet.validate()
    return _content_boxes(sheet)
