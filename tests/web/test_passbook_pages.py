"""The passbook's pages: points held by a request, where to collect a reward, the admin's
history with its filters and reversals, and dates in the community's own time zone."""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.conftest import login
from tests.web.test_volunteer_admin_pages import EN, csrf
from webapp.domain import unit_of_work
from webapp.domain.services import ledger
from webapp.extensions import db
from webapp.models import Redemption, Reward, Transfer, User

ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def earned(demo, users):
    """The demo volunteer 小王 with 100 points, and the cheapest demo reward at 60."""
    helper = users["xiaowang"]
    with unit_of_work():
        ledger.adjust(helper, 100, "社区活动奖励", users["admin"])
    reward = db.session.scalars(select(Reward).order_by(Reward.cost)).first()
    reward.cost = 60
    db.session.commit()
    return helper, reward


def redeem(client, reward, headers=EN):
    return client.post(f"/volunteer/rewards/{reward.id}/redeem", headers=headers,
                       data={"csrf_token": csrf(client, "/volunteer/passbook")})


def test_a_request_holds_points_and_the_page_says_where_to_collect(client, earned):
    _helper, reward = earned
    login(client, "xiaowang")
    page = client.get("/volunteer/passbook", headers=EN).text
    assert "Community service centre, ground-floor desk" in page  # the demo's collection text
    assert redeem(client, reward).status_code == 303
    page = client.get("/volunteer/passbook", headers=EN).text
    assert "60 held by requests waiting for approval: 40 available." in page
    assert f"/volunteer/rewards/{reward.id}/redeem" not in page  # no button past what is free
    refused = redeem(client, reward)
    assert refused.status_code == 409 and "you have 40 available" in refused.text
    refused = redeem(client, reward, ZH)
    assert refused.status_code == 409 and "可用 40 分" in refused.text
    assert db.session.scalar(select(func.count(Redemption.id))) == 1


def test_admin_history_filters_and_reverses_a_mistaken_award(client, earned, users):
    helper, reward = earned
    with unit_of_work():
        ledger.adjust(helper, 5, "另一笔", users["admin"])
        ledger.request_redemption(helper, reward)
    award = db.session.scalars(select(Transfer).where(Transfer.reason == "社区活动奖励")).one()
    login(client, "admin")
    page = client.get(f"/admin/points/history?volunteer={helper.id}", headers=EN).text
    assert "社区活动奖励" in page and "waiting for approval" in page
    assert f"/admin/transfers/{award.id}/reverse" in page
    this_month = datetime.now(UTC).strftime("%Y-%m")
    assert "社区活动奖励" not in client.get(
        f"/admin/points/history?volunteer={helper.id}&month=2001-01").text
    assert "社区活动奖励" in client.get(f"/admin/points/history?month={this_month}").text
    assert client.get("/admin/points/history?volunteer=x&month=nonsense").status_code == 200

    token = csrf(client, "/admin/points/history")
    url = f"/admin/transfers/{award.id}/reverse"
    empty = client.post(url, headers=EN, data={"csrf_token": token, "reason": " "})
    assert empty.status_code == 422 and "Please give a reason" in empty.text
    asked = client.post(url, headers=EN, data={"csrf_token": token, "reason": "记错了人"})
    assert asked.status_code == 200 and "Reverse this movement?" in asked.text
    assert db.session.scalar(select(func.count(Transfer.id)).where(
        Transfer.kind == "reversal")) == 0  # asking changes nothing
    # 60 of the 105 are held by the request: taking back 100 would dip into them.
    held = client.post(url, headers=EN, data={"csrf_token": token, "reason": "记错了人",
                                              "confirmed": "1"})
    assert held.status_code == 422 and "45 points available" in held.text
    with unit_of_work():
        ledger.reject(db.session.scalars(select(Redemption)).one(), users["admin"], "")
    done = client.post(url, data={"csrf_token": token, "reason": "记错了人", "confirmed": "1"})
    assert done.status_code == 303
    again = client.post(url, headers=EN, data={"csrf_token": token, "reason": "again",
                                               "confirmed": "1"})
    assert again.status_code == 409 and "already reversed" in again.text
    login(client, "xiaowang")
    passbook = client.get("/volunteer/passbook", headers=EN).text
    assert "Reversal: <bdi>记错了人</bdi>" in passbook and "reversed on" in passbook
    assert "社区活动奖励" in passbook  # the first line stays


def test_passbook_dates_are_in_the_communitys_zone(client, earned, users):
    """A community in Ürümqi's zone (UTC+6): a line made at 17:30 UTC on 1 November is
    still the 1st there, though Shanghai (the default zone) is already on the 2nd."""
    helper, _reward = earned
    community = helper.organization.community
    community.timezone = "Asia/Urumqi"
    db.session.commit()
    with unit_of_work():
        ledger.adjust(helper, 7, "夜间值守", users["admin"],
                      now=datetime(2026, 11, 1, 17, 30, tzinfo=UTC))
    login(client, "xiaowang")
    row = re.search(r"<tr><td><time[^>]*>([^<]+)</time></td><td>\s*<bdi>夜间值守",
                    client.get("/volunteer/passbook").text)
    assert row.group(1) == "2026-11-01"
    login(client, "admin")
    history = client.get(f"/admin/points/history?volunteer={helper.id}&month=2026-11").text
    assert "2026-11-01 23:30" in history


def test_a_reward_is_added_with_where_to_collect_it(client, demo):
    login(client, "admin")
    token = csrf(client, "/admin/points")
    added = client.post("/admin/rewards", data={
        "csrf_token": token, "kind": "goods", "name_zh": "大米", "name_en": "Rice",
        "cost": "20", "stock": "5", "collect_zh": "服务站 周三下午", "collect_en": ""})
    assert added.status_code == 303
    rice = db.session.scalars(select(Reward).where(Reward.name_zh == "大米")).one()
    assert (rice.collect_zh, rice.collect_en, rice.collect("en")) == \
        ("服务站 周三下午", None, "服务站 周三下午")
    long = client.post("/admin/rewards", headers=EN, data={
        "csrf_token": token, "kind": "goods", "name_zh": "面", "name_en": "Noodles",
        "cost": "20", "stock": "5", "collect_zh": "长" * 201})
    assert long.status_code == 422 and "at most 200" in long.text
    assert db.session.scalar(select(func.count(Reward.id)).where(Reward.name_zh == "面")) == 0
    assert db.session.scalar(select(User.id).where(User.username == "admin"))


def test_a_residents_booking_page_shows_its_communitys_clock(client, entrance_code):
    """Public pages have no signed-in user: the booking's own community gives the zone."""
    from tests.conftest import app_secret
    from webapp.domain.services import booking
    from webapp.domain.shared.tokens import booking_token
    from webapp.models import Slot

    slot = db.session.scalars(select(Slot).where(
        Slot.community_id == entrance_code.building.compound.community_id)
        .order_by(Slot.starts_at)).first()
    slot.community.timezone = "Asia/Urumqi"
    db.session.commit()
    key = "zone-booking-key-0001"
    with unit_of_work():
        booking.book(slot, entrance_code, booking.BookingDraft(
            submission_key=key, name="王阿姨", phone="13900000031"), secret=app_secret())
    page = client.get(f"/b/{booking_token(key, app_secret())}", headers=EN).text
    assert slot.starts_at.astimezone(ZoneInfo("Asia/Urumqi")).strftime("%Y-%m-%d %H:%M") in page
