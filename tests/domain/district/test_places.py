"""Districts and street offices as typed by `flask` commands, and what an overseer sees:
their own street's communities, or their district's, narrowed only to a street of theirs."""

import pytest
from sqlalchemy import select

from webapp.domain import unit_of_work
from webapp.domain.district import places
from webapp.domain.people import accounts
from webapp.extensions import db
from webapp.models import Community, Company, Organization, OrgKind, Role
from webapp.models.text import max_length


@pytest.fixture
def district(app):
    with unit_of_work():
        district = places.create_district("xd", "测试区")
        north = places.create_street(district, "xd-n", "测试北街道")
        south = places.create_street(district, "xd-s", "测试南街道")
        for i, street in enumerate((north, north, south)):
            community = Community(code=f"c{i}", name=f"社区{i}")
            db.session.add(community)
            places.place_under(community, street)
    return district


def test_names_are_checked_and_not_taken_twice(district):
    for code, name in (("", "某区"), ("xx", "  "), ("xd", "别的区"), ("yy", "测试区"),
                       ("zz", "区" * (max_length(places.District.name) + 1))):
        with pytest.raises(places.PlaceRefused), unit_of_work():
            places.create_district(code, name)
    with pytest.raises(places.PlaceRefused), unit_of_work():
        places.create_street(district, "xd-other", "测试北街道")  # the name is in the district
    with pytest.raises(places.PlaceRefused), unit_of_work():
        places.create_street(district, "xd-n", "新街道")  # codes are unique everywhere
    assert [s.code for s in district.streets] == ["xd-n", "xd-s"]


def overseer(name, **where):
    with unit_of_work():
        return accounts.create_user(name, name, "a long enough password", Role.OVERSEER, None,
                                    **where)


def test_a_street_user_sees_their_street_whatever_they_ask(district):
    user = overseer("north", street=places.street_coded("xd-n"))
    scope = places.scope_of(user, "xd-s")  # another street's code is ignored
    assert scope.street.code == "xd-n"
    assert sorted(c.code for c in scope.communities) == ["c0", "c1"]


def test_a_district_user_sees_all_or_one_street_of_theirs(district):
    user = overseer("district", district=district)
    assert sorted(c.code for c in places.scope_of(user).communities) == ["c0", "c1", "c2"]
    assert [c.code for c in places.scope_of(user, "xd-s").communities] == ["c2"]
    assert places.scope_of(user, "nowhere").street is None


def test_nobody_else_oversees_anything(district, demo):
    dispatcher = db.session.scalar(select(accounts.User).where(
        accounts.User.role == Role.DISPATCHER))
    assert places.scope_of(dispatcher) is None


def test_a_company_is_found_only_through_the_communities_it_serves(district):
    c0, c2 = (db.session.scalar(select(Community).where(Community.code == code))
              for code in ("c0", "c2"))
    with unit_of_work():
        company = Company(name="某物业")
        db.session.add(Organization(community=c0, kind=OrgKind.PROPERTY, name="某物业",
                                    company=company))
    assert places.company_in(company.id, [c0.id]) == company
    assert places.company_in(company.id, [c2.id]) is None
