"""Address matching (domain/places/addresses.py): names as written on the posters, ids, points.
The pure functions are tested on hand-made places; the rest on the demo communities."""

import pytest
from sqlalchemy import select

from webapp.domain.places import addresses
from webapp.extensions import db
from webapp.models import Community, Entrance


def community_id(code: str) -> int:
    return db.session.scalar(select(Community.id).where(Community.code == code))


def place_of(address: str, code: str = "xinqiaobeicun"):
    found = addresses.match_address(address, community_id(code))
    if found is None:
        return None
    entrance = db.session.get(Entrance, found.entrance_id) if found.entrance_id else None
    return (found.building.compound.name, found.building.name,
            entrance.name if entrance else None)


@pytest.mark.parametrize("address, expected", [
    ("东方花苑 3幢 2单元", ("东方花苑", "3幢", "2单元")),
    ("东方花苑3幢2单元", ("东方花苑", "3幢", "2单元")),
    ("东方花苑 10幢 1单元", ("东方花苑", "10幢", "1单元")),   # not 1幢
    ("东方花苑1幢1单元", ("东方花苑", "1幢", "1单元")),       # not 10幢
    ("2单元, 3幢, 东方花苑", ("东方花苑", "3幢", "2单元")),   # most specific first
    ("东方花苑 3号楼 2门", ("东方花苑", "3幢", "2单元")),     # the usual other words
    ("东方花苑３幢", ("东方花苑", "3幢", None)),               # full-width digit, no entrance
    ("3幢 2单元", ("东方花苑", "3幢", "2单元")),               # the only compound
    ("东方花苑 3幢 9单元 502室", ("东方花苑", "3幢", None)),
    ("东方花苑", None),                                        # which of ten buildings?
    ("东方花苑 11幢", None),
    ("人民路 1 号", None),
])
def test_addresses_as_written_on_the_posters(demo, address, expected):
    assert place_of(address) == expected


def test_a_compound_of_one_building_needs_no_building_name(demo):
    assert place_of("八一社区 微波宿舍 3单元", "bayi") == ("微波宿舍", "1号楼", "3单元")
    assert place_of("1号楼 3单元", "bayi") is None  # six compounds have a 1号楼


def test_metres_between():
    assert addresses.metres_between(37.0, 112.0, 37.0, 112.0) == 0
    assert 110_000 < addresses.metres_between(37.0, 112.0, 38.0, 112.0) < 112_000


# --- pure: no database ---------------------------------------------------------------------

GARDEN = {1: ("东方花苑", {10: ("1幢", [(100, "1单元"), (101, "2单元")]),
                          11: ("10幢", [(110, "1单元")]),
                          12: ("3号楼", [(120, "2单元")])}),
          2: ("微波宿舍", {20: ("1号楼", [(200, "3单元")])})}


def test_match_in_reads_names_without_a_database():
    assert addresses.match_in("东方花苑 3栋 2门", "新桥北村", GARDEN) == (12, 120)
    assert addresses.match_in("东方花苑10幢", "新桥北村", GARDEN) == (11, None)
    assert addresses.match_in("东方花苑 1幢 2单元", "新桥北村", GARDEN) == (10, 101)
    assert addresses.match_in("微波宿舍 3单元", "新桥北村", GARDEN) == (20, 200)
    assert addresses.match_in("1号楼", "新桥北村", GARDEN) is None  # which compound?
    only = {1: GARDEN[1]}
    assert addresses.match_in("新桥北村 3号楼", "新桥北村", only) == (12, None)
    assert addresses.match_in("人民路 3号楼", "新桥北村", only) is None


def test_names_have_their_usual_variants_and_numbers_are_whole():
    assert addresses.normalise("东方 花苑，３幢") == "东方花苑3幢"
    assert {"1栋", "1幢", "1号楼", "1号"} <= addresses.name_forms("1号楼",
                                                                addresses.BUILDING_SUFFIXES)
    assert "2门" in addresses.name_forms("2单元", addresses.ENTRANCE_SUFFIXES)
    assert addresses.find_whole("11幢1单元", "1幢") == -1
    assert addresses.find_whole("11幢1单元", "1单元") == 3
    assert addresses.find_whole("1单元1单元", "1单元", taken=(0, 3)) == 3


def test_nearest_point_within_the_distance_only():
    points = [(1, 37.0, 112.0), (2, 37.001, 112.0)]  # ~111 m apart
    assert addresses.nearest(37.0009, 112.0, points) == 2
    assert addresses.nearest(37.0, 112.0001, points) == 1
    assert addresses.nearest(37.01, 112.0, points) is None  # ~1 km away
    assert addresses.nearest(37.0, 112.0, []) is None


def test_an_address_id_names_an_entrance_or_a_building():
    assert addresses.address_id_of(3, 12) == "E12"
    assert addresses.address_id_of(3, None) == "B3"


# --- on the demo communities ---------------------------------------------------------------

def test_by_address_id_in_its_community_only(entrance_code):
    bayi = community_id("bayi")
    found = addresses.by_address_id(entrance_code.token, bayi)
    assert (found.building.id, found.entrance_id, found.qr) == \
        (entrance_code.building_id, entrance_code.entrance_id, entrance_code)
    by_entrance = addresses.by_address_id(f"E{entrance_code.entrance_id}", bayi)
    assert (by_entrance.building.id, by_entrance.entrance_id) == \
        (entrance_code.building_id, entrance_code.entrance_id)
    assert addresses.by_address_id(str(entrance_code.entrance_id), bayi).entrance_id == \
        entrance_code.entrance_id
    assert addresses.by_address_id(f"b{entrance_code.building_id}", bayi).entrance_id is None
    assert addresses.by_address_id(entrance_code.token, community_id("xinqiaobeicun")) is None
    assert addresses.by_address_id("E999999", bayi) is None


def test_a_replaced_code_is_refused(entrance_code):
    from webapp.domain import DomainRefused
    from webapp.models.types import utcnow

    entrance_code.revoked_at = utcnow()
    with pytest.raises(DomainRefused):
        addresses.by_address_id(entrance_code.token, community_id("bayi"))


def test_near_finds_the_building_at_a_point(entrance_code):
    building = entrance_code.building
    building.latitude, building.longitude = 37.85, 112.55
    db.session.flush()
    found = addresses.near(37.8501, 112.55, community_id("bayi"))
    assert found is not None and found.building.id == building.id
    assert addresses.near(37.86, 112.55, community_id("bayi")) is None
    assert addresses.near(37.85, 112.55, community_id("xinqiaobeicun")) is None
