"""CSV that a spreadsheet opens right: a byte-order mark for UTF-8, and no cell run as a
formula."""

import csv
import io

import pytest

from webapp.domain.shared import spreadsheet


@pytest.mark.parametrize(("cell", "safe"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("微波宿舍", "微波宿舍"), ("1号楼", "1号楼"), ("", ""), (5, 5), (None, None), (-3, -3),
])
def test_a_cell_a_spreadsheet_would_run_is_made_text(cell, safe):
    assert spreadsheet.spreadsheet_safe(cell) == safe


def test_the_text_starts_with_a_bom_and_reads_back_cell_for_cell():
    text = spreadsheet.csv_text([["地点", "说明"], ["=1+1", "水管, 漏水\n二楼"]])
    assert text.startswith("\ufeff") and text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(io.StringIO(text.removeprefix("\ufeff")))) == [
        ["地点", "说明"], ["'=1+1", "水管, 漏水\n二楼"]]


def test_without_a_bom_for_a_terminal():
    out = io.StringIO()
    spreadsheet.write_rows(out, [["@x"]], bom=False, lineterminator="\n")
    assert out.getvalue() == "'@x\n"
