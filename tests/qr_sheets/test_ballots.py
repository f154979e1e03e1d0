"""Ballot slips: every code decodes back to its household's link, on A5 and on labels; the
household and the title are real text; output is stable."""

import pytest

from qr_sheets import PRESETS, BallotOptions, BallotSlipItem, render_ballot_slips

from .helpers import decode, page_sizes_mm, qr_texts_in_pdf, render_pages, text_of


def slips(count):
    return [BallotSlipItem(url=f"http://127.0.0.1:8000/v/Slip{i:03d}-AbCdEfGhIjKlMnOpQr",
                           community="八一社区", place="微波宿舍·1号楼",
                           room=f"{i // 2 + 1}0{i % 2 + 1}室",
                           title="更换楼内供暖立管（1-6层）及全部阀门",
                           deadline="2026-11-09 18:00") for i in range(count)]


def test_a5_one_slip_a_page_each_code_its_own_and_large():
    items = slips(5)
    pdf = render_ballot_slips(items, BallotOptions(layout="A5"))
    assert [tuple(round(v) for v in size) for size in page_sizes_mm(pdf)] == [(148, 210)] * 5
    for page, item in zip(render_pages(pdf, 100), items, strict=True):
        found = decode(page)
        assert [r.text for r in found] == [item.url]
        width_mm = (found[0].position.top_right.x - found[0].position.top_left.x) / (100 / 25.4)
        assert width_mm >= 55
    text = text_of(pdf)
    assert "101室" in text and "更换楼内供暖立管" in text and "2026-11-09 18:00" in text
    assert render_ballot_slips(items, BallotOptions(layout="A5")) == pdf  # stable


def test_labels_fill_the_sheet_after_the_skipped_ones():
    items = slips(30)
    sheet = PRESETS["3x8"]
    options = BallotOptions(layout="labels", sheet=type(sheet)(**{**sheet.__dict__, "skip": 2}))
    pdf = render_ballot_slips(items, options)
    assert len(page_sizes_mm(pdf)) == 2  # 22 on the first sheet, 8 on the next
    assert sorted(qr_texts_in_pdf(pdf)) == sorted(i.url for i in items)


def test_nothing_to_print_or_an_unknown_layout_is_refused():
    with pytest.raises(ValueError):
        render_ballot_slips([])
    with pytest.raises(ValueError):
        render_ballot_slips(slips(1), BallotOptions(layout="A3"))
    with pytest.raises(ValueError):
        BallotSlipItem(url=" ", community="", place="", room="", title="", deadline="")
