"""A community's own categories and retiring categories for one community
(domain/reports/categories.py): offered where they should be, nowhere else, and kept on the
reports that have them."""

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from tests.conftest import app_secret
from tests.domain.reports.conftest import category_coded, draft
from webapp.domain import unit_of_work
from webapp.domain.reports import categories, intake, sla
from webapp.extensions import db
from webapp.models import Category, Community, Milestone


@pytest.fixture
def bayi_xinqiao(demo):
    return db.session.scalars(select(Community).order_by(Community.id)).all()[:2]


def new(name_zh="电动车充电", name_en="E-bike charging", icon="🚲", major=False):
    return categories.CategoryDraft(name_zh=name_zh, name_en=name_en, icon=icon,
                                    is_major=major)


def test_a_communitys_own_category_is_offered_there_only(bayi_xinqiao):
    bayi, xinqiao = bayi_xinqiao
    with unit_of_work():
        own = categories.add(bayi.id, new())
    assert own.code == f"c{bayi.id}-e-bike-charging" and own.community_id == bayi.id
    assert own in categories.offered(bayi.id)
    assert own not in categories.offered(xinqiao.id)
    assert categories.of_community(xinqiao.id, own.id) is None
    assert categories.of_community(bayi.id, own.id) is own
    # the 52022 defaults for its kind, until the community sets its own
    assert sla.targets_for(own, bayi.id) == sla.ROUTINE_DEFAULTS
    with unit_of_work():
        major = categories.add(bayi.id, new("外墙脱落", "Falling facade", "🧱", major=True))
    assert sla.targets_for(major, bayi.id)[Milestone.PLAN] == 2 * sla.DAY


def test_names_and_icon_are_checked_and_a_shared_category_is_not_renamed(bayi_xinqiao):
    bayi, xinqiao = bayi_xinqiao
    with unit_of_work():
        own = categories.add(bayi.id, new())
    for bad, message in ((new(name_en=" "), "a Chinese and an English name"),
                         (new(icon="🦄"), "one of the icons"),
                         (new(name_zh="字" * 61), "at most 60"),
                         (new(name_en="water and DRAINS"), "already a category called"),
                         (new(), "already a category called")):
        with force_locale("en"), pytest.raises(categories.CategoryRefused, match=message), \
                unit_of_work():
            categories.add(bayi.id, bad)
    # xinqiao does not see bayi's, so may use the same name
    with unit_of_work():
        categories.add(xinqiao.id, new())
    with unit_of_work():
        categories.edit(own, bayi.id, new("充电桩", "Chargers", "🔧", major=True))
    db.session.expire_all()
    assert (own.name_zh, own.name_en, own.icon, own.is_major) == ("充电桩", "Chargers", "🔧",
                                                                  False)
    with force_locale("en"), pytest.raises(categories.CategoryRefused, match="shared"), \
            unit_of_work():
        categories.edit(category_coded("water"), bayi.id, new())


def test_a_shared_category_retired_in_one_community_stays_in_the_other(bayi_xinqiao):
    bayi, xinqiao = bayi_xinqiao
    parking = category_coded("parking")
    with unit_of_work():
        categories.retire(parking, bayi.id)
    assert parking not in categories.offered(bayi.id)
    assert parking in categories.offered(xinqiao.id)
    assert parking.active  # the installation's own flag is not touched
    offered, retired = categories.for_queue(bayi.id)
    assert parking in retired and parking not in offered
    with unit_of_work():
        categories.bring_back(parking, bayi.id)
    assert parking in categories.offered(bayi.id)


def test_the_last_offered_category_is_not_retired(bayi_xinqiao):
    bayi, _ = bayi_xinqiao
    *others, last = categories.offered(bayi.id)
    with unit_of_work():
        for category in others:
            categories.retire(category, bayi.id)
    with force_locale("en"), pytest.raises(categories.CategoryRefused, match="at least one"), \
            unit_of_work():
        categories.retire(last, bayi.id)
    assert categories.offered(bayi.id) == [last]


def test_no_new_report_of_a_retired_or_anothers_category_but_old_ones_keep_it(
        entrance_code, bayi_xinqiao, tmp_path):
    bayi, xinqiao = bayi_xinqiao
    assert entrance_code.building.compound.community_id == bayi.id
    water = category_coded("water")
    with unit_of_work():
        old, _ = intake.submit_report(entrance_code, draft("before-retiring-000001"), [],
                                      tmp_path, secret=app_secret())
        categories.retire(water, bayi.id)
        theirs = categories.add(xinqiao.id, new())
    for key, category_id in (("after-retiring-0000001", water.id),
                             ("someone-elses-00000001", theirs.id),
                             ("no-such-category-00001", 999_999)):
        with force_locale("en"), pytest.raises(categories.CategoryRefused,
                                               match="from the list"), unit_of_work():
            intake.submit_report(entrance_code, draft(key, category_id=category_id), [],
                                 tmp_path, secret=app_secret())
    db.session.expire_all()
    assert old.category.name_zh == water.name_zh
    assert db.session.scalar(select(Category).where(Category.id == old.category_id)) is water
