"""Editing places and replacing codes: each change in a unit of work, as the admin pages
make it."""

import pytest
from sqlalchemy import func, select

from tests.conftest import app_secret, count
from webapp.domain import unit_of_work
from webapp.domain.places import editing
from webapp.domain.reports import intake
from webapp.extensions import db
from webapp.models import Building, Compound, Entrance, QrCode


def test_add_rename_remove(community):
    with unit_of_work():
        compound = editing.add_compound(community, "新小区")
        assert compound.id is not None  # the page it leads to is named by it
        building = editing.add_building(compound, "1号楼")
        entrance = editing.add_entrance(building, "1单元")
    assert count(QrCode) == 2
    with pytest.raises(editing.PlaceError), unit_of_work():
        editing.add_entrance(building, "1单元")
    with pytest.raises(editing.PlaceError) as refused, unit_of_work():
        editing.rename(building, "  ")
    assert refused.value.status == 422
    with unit_of_work():
        editing.rename(entrance, "一单元")
    assert entrance.name == "一单元"
    with unit_of_work():
        editing.remove(entrance)
    assert count(Entrance) == 0 and count(QrCode) == 1
    with unit_of_work():
        editing.remove(compound)
    assert (count(Compound), count(Building), count(QrCode)) == (0, 0, 0)


def test_coordinates_are_set_cleared_or_refused_whole(community):
    with unit_of_work():
        building = editing.add_building(editing.add_compound(community, "小区"), "1号楼")
    with unit_of_work():
        editing.set_coordinates(building, " 37.81234567 ", "112.5678")
    assert (building.latitude, building.longitude) == (37.8123457, 112.5678)
    for latitude, longitude in (("north", "1"), ("91", "1"), ("1", "")):
        with pytest.raises(editing.PlaceError), unit_of_work():
            editing.set_coordinates(building, latitude, longitude)
        assert building.latitude == 37.8123457
    with unit_of_work():
        editing.set_coordinates(building, "", " ")
    assert building.latitude is None and building.longitude is None


def test_a_place_with_reports_cannot_be_removed(demo, entrance_code):
    from webapp.models import Category
    draft = intake.ReportDraft(submission_key="place-admin-00000001", description="漏水了",
                                 category_id=db.session.scalar(select(Category.id)))
    intake.submit_report(entrance_code, draft, [], None, secret=app_secret())
    db.session.commit()
    for place in (entrance_code.entrance, entrance_code.building.compound):
        with pytest.raises(editing.PlaceInUse) as refused, unit_of_work():
            editing.remove(place)
        assert refused.value.status == 409  # the page said it could go; it cannot
    assert db.session.get(Entrance, entrance_code.entrance_id) is not None


def test_replacing_a_code_revokes_it_and_issues_a_new_one(entrance_code):
    with unit_of_work():
        new = editing.replace_code(entrance_code)
    assert entrance_code.revoked_at is not None
    assert new.replaces_id == entrance_code.id and new.token != entrance_code.token
    assert (new.building_id, new.entrance_id) == (entrance_code.building_id,
                                                  entrance_code.entrance_id)
    with pytest.raises(editing.PlaceInUse), unit_of_work():
        editing.replace_code(entrance_code)
    assert db.session.scalar(select(func.count(QrCode.id)).where(
        QrCode.replaces_id == entrance_code.id)) == 1
