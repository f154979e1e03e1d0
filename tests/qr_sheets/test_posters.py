"""Posters: every code decodes, the text is real text in an embedded font, output is stable."""

import io
import re
import subprocess
import sys
import time
from pathlib import Path

import pypdf
import pytest

from qr_sheets import PosterOptions, SheetItem, qr_matrix, render_posters, row_runs

from .helpers import (
    blank_outside,
    decode,
    font_descriptors,
    image_xobjects,
    items,
    operators,
    page_contents,
    page_sizes_mm,
    render_pages,
    text_of,
)

DPI = 72  # a poster module is 2.7-3.9 mm: 7-11 px at 72 dpi
LONG = SheetItem(
    url="http://127.0.0.1:8000/q/LongLongName",
    community="八一社区居民委员会第三网格党群服务站（临时办公点）",
    compound="中国航天科工集团第二研究院职工宿舍区东北角新建小区",
    building="甲12号楼东侧附属楼",
    entrance="地下车库入口B2单元",
    hotline="010-6851 2345 转 8001 / 8002 / 8003 / 8004",
    hotline_24h="400-800-1234 或 12345 市民服务热线（夜间）",
)


@pytest.fixture(scope="module")
def a4_items():
    return items(12, prefix="P") + [LONG]


@pytest.fixture(scope="module")
def a4_pdf(a4_items):
    return render_posters(a4_items)


@pytest.fixture(scope="module")
def a5_items():
    return items(8, prefix="Q")


@pytest.fixture(scope="module")
def a5_pdf(a5_items):
    return render_posters(a5_items, PosterOptions(paper="A5"))


def check_every_code(pdf, expected, min_symbol_mm):
    pages = render_pages(pdf, DPI)
    assert len(pages) == len(expected)
    px_per_mm = DPI / 25.4
    for page, item in zip(pages, expected, strict=True):
        found = decode(page)
        assert [r.text for r in found] == [item.url]  # one code per page, the right one
        pos = found[0].position
        width_mm = (pos.top_right.x - pos.top_left.x) / px_per_mm
        assert width_mm >= min_symbol_mm


def test_every_a4_code_decodes_and_is_at_least_100_mm(a4_pdf, a4_items):
    check_every_code(a4_pdf, a4_items, min_symbol_mm=100)


def test_every_a5_code_decodes_and_scales_down_with_the_paper(a5_pdf, a5_items):
    check_every_code(a5_pdf, a5_items, min_symbol_mm=100 * 148 / 210)


def test_paper_sizes(a4_pdf, a5_pdf):
    for (w, h), (ew, eh) in [(page_sizes_mm(a4_pdf)[0], (210, 297)),
                             (page_sizes_mm(a5_pdf)[0], (148, 210))]:
        assert abs(w - ew) < 0.5 and abs(h - eh) < 0.5


def test_chinese_text_is_real_text_in_an_embedded_truetype_subset(a4_pdf, a5_pdf):
    for pdf, url in ((a4_pdf, "127.0.0.1:8000/q/P000xyz9KLm"),
                     (a5_pdf, "127.0.0.1:8000/q/Q000xyz9KLm")):
        text = text_of(pdf)
        assert url in text
        for expected in ("八一社区", "微波宿舍", "1号楼", "2单元", "扫码报事", "预约服务",
                         "Scan to report", "Book a service", "社区电话", "Community office",
                         "24小时热线", "24-hour line", "010-6851 2345", "010-6851 9999"):
            assert expected in text, expected
        assert b"STSong" not in pdf
        embedded = [f for f in font_descriptors(pdf)
                    if f["descriptor"] is not None and "/FontFile2" in f["descriptor"]]
        assert len(embedded) >= 2  # regular and bold
        for font in embedded:
            assert "+" in font["BaseFont"]  # a subset (ABCDEF+Name)
            assert "STSong" not in font["BaseFont"]


def test_hotline_lines_only_when_given():
    plain = SheetItem(url="http://127.0.0.1:8000/q/NoPhones", community="八一社区",
                      compound="微波宿舍", building="1号楼", entrance=None)
    text = text_of(render_posters([plain]))
    assert "社区电话" not in text and "24小时热线" not in text
    assert "微波宿舍·1号楼" in text and "单元" not in text
    assert "127.0.0.1:8000/q/NoPhones" in text
    short = text_of(render_posters([SheetItem(**{**plain.__dict__, "short_url": "mshb.cn/x"})]))
    assert "mshb.cn/x" in short and "NoPhones" not in short


def test_long_names_shrink_to_stay_inside_the_frame(a4_pdf, a4_items):
    page = render_pages(a4_pdf, DPI)[a4_items.index(LONG)]
    frame = (8, 8, 194, 281)  # the frame line, 8 mm from the page edges
    assert blank_outside(page, [frame], DPI, grow=0.5)  # nothing outside it
    assert not blank_outside(page, [(9, 9, 192, 279)], DPI)  # (the frame itself is there)
    k = DPI / 25.4
    for x in (9.5, 194.5):  # and nothing touches it from inside: text keeps 8 mm away
        band = page.crop((round(x * k), round(12 * k), round((x + 6) * k), round(285 * k)))
        assert band.getextrema()[0] >= 250
    text = text_of(render_posters([LONG])).replace("\n", "")
    for part in (LONG.compound, LONG.building, LONG.entrance, LONG.hotline, LONG.hotline_24h,
                 LONG.community):
        assert part in text


def test_each_code_is_one_filled_path_of_row_runs(a4_pdf, a4_items):
    for content, item in zip(page_contents(a4_pdf), a4_items, strict=True):
        ops = operators(content)
        assert ops.count(b"re") == len(row_runs(qr_matrix(item.url)))
        assert ops.count(b"f") == 1  # one fill for the whole code
        assert b"Do" not in ops and b"BI" not in ops  # no images, inline or not


def test_no_raster_images(a4_pdf, a5_pdf):
    assert image_xobjects(a4_pdf) == 0 and image_xobjects(a5_pdf) == 0
    assert re.search(rb"/Subtype\s*/Image", a4_pdf + a5_pdf) is None


def test_same_input_same_bytes(a4_pdf, a4_items, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setattr(time, "time", lambda: 2_000_000_000.0)  # another day: no dates inside
    assert render_posters(a4_items) == a4_pdf
    assert render_posters(a4_items[:3], PosterOptions(paper="A5")) == render_posters(
        list(a4_items[:3]), PosterOptions(paper="A5"))
    assert render_posters(a4_items[:2]) != render_posters(a4_items[1:3])


def test_same_bytes_in_a_fresh_process(tmp_path):
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from qr_sheets import render_posters, SheetItem;"
        "sys.stdout.buffer.write(render_posters([SheetItem("
        "url='http://127.0.0.1:8000/q/AbC23xyz9KLm', community='八一社区', compound='微波宿舍',"
        "building='1号楼', entrance='2单元', hotline='010-6851 2345')]))"
    )
    root = str(Path(__file__).resolve().parents[2])
    other = subprocess.run([sys.executable, "-c", script, root], capture_output=True,
                           check=True).stdout
    here = render_posters([SheetItem(
        url="http://127.0.0.1:8000/q/AbC23xyz9KLm", community="八一社区", compound="微波宿舍",
        building="1号楼", entrance="2单元", hotline="010-6851 2345")])
    assert other == here


def test_metadata(a5_pdf):
    info = pypdf.PdfReader(io.BytesIO(a5_pdf)).metadata
    assert "QR posters" in info.title and "八一社区" in info.title
    assert info.author == "Mashang 码上办"


def test_bytes_per_page():
    one = render_posters(items(1, prefix="S"))
    assert len(one) < 30 * 1024  # one poster alone, font subsets included
    many = render_posters(items(40, prefix="S"))
    assert len(many) / 40 < 4 * 1024  # the subsets are shared by the whole document


def test_bad_options_and_empty_input():
    with pytest.raises(ValueError, match="A4"):
        render_posters(items(1), PosterOptions(paper="Letter"))
    with pytest.raises(ValueError, match="no items"):
        render_posters([])
    with pytest.raises(ValueError):
        SheetItem(url="", community="", compound="", building="", entrance=None)
