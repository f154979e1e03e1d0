"""A community's own SLA targets, routing and canned replies for the shared categories count in
that community only: what 八一社区's admin saves never changes 新桥北村社区's reports."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import app_secret
from webapp.domain import unit_of_work
from webapp.domain.reports import category_settings, intake, routing, sla
from webapp.extensions import db
from webapp.models import Category, Community, QrCode, SlaTarget

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def places(demo):
    bayi, xinqiao = db.session.scalars(select(Community).order_by(Community.id)).all()[:2]
    return bayi, xinqiao


def code_of(community) -> QrCode:
    return next(c for c in db.session.scalars(select(QrCode).order_by(QrCode.id))
                if c.building.compound.community_id == community.id)


def file(community, category, n, tmp_path):
    draft = intake.ReportDraft(submission_key=f"settings-test-{n:08d}",
                                 category_id=category.id, description="楼道漏水")
    return intake.submit_report(code_of(community), draft, [], tmp_path, now=T0,
                                  secret=app_secret())[0]


def category(code) -> Category:
    return db.session.scalars(select(Category).where(Category.code == code)).one()


def test_one_communitys_targets_and_routing_leave_the_other_alone(places, tmp_path):
    bayi, xinqiao = places
    water = category("water")
    before = sla.targets_for(water, xinqiao.id)
    with unit_of_work():
        category_settings.save(water, bayi.id, routing="office",
                               targets={"accept": 5, "arrive": 60, "resolve": 240},
                               canned="八一：师傅已出发")
    assert sla.targets_for(water, bayi.id) == {"accept": 5, "arrive": 60, "resolve": 240}
    assert sla.targets_for(water, xinqiao.id) == before == sla.ROUTINE_DEFAULTS
    assert water.routing == "partner"

    here, there = file(bayi, water, 1, tmp_path), file(xinqiao, water, 2, tmp_path)
    assert here.next_due_at == T0 + timedelta(minutes=5)
    assert there.next_due_at == T0 + timedelta(minutes=30)
    assert routing.suggested_org(here).kind == "office"
    assert routing.suggested_org(there) == there.compound.partner_org
    assert "八一：师傅已出发" in [r.text for r in category_settings.canned_replies(bayi.id)]
    assert "八一：师傅已出发" not in [r.text for r in
                                 category_settings.canned_replies(xinqiao.id, water.id)]


def test_shared_defaults_count_everywhere_and_own_rows_win(places, tmp_path):
    bayi, xinqiao = places
    water = category("water")
    db.session.add(SlaTarget(category=water, milestone="accept", minutes=20))
    db.session.commit()
    with unit_of_work():
        category_settings.save(water, bayi.id, routing=None,
                               targets={"accept": 10, "arrive": 5, "resolve": 20})
    assert sla.targets_for(water, bayi.id)["accept"] == 10
    assert sla.targets_for(water, xinqiao.id)["accept"] == 20
    # saving the values it already has adds no rows of its own
    with unit_of_work():
        category_settings.save(water, xinqiao.id, routing=None,
                               targets={"accept": 20, "arrive": 5, "resolve": 20})
    assert not [t for t in water.sla_targets if t.community_id == xinqiao.id]


@pytest.mark.parametrize("targets, routing_to", [
    ({"accept": 0, "arrive": 5, "resolve": 20}, None),
    ({"accept": None, "arrive": 5, "resolve": 20}, None),
    ({"accept": 10 ** 9, "arrive": 5, "resolve": 20}, None),
    ({"accept": 5, "arrive": 5}, None),
    ({"accept": 5, "arrive": 5, "resolve": 20}, "nowhere"),
])
def test_a_refused_setting_stores_nothing(places, targets, routing_to):
    bayi, _xinqiao = places
    water = category("water")
    with pytest.raises(category_settings.SettingRefused), unit_of_work():
        category_settings.save(water, bayi.id, routing=routing_to, targets=targets)
    assert category_settings.setting_of(water, bayi.id) is None
    assert sla.targets_for(water, bayi.id) == sla.ROUTINE_DEFAULTS
