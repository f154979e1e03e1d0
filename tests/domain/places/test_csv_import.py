"""Loading places from a CSV file: preview, import, every row's problem named, each import
in a unit of work as the admin page makes it."""

import time

import pytest
from sqlalchemy import func, select

from tests.conftest import count
from webapp.domain import unit_of_work
from webapp.domain.places import csv_import, editing
from webapp.extensions import db
from webapp.models import Building, Compound, Entrance, QrCode

GOOD = ("compound,building,entrance\n阳光小区,1号楼,1单元\n阳光小区,1号楼,2单元\n"
        "阳光小区,2号楼,1单元\n阳光小区,3号楼\n")


def imported(community, text):
    with unit_of_work():
        return csv_import.import_places(community, text, apply=True)


def test_a_good_file_previews_then_imports_with_a_code_for_every_place(community):
    preview = csv_import.import_places(community, GOOD, apply=False)
    assert (preview.rows, preview.problems) == (4, [])
    assert (preview.new_compounds, preview.new_buildings, preview.new_entrances) == (1, 3, 3)
    assert count(Compound) == 0  # a preview stores nothing

    done = imported(community, GOOD)
    assert done.new_codes == 6
    assert (count(Compound), count(Building), count(Entrance), count(QrCode)) == (1, 3, 3, 6)
    for building in db.session.scalars(select(Building)):
        assert db.session.scalar(select(func.count(QrCode.id)).where(
            QrCode.building_id == building.id, QrCode.entrance_id.is_(None))) == 1


def test_reimporting_the_same_file_changes_nothing(community):
    imported(community, GOOD)
    before = (count(Compound), count(Building), count(Entrance), count(QrCode))
    again = imported(community, GOOD)
    assert again.changes == 0 and again.new_codes == 0
    assert (count(Compound), count(Building), count(Entrance), count(QrCode)) == before


@pytest.mark.parametrize("encode", [
    lambda text: text.encode("utf-8"),
    lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),  # Excel's "CSV UTF-8" BOM
    lambda text: text.encode("gbk"),                       # Excel on Chinese Windows
], ids=["utf8", "utf8-bom", "gbk"])
def test_encodings(community, encode):
    text = csv_import.decode_csv(encode(GOOD))
    result = imported(community, text)
    assert result.problems == [] and result.new_entrances == 3
    assert db.session.scalar(select(Compound.name)) == "阳光小区"


def test_chinese_header_blank_lines_spaces_and_duplicates(community):
    text = ("小区,楼栋,单元\n\n 阳光小区 , 1号楼 ,1单元\n阳光小区,1号楼,1单元\n,,\n"
            "阳光小区,1号楼,1单元,\n")
    result = imported(community, text)
    assert result.problems == []
    assert (result.rows, result.new_buildings, result.new_entrances) == (3, 1, 1)


def test_each_bad_row_is_named_by_line_and_nothing_is_imported(community):
    text = ("阳光小区,1号楼,1单元\n"
            "阳光小区\n"                   # line 2: no building
            ",2号楼,1单元\n"               # line 3: no compound
            "阳光小区,3号楼,1单元,多余\n"   # line 4: four columns
            f"阳光小区,{'楼' * 61},1单元\n")  # line 5: name too long
    result = imported(community, text)
    assert [line for line, _ in result.problems] == [2, 3, 4, 5]
    assert count(Compound) == 0 and count(QrCode) == 0


def test_files_that_are_not_text_or_empty(community):
    with pytest.raises(editing.PlaceError):
        csv_import.decode_csv(b"\x89PNG\r\n\x1a\n\x00\xff\xfe\x80\x81")
    assert imported(community, "\n\n").problems


def test_ten_thousand_rows(community):
    lines = [f"大型小区{c},{b}号楼,{e}单元" for c in range(10) for b in range(1, 201)
             for e in range(1, 6)]
    text = "\n".join(lines)
    started = time.perf_counter()
    result = imported(community, text)
    elapsed = time.perf_counter() - started
    assert result.problems == [] and result.rows == 10_000
    assert (count(Compound), count(Building), count(Entrance)) == (10, 2000, 10_000)
    assert count(QrCode) == 12_000
    assert len(set(db.session.scalars(select(QrCode.token)))) == 12_000
    print(f"10,000 rows imported in {elapsed:.2f} s")


def test_buildings_sort_by_their_number(community):
    imported(community, "小区,10号楼\n小区,2号楼\n小区,1号楼\n")
    compound = db.session.scalars(select(Compound)).one()
    assert [b.name for b in compound.buildings] == ["1号楼", "2号楼", "10号楼"]
