"""QR posters and label sheets as vector PDF/SVG. A pure library: nothing from webapp/ or Flask.

    from qr_sheets import SheetItem, PosterOptions, LabelSheet, PRESETS
    pdf = render_posters(items, PosterOptions(paper="A5"))
    pdf = render_labels(items, PRESETS["3x8"])
    pdf = render_ballot_slips(slips, BallotOptions(layout="A5"))   # 一事一议 ballot slips

Codes are level M with a quiet zone of 4 modules, drawn as one vector path each; text is set in
an embedded subset of a CJK TrueType font (see `find_fonts`). Output is byte-for-byte the same
for the same input. The codes themselves are bound to places in webapp/models/places.py.
"""

from .ballots import BallotOptions, BallotSlipItem, render_ballot_slips
from .codes import qr_matrix, qr_png, qr_svg, row_runs
from .fonts import FontNotFound, find_fonts
from .labels import LabelLayout, label_layouts, render_labels
from .posters import render_posters
from .sheets import (
    PRESETS,
    LabelSheet,
    PosterOptions,
    SheetItem,
    content_boxes,
    label_boxes,
)

__all__ = [
    "PRESETS",
    "BallotOptions",
    "BallotSlipItem",
    "FontNotFound",
    "LabelLayout",
    "LabelSheet",
    "PosterOptions",
    "SheetItem",
    "content_boxes",
    "find_fonts",
    "label_boxes",
    "label_layouts",
    "qr_matrix",
    "qr_png",
    "qr_svg",
    "render_ballot_slips",
    "render_labels",
    "render_posters",
    "row_runs",
]
