"""Rewards and what the admin's points page shows, without the page (domain/services/rewards.py)."""

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from webapp.domain import unit_of_work
from webapp.domain.people import accounts
from webapp.domain.services import ledger, rewards
from webapp.extensions import db
from webapp.models import Account, Organization, Redemption, Reward, Role

RICE = rewards.RewardDraft(kind="goods", name_zh="大米", name_en="Rice", cost=50, stock=3)


@pytest.fixture
def office(demo):
    return db.session.scalars(select(Organization).where(
        Organization.name == "八一社区居委会")).one()


def test_a_reward_is_added_or_refused_whole(office):
    with unit_of_work():
        made = rewards.add_reward(office.community_id, RICE)
    assert made in rewards.rewards_of(office.community_id)
    before = db.session.scalar(select(func.count(Reward.id)))
    for change, message in (({"kind": "car"}, "kind, both names"),
                            ({"name_en": ""}, "kind, both names"),
                            ({"cost": 0}, "kind, both names"),
                            ({"cost": None}, "kind, both names"),
                            ({"stock": 100_001}, "kind, both names"),
                            ({"name_zh": "米" * 500}, "Name \\(Chinese\\)")):
        draft = rewards.RewardDraft(**{**RICE.__dict__, **change})
        with force_locale("en"), pytest.raises(rewards.RewardRefused, match=message), \
                unit_of_work():
            rewards.add_reward(office.community_id, draft)
    assert db.session.scalar(select(func.count(Reward.id))) == before


def test_balances_and_open_requests_of_the_community(office, users):
    with unit_of_work():
        rich = accounts.create_user("richvol", "富志愿者", "volunteer-pass", Role.VOLUNTEER,
                                    office)
        poor = accounts.create_user("poorvol", "新志愿者", "volunteer-pass", Role.VOLUNTEER,
                                    office)
    with unit_of_work():
        ledger.adjust(rich, 80, "活动", users["admin"])
    volunteers = rewards.volunteers_of(office.community_id)
    assert {rich, poor} <= set(volunteers) and users["admin"] not in volunteers
    accounts_before = db.session.scalar(select(func.count(Account.id)))
    found = rewards.balances(volunteers)
    assert (found[rich.id], found[poor.id]) == (80, 0)
    assert db.session.scalar(select(func.count(Account.id))) == accounts_before  # read only
    with unit_of_work():
        reward = rewards.add_reward(office.community_id, RICE)
    with unit_of_work():
        asked = Redemption(reward=reward, user=rich)
        db.session.add(asked)
    assert asked in rewards.open_requests(office.community_id)
    with unit_of_work():
        ledger.reject(asked, users["admin"], "下次吧")
    assert asked not in rewards.open_requests(office.community_id)
