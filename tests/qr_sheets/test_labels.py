"""Label sheets: geometry inside the page and the printable area, every code decodes in place."""

import dataclasses
import io
import re

import pypdf
import pytest

from qr_sheets import (
    PRESETS,
    LabelSheet,
    SheetItem,
    content_boxes,
    label_boxes,
    label_layouts,
    qr_matrix,
    render_labels,
    row_runs,
)
from qr_sheets.sheets import LABEL_PADDING_MM, SAFE_MARGIN_MM

from .helpers import (
    blank_outside,
    crop_mm,
    decode_texts,
    font_descriptors,
    image_xobjects,
    items,
    operators,
    page_contents,
    page_sizes_mm,
    render_pages,
    text_of,
)

DPI = 150  # the smallest module (4x10 preset) is 0.58 mm: 3.4 px
EPS = 1e-6
CUSTOM = LabelSheet(columns=3, rows=5, label_width=60, label_height=45, margin_left=12,
                    margin_top=20, gap_x=3, gap_y=8, skip=4, cut_guides=True)

# (sheet, number of items): 253 labels in all, every sheet over more than one page
CASES = {
    "3x8": (dataclasses.replace(PRESETS["3x8"], skip=5, cut_guides=True), 43),  # edge to edge
    "2x7": (PRESETS["2x7"], 28),
    "3x7": (dataclasses.replace(PRESETS["3x7"], skip=2), 31),
    "4x10": (dataclasses.replace(PRESETS["4x10"], skip=7), 105),
    "custom": (CUSTOM, 46),
}


def inside(inner, outer) -> bool:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return x >= ox - EPS and y >= oy - EPS and x + w <= ox + ow + EPS and y + h <= oy + oh + EPS


PAGE = (0, 0, 210, 297)
PRINTABLE = (SAFE_MARGIN_MM, SAFE_MARGIN_MM, 210 - 2 * SAFE_MARGIN_MM, 297 - 2 * SAFE_MARGIN_MM)


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_validate_and_their_labels_fit(name):
    sheet = PRESETS[name]
    sheet.validate()
    boxes = label_boxes(sheet)
    assert len(boxes) == sheet.columns * sheet.rows
    for box in boxes:
        assert inside(box, PAGE)
    for layout in label_layouts(sheet):
        assert inside(layout.content, PRINTABLE)  # what is printed stays printable
        assert inside(layout.content, layout.label)
        assert inside(layout.qr, layout.content) and inside(layout.text, layout.content)
        assert layout.qr[0] + layout.qr[2] <= layout.text[0]  # side by side, no overlap
        assert layout.text[2] >= 10


def test_the_presets_are_the_sheets_the_brief_names():
    s = PRESETS["3x8"]
    assert (s.columns, s.rows, s.label_width, s.label_height, s.margin_top) == (3, 8, 70, 37, 0.5)
    s = PRESETS["2x7"]
    assert (s.label_width, s.label_height, s.margin_left, s.margin_top, s.gap_x) == (
        99.1, 38.1, 4.65, 15.15, 2.5)
    s = PRESETS["4x10"]
    assert (s.label_width, s.label_height, s.margin_left, s.margin_top, s.gap_x) == (
        48.5, 25.4, 8, 21.5, 0)


def test_label_boxes_row_by_row():
    boxes = label_boxes(PRESETS["2x7"])
    assert boxes[0] == (4.65, 15.15, 99.1, 38.1)
    assert boxes[1][0] == pytest.approx(4.65 + 99.1 + 2.5) and boxes[1][1] == 15.15
    assert boxes[2][1] == pytest.approx(15.15 + 38.1) and boxes[2][0] == 4.65
    contents = content_boxes(PRESETS["3x8"])
    assert contents[0][:2] == (SAFE_MARGIN_MM, SAFE_MARGIN_MM)  # cut to the printable area
    assert contents[4][:2] == (70 + LABEL_PADDING_MM, 37.5 + LABEL_PADDING_MM)


@pytest.mark.parametrize("sheet, message", [
    (LabelSheet(3, 8, 71, 37, 0, 0.5), "wider than A4"),
    (LabelSheet(3, 8, 70, 37, 0, 1.5), "taller than A4"),
    (LabelSheet(2, 7, 99.1, 38.1, 4.65, 15.15, gap_x=12), "wider than A4"),
    (LabelSheet(4, 10, 48.5, 25.4, 8, 21.5, gap_y=3), "taller than A4"),
    (LabelSheet(0, 8, 70, 37, 0, 0), "columns"),
    (LabelSheet(3, -1, 70, 37, 0, 0), "rows"),
    (LabelSheet(3, 8, 0, 37, 0, 0), "positive"),
    (LabelSheet(3, 8, 70, -37, 0, 0), "positive"),
    (LabelSheet(3, 8, 70, 37, -1, 0), "negative"),
    (LabelSheet(3, 8, 70, 37, 0, 0, gap_y=-0.1), "negative"),
    (LabelSheet(3, 8, float("nan"), 37, 0, 0), "finite"),
    (LabelSheet(3, 8, 70, 37, 0, 0, skip=24), "skip"),
    (LabelSheet(3, 8, 70, 37, 0, 0, skip=-1), "skip"),
    (LabelSheet(3.0, 8, 70, 37, 0, 0), "whole number"),
    (LabelSheet(500, 8, 0.1, 37, 0, 0), "columns"),
    (LabelSheet(3, 8, 70, 5, 0, 0), "printable area"),
    (LabelSheet(1, 1, 60, 12, 0, 0), "printable area"),  # all in the unprintable edge
])
def test_validate_refuses_what_does_not_fit(sheet, message):
    with pytest.raises(ValueError, match=message):
        sheet.validate()
    with pytest.raises(ValueError):
        render_labels(items(1), sheet)


def test_page_counts_honour_skip():
    sheet = PRESETS["3x8"]
    skip5 = dataclasses.replace(sheet, skip=5)

    def pages(s, n):
        pdf = render_labels(items(n), s)
        assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == s.pages_for(n)
        return s.pages_for(n)

    assert pages(sheet, 24) == 1
    assert pages(sheet, 25) == 2
    assert pages(skip5, 19) == 1  # 5 used + 19 = 24 positions: one sheet
    assert pages(skip5, 20) == 2  # 25 positions need a second sheet
    assert pages(sheet, 49) == 3
    with pytest.raises(ValueError, match="no items"):
        render_labels([], sheet)


@pytest.fixture(scope="module")
def rendered():
    out = {}
    for name, (sheet, count) in CASES.items():
        labels = items(count, prefix=name.upper()[:2])
        pdf = render_labels(labels, sheet)
        out[name] = (sheet, labels, pdf, render_pages(pdf, DPI))
    return out


@pytest.mark.parametrize("name", list(CASES))
def test_every_code_decodes_in_its_place(rendered, name):
    sheet, labels, pdf, pages = rendered[name]
    assert len(pages) == sheet.pages_for(len(labels)) >= 2
    layouts = label_layouts(sheet)
    position = sheet.skip
    for page_number, page in enumerate(pages):
        expected_here = []
        for slot, layout in enumerate(layouts):
            index = page_number * sheet.per_page + slot - sheet.skip
            found = decode_texts(crop_mm(page, layout.label, DPI))
            if 0 <= index < len(labels):
                assert found == [labels[index].url], (page_number, slot)
                expected_here.append(labels[index].url)
                position += 1
            else:
                assert found == [], (page_number, slot)  # skipped or past the end: empty
        # and the whole page, read as a phone camera would: exactly this page's codes
        assert decode_texts(page) == sorted(expected_here)
    assert position == sheet.skip + len(labels)


@pytest.mark.parametrize("name", list(CASES))
def test_nothing_is_printed_outside_the_printable_area(rendered, name):
    sheet, _, _, pages = rendered[name]
    contents = [layout.content for layout in label_layouts(sheet)]
    for page in pages:
        assert blank_outside(page, [PRINTABLE], DPI, grow=0.2)  # 0.2: a pixel's anti-aliasing
        if not sheet.cut_guides:  # and nothing outside the labels' content boxes
            assert blank_outside(page, contents, DPI, grow=0.3)


def test_cut_guides_are_drawn_along_label_edges(rendered):
    sheet, _, _, pages = rendered["custom"]
    page = pages[0]
    box = label_boxes(sheet)[7]  # a label in the middle: all four edges are printable
    for x, y, w, h in [(box[0] - 0.3, box[1] + 5, 0.6, box[3] - 10),  # left edge
                       (box[0] + 5, box[1] + box[3] - 0.3, box[2] - 10, 0.6)]:  # bottom edge
        band = crop_mm(page, (x, y, w, h), DPI)
        darkest = band.getextrema()[0]
        assert 150 <= darkest <= 235  # a light grey line is there
    without = render_pages(render_labels(items(46, prefix="CU"),
                                         dataclasses.replace(sheet, cut_guides=False)), DPI)[0]
    band = crop_mm(without, (box[0] - 0.3, box[1] + 5, 0.6, box[3] - 10), DPI)
    assert band.getextrema()[0] >= 250


def test_text_layer_fonts_and_no_images(rendered):
    for name, (_, labels, pdf, _) in rendered.items():
        text = text_of(pdf)
        for label in labels[:6]:
            assert label.compound in text.replace("\n", "") or name == "4x10"
            assert label.building in text
        assert "扫码报事" in text
        assert b"STSong" not in pdf
        assert image_xobjects(pdf) == 0
        assert any(f["descriptor"] is not None and "/FontFile2" in f["descriptor"]
                   for f in font_descriptors(pdf))
    assert "微波宿舍" in text_of(rendered["2x7"][2])


def test_each_code_is_one_filled_path(rendered):
    sheet, labels, pdf, _ = rendered["2x7"]
    contents = page_contents(pdf)
    first_page = labels[: sheet.per_page]
    ops = operators(contents[0])
    assert ops.count(b"re") == sum(len(row_runs(qr_matrix(i.url))) for i in first_page)
    assert ops.count(b"f") == len(first_page)


def test_same_input_same_bytes():
    labels = items(30, prefix="D")
    sheet = dataclasses.replace(PRESETS["3x8"], skip=3, cut_guides=True)
    assert render_labels(labels, sheet) == render_labels(list(labels), sheet)
    assert render_labels(labels, sheet) != render_labels(labels, PRESETS["3x8"])


def test_long_names_wrap_or_shrink_inside_the_label():
    long = SheetItem(url="http://127.0.0.1:8000/q/LongLabel1", community="八一社区",
                     compound="中国航天科工集团第二研究院职工宿舍区东北角新建小区",
                     building="甲12号楼东侧附属楼", entrance="地下车库入口B2单元")
    sheet = PRESETS["4x10"]
    pdf = render_labels([long] * 8, sheet)
    page = render_pages(pdf, DPI)[0]
    contents = [layout.content for layout in label_layouts(sheet)]
    assert blank_outside(page, contents[:8], DPI, grow=0.3)
    assert decode_texts(crop_mm(page, label_boxes(sheet)[0], DPI)) == [long.url]
    flat = re.sub(r"\s", "", text_of(pdf))
    assert long.compound in flat and long.entrance in flat


def test_page_size_is_a4(rendered):
    for _, _, pdf, _ in rendered.values():
        for w, h in page_sizes_mm(pdf):
            assert abs(w - 210) < 0.5 and abs(h - 297) < 0.5
