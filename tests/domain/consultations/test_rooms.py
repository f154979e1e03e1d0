"""A building's rooms, typed or pasted by staff: all lines or none, each problem by line."""

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from tests.domain.consultations.conftest import ROOMS
from webapp.domain import unit_of_work
from webapp.domain.consultations import rooms
from webapp.extensions import db
from webapp.models import Household


def count(building_id):
    return db.session.scalar(select(func.count(Household.id)).where(
        Household.building_id == building_id))


def test_rooms_with_area_and_entrance_and_typing_again_updates(entrance_code):
    building = entrance_code.building
    with unit_of_work():
        assert rooms.save_rooms(building, ROOMS) == (6, 0)
    listed = rooms.rooms_of(building.id)
    assert [h.room for h in listed] == ["101", "102", "201", "202", "301", "302"]
    assert listed[1].area_x100 == 10000 and listed[0].entrance_id is None
    assert [h.room for h in rooms.rooms_of(building.id, entrance_code.entrance_id)] == \
        ["202", "301"]
    with unit_of_work():
        assert rooms.save_rooms(building, "101，85.25\t\n401") == (1, 1)
    assert rooms.rooms_of(building.id)[0].area_x100 == 8525


def test_every_wrong_line_is_named_and_nothing_is_stored(entrance_code):
    typed = "101\n101\n102, 八十\n103, 80, 9单元\n104, 0\n" + "1" * 41
    with pytest.raises(rooms.RoomsRefused) as refused, unit_of_work():
        rooms.save_rooms(entrance_code.building, typed)
    with force_locale("en"):
        message = str(refused.value)
    for n in range(2, 7):
        assert f"Line {n}:" in message
    assert "Line 1:" not in message
    assert count(entrance_code.building_id) == 0


def test_an_empty_list_is_refused(entrance_code):
    with pytest.raises(rooms.RoomsRefused):
        rooms.parse_rooms(" \n\n", entrance_code.building)


def test_rooms_sort_as_people_count_them():
    assert sorted(["10-101", "2-301", "2-1001", "B1"], key=rooms.room_order) == \
        ["2-301", "2-1001", "10-101", "B1"]


def test_a_room_that_had_a_say_stays(consultation, building):
    household = rooms.rooms_of(building.id)[0]
    with pytest.raises(rooms.RoomsRefused), unit_of_work():
        rooms.remove_room(household)
    assert count(building.id) == 6
