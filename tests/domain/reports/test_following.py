"""我也遇到了: which open reports a door offers to follow, and following one."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import app_secret
from tests.domain.reports.conftest import T0, category_coded, minutes
from webapp.domain import DomainRefused, unit_of_work
from webapp.domain.reports import category_settings, dispatch, following, intake
from webapp.domain.shared.tokens import digest, unseal
from webapp.extensions import db
from webapp.models import Entrance, QrCode, Report, ReportEvent, ReportFollower, ReportStatus


def file(code, key, description="楼道灯不亮", category="electricity", now=T0, **fields):
    draft = intake.ReportDraft(submission_key=f"follow-test-{key:08d}",
                               category_id=category_coded(category).id,
                               description=description, **fields)
    with unit_of_work():
        report, _ = intake.submit_report(code, draft, [], None, now=now, secret=app_secret())
    return report


def code_of(entrance_code, name):
    """Another entrance's code of the same building."""
    return db.session.scalars(select(QrCode).join(Entrance, QrCode.entrance_id == Entrance.id)
                              .where(Entrance.building_id == entrance_code.building_id,
                                     Entrance.name == name, QrCode.revoked_at.is_(None))).one()


LATER = minutes(10)


def offered(code, now=LATER):
    return [r.id for r in following.open_at_door(code, now)]


def me_too(code, report, key="me-too-key-000000001", now=LATER, **fields):
    with unit_of_work():
        return following.follow(code, report.id, following.FollowDraft(key, **fields),
                                secret=app_secret(), now=now)


def test_a_door_offers_the_open_recent_reports_of_its_entrance_and_building(
        entrance_code, users):
    mine = file(entrance_code, 1)
    building_wide = file(entrance_code, 2)
    building_wide.entrance_id = None  # filed from the building's own code
    other_entrance = file(code_of(entrance_code, "1单元"), 3)
    db.session.commit()
    assert set(offered(entrance_code)) == {mine.id, building_wide.id}
    assert other_entrance.id not in offered(entrance_code)
    # 30 days on, they are no longer news
    assert offered(entrance_code, now=T0 + following.RECENT + timedelta(minutes=1)) == []


@pytest.mark.parametrize("change", ["closed", "resolved", "hidden", "private"])
def test_a_door_never_offers_what_is_done_hidden_or_private(entrance_code, users, change):
    report = file(entrance_code, 1)
    if change == "closed":
        report.status = ReportStatus.CLOSED
    elif change == "resolved":
        report.status = ReportStatus.RESOLVED
    elif change == "hidden":
        report.hidden_from_board = True
    else:
        category_settings.save(report.category, report.community_id, routing=None,
                               targets=dict(category_settings.sla.targets_for(
                                   report.category, report.community_id)), private=True)
    db.session.commit()
    assert offered(entrance_code) == []


def test_a_door_offers_a_few_newest_first(entrance_code, users):
    reports = [file(entrance_code, n, now=minutes(n)) for n in range(1, 6)]
    assert offered(entrance_code) == [r.id for r in reversed(reports)][:following.AT_MOST]


def test_following_adds_a_follower_and_a_wordless_public_step(entrance_code, users):
    report = file(entrance_code, 1, contact_name="王阿姨", contact_phone="13800000000")
    version = report.version
    follower, created = me_too(entrance_code, report, phone="13911112222", sms_updates=True,
                               language="en_GB")
    assert created and follower.report_id == report.id and follower.language == "en"
    assert follower.link_token_hash == digest(
        following.follow_token("me-too-key-000000001", app_secret()))
    assert unseal(follower.sealed_link, app_secret()) == following.follower_path(
        following.follow_token("me-too-key-000000001", app_secret()))
    event = db.session.scalars(select(ReportEvent).where(
        ReportEvent.report_id == report.id).order_by(ReportEvent.id.desc())).first()
    assert (event.kind, event.is_public, event.note, event.actor_kind) == \
        ("followed", True, None, "resident")
    # a neighbour joining is not a change to the report: staff's open forms stay valid
    assert db.session.get(Report, report.id).version == version
    assert following.followers_count(report) == 1


def test_a_replayed_me_too_is_one_follower(entrance_code, users):
    report = file(entrance_code, 1)
    first, _ = me_too(entrance_code, report)
    again, created = me_too(entrance_code, report)
    assert not created and again.id == first.id
    assert following.followers_count(report) == 1


def test_only_a_report_the_door_offers_can_be_followed(entrance_code, users):
    elsewhere = file(code_of(entrance_code, "1单元"), 1)
    with pytest.raises(following.FollowRefused):
        me_too(entrance_code, elsewhere)
    closed = file(entrance_code, 2)
    dispatch.reject(closed, users["dispatcher"], "不属于物业", now=minutes(2))
    db.session.commit()
    with pytest.raises(following.FollowRefused):
        me_too(entrance_code, closed)
    assert db.session.scalars(select(ReportFollower)).all() == []


def test_texts_need_a_mobile(entrance_code, users):
    report = file(entrance_code, 1)
    with pytest.raises(DomainRefused) as refused:
        me_too(entrance_code, report, phone="0351-7654321", sms_updates=True)
    assert refused.value.field == "phone"
    assert following.followers_count(report) == 0


def test_a_neighbour_reads_the_public_words_only(entrance_code, users):
    report = file(entrance_code, 1, description="302室王阿姨家门口灯坏了，电话13800000000",
                  contact_name="王阿姨", floor_room="302")
    text = following.excerpt(report)
    assert "王阿姨" not in text and "13800000000" not in text and "302" not in text
    assert "灯坏了" in text
    long = file(entrance_code, 2, description="灯" * 200)
    assert len(following.excerpt(long)) == following.EXCERPT
