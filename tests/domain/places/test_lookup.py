"""Finding places: the scan page's one read, active codes, communities and compounds."""

from sqlalchemy import update

from webapp.domain import unit_of_work
from webapp.domain.places import editing, lookup
from webapp.domain.reports import categories
from webapp.extensions import db
from webapp.models import Category, Community


def test_a_scan_finds_its_place_and_knows_a_replaced_code(entrance_code):
    token = entrance_code.token
    place = lookup.find_scan_place(token)
    community = entrance_code.building.compound.community
    assert (place.community_name, place.compound_name, place.building_name,
            place.entrance_name, place.revoked) == (community.name, "微波宿舍",
                                                    entrance_code.building.name, "2单元", False)
    assert place.hotline == community.hotline
    assert lookup.find_scan_place("no-such-token") is None
    assert lookup.active_code(token) == entrance_code

    with unit_of_work():
        new = editing.replace_code(entrance_code)
    assert lookup.find_scan_place(token).revoked is True
    assert lookup.active_code(token) is None
    assert lookup.active_code(new.token) == new
    assert lookup.find_scan_place(new.token) == place.__class__(
        **{**place.__dict__, "token": new.token})


def test_active_codes_are_listed_in_place_order_without_revoked_ones(entrance_code):
    listed = lookup.active_codes()
    assert (entrance_code.token, "微波宿舍", entrance_code.building.name, "2单元") in listed
    with unit_of_work():
        editing.replace_code(entrance_code)
    assert entrance_code.token not in [row[0] for row in lookup.active_codes()]


def test_communities_compounds_and_the_categories_a_resident_chooses_from(demo):
    communities = lookup.communities()
    assert len(communities) == 2 and lookup.sole_community() is None
    (weibo,) = lookup.compounds_named("微波宿舍")
    assert lookup.compound_by_id(weibo.id) == weibo
    own = lookup.compounds_of(weibo.community_id)
    assert weibo in own and all(c.community_id == weibo.community_id for c in own)
    assert [c.name for c in own] == sorted(c.name for c in own)

    offered = categories.offered(weibo.community_id)
    assert offered and all(c.active for c in offered)
    hidden = offered[0]
    db.session.execute(update(Category).where(Category.id == hidden.id).values(active=False))
    assert hidden not in categories.offered(weibo.community_id)


def test_one_community_is_the_sole_one(app):
    assert lookup.sole_community() is None
    with unit_of_work():
        db.session.add(Community(code="solo", name="独一社区", hotline="010-1"))
    assert lookup.sole_community().code == "solo"
