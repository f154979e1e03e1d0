"""The place staff pick for a report, step by step, inside their own community."""

from datetime import timedelta

from sqlalchemy import select

from tests.domain.reports.conftest import building_of
from webapp.domain import unit_of_work
from webapp.domain.places import picker
from webapp.extensions import db
from webapp.models import Community, QrCode
from webapp.models.types import utcnow


def bayi():
    return db.session.scalars(select(Community).where(Community.code == "bayi")).one()


def test_each_step_offers_the_places_inside_the_one_before(demo):
    community = bayi()
    start = picker.pick(community.id, None, None, None)
    assert [c.name for c in start.compounds] == sorted(c.name for c in community.compounds)
    assert start.compound is None and not start.complete

    building = building_of("建材宿舍")
    compound = building.compound
    step = picker.pick(community.id, compound.id, None, None)
    assert step.compound == compound and step.buildings == [building] and not step.complete

    step = picker.pick(community.id, compound.id, building.id, None)
    assert [e.name for e in step.entrances] == ["1单元", "2单元", "3单元"]
    assert not step.complete  # the building has entrances: one, or the whole building

    second = building.entrances[1]
    step = picker.pick(community.id, compound.id, building.id, second.id)
    assert step.complete and step.entrance == second and step.entrance_id == second.id

    whole = picker.pick(community.id, compound.id, building.id, picker.WHOLE_BUILDING)
    assert whole.complete and whole.entrance is None and whole.entrance_id is None


def test_a_place_outside_the_step_before_is_not_picked(demo):
    community = bayi()
    here, there = building_of("建材宿舍"), building_of("微波宿舍")
    # another compound's building, another building's entrance, another community's compound
    assert picker.pick(community.id, here.compound_id, there.id, None).building is None
    mixed = picker.pick(community.id, here.compound_id, here.id, there.entrances[0].id)
    assert mixed.entrance is None and not mixed.complete
    elsewhere = building_of("东方花苑", "1幢")
    assert picker.pick(community.id, elsewhere.compound_id, elsewhere.id, None).compound is None


def test_a_scanned_code_picks_its_door_if_it_is_active_and_ours(demo):
    community = bayi()
    here = building_of("建材宿舍")
    code = db.session.scalars(select(QrCode).where(
        QrCode.entrance_id == here.entrances[2].id)).first()
    picked, found = picker.pick_by_code(community.id, code.token)
    assert found == code and picked.complete and picked.entrance == here.entrances[2]

    building_code = db.session.scalars(select(QrCode).where(
        QrCode.building_id == here.id, QrCode.entrance_id.is_(None))).first()
    picked, _ = picker.pick_by_code(community.id, building_code.token)
    assert picked.complete and picked.entrance is None

    elsewhere = db.session.scalars(select(QrCode).where(
        QrCode.building_id == building_of("东方花苑", "1幢").id)).first()
    assert picker.pick_by_code(community.id, elsewhere.token) is None
    assert picker.pick_by_code(community.id, "no-such-code") is None
    with unit_of_work():
        code.revoked_at = utcnow() - timedelta(minutes=1)
    assert picker.pick_by_code(community.id, code.token) is None
