"""The points ledger: manual awards and corrections, redemptions approved or rejected once,
no overspending by two approvals at once, rows never edited; a request holds its points
until it is decided, a movement given by mistake is reversed by a new transfer (once), award
lines name the community's day, and a decision reaches the volunteer. Races run on SQLite
and, in CI, on PostgreSQL."""

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from tests.conftest import app_secret, at_the_same_moment
from tests.domain.notify.test_feed import bell_of
from tests.domain.services.conftest import volunteer
from webapp.domain import unit_of_work
from webapp.domain.services import booking, ledger
from webapp.extensions import db
from webapp.models import (
    BookingStatus,
    Entry,
    Redemption,
    Reward,
    ServiceCategory,
    ServiceType,
    Transfer,
    User,
)


@pytest.fixture
def rich_volunteer(office, users):
    v = volunteer(office, "richvol")
    with unit_of_work():
        ledger.adjust(v, 100, "社区活动奖励", users["admin"])
    return v


def test_manual_award_and_correction_need_a_reason_and_keep_balance_above_zero(
        rich_volunteer, users):
    admin = users["admin"]
    with pytest.raises(ledger.LedgerRefused), unit_of_work():
        ledger.adjust(rich_volunteer, 10, " ", admin)
    for nobody, points in ((None, 10), (rich_volunteer, None)):  # the form named none
        with pytest.raises(ledger.LedgerRefused), unit_of_work():
            ledger.adjust(nobody, points, "reason", admin)
    with unit_of_work():
        ledger.adjust(rich_volunteer, -30, "重复记录更正", admin)
    assert ledger.balance(ledger.passbook(rich_volunteer)) == 70
    with pytest.raises(ledger.LedgerRefused), unit_of_work():
        ledger.adjust(rich_volunteer, -71, "too much", admin)
    assert [m.amount for m in ledger.movements(ledger.passbook(rich_volunteer))] == [-30, 100]


def test_redeem_approve_and_reject(rich_volunteer, users, office):
    reward = Reward(community_id=office.community_id, kind="goods", name_zh="洗衣液",
                    name_en="Detergent", cost=60, stock=1)
    db.session.add(reward)
    db.session.commit()
    first = ledger.request_redemption(rich_volunteer, reward)
    with unit_of_work():
        ledger.approve(first, users["admin"])
    db.session.expire_all()
    assert ledger.balance(ledger.passbook(rich_volunteer)) == 40
    assert reward.stock == 0 and first.status == "approved" and first.transfer_id
    with pytest.raises(ledger.LedgerRefused):
        ledger.request_redemption(rich_volunteer, reward)  # out of stock now
    with pytest.raises(ledger.DecisionRefused) as refused, unit_of_work():
        ledger.approve(first, users["admin"])  # already decided
    assert refused.value.status == 409
    reward.stock = 5
    db.session.commit()
    with pytest.raises(ledger.LedgerRefused):
        ledger.request_redemption(rich_volunteer, reward)  # 40 < 60
    second = Redemption(reward=reward, user=rich_volunteer)
    db.session.add(second)
    db.session.commit()
    with unit_of_work():
        ledger.reject(second, users["admin"], "积分不足")
    assert second.status == "rejected"
    with pytest.raises(ledger.DecisionRefused), unit_of_work():
        ledger.reject(second, users["admin"], "again")


def test_two_approvals_at_the_same_moment_cannot_overspend(app, rich_volunteer, users, office):
    reward = Reward(community_id=office.community_id, kind="fee_offset", name_zh="物业费抵扣",
                    name_en="Fee offset", cost=70, stock=10)
    db.session.add(reward)
    db.session.commit()
    with unit_of_work():  # asked before requests held their points (kept by migration 0028)
        requests = [Redemption(reward=reward, user=rich_volunteer) for _ in range(2)]
        db.session.add_all(requests)
    requests = [request.id for request in requests]
    admin_id = users["admin"].id

    def approve(i):
        with unit_of_work():
            ledger.approve(db.session.get(Redemption, requests[i]),
                           db.session.get(User, admin_id))

    outcomes = at_the_same_moment(app, 2, approve, (ledger.LedgerRefused,))
    assert sorted(outcomes) == ["ok", "refused"], outcomes
    db.session.expire_all()
    assert ledger.balance(ledger.passbook(rich_volunteer)) == 30
    assert db.session.get(Reward, reward.id).stock == 9


def test_ledger_rows_are_never_edited(rich_volunteer):
    entry = db.session.scalars(select(Entry)).first()
    entry.amount = 1_000_000
    with pytest.raises(RuntimeError, match="never edited"):
        db.session.commit()
    db.session.rollback()


def test_a_transfer_that_does_not_balance_is_refused_before_anything_is_written():
    """Double entry, as a pure rule: no app, no session is touched when the sum is not 0."""
    with pytest.raises(ValueError, match="sum to zero"):
        ledger._transfer("manual", "reason", [(1, 20), (2, -19)])
    with pytest.raises(ValueError, match="sum to zero"):
        ledger._transfer("manual", "reason", [(1, 5)])


@pytest.fixture(autouse=True)
def english(app):
    """Refusals are read in English here (outside a request they follow DEFAULT_LOCALE)."""
    with force_locale("en"):
        yield


@pytest.fixture
def rich(office, users):
    v = volunteer(office, "pb_rich")
    with unit_of_work():
        ledger.adjust(v, 100, "社区活动奖励", users["admin"])
    return v


def reward(office, cost, stock=10, name="洗衣液"):
    with unit_of_work():
        found = Reward(community_id=office.community_id, kind="goods", name_zh=name,
                       name_en="Soap", cost=cost, stock=stock,
                       collect_zh="社区服务站，周二 9:00–11:00")
        db.session.add(found)
    return found


def available(v):
    return ledger.available(ledger.passbook(v))


def test_a_request_holds_its_points_until_it_is_decided(rich, office, users):
    soap = reward(office, 60)
    with unit_of_work():
        first = ledger.request_redemption(rich, soap)
    assert ledger.balance(ledger.passbook(rich)) == 100 and available(rich) == 40
    with pytest.raises(ledger.LedgerRefused, match="40 available"), unit_of_work():
        ledger.request_redemption(rich, soap)  # 60 > 100 − 60 held
    assert db.session.scalar(select(func.count(Redemption.id))) == 1  # nothing half-stored
    with unit_of_work():
        ledger.reject(first, users["admin"], "暂时缺货")
    assert available(rich) == 100  # released
    with unit_of_work():
        second = ledger.request_redemption(rich, soap)
    soap.cost = 90  # a new price does not change what was asked
    db.session.commit()
    with unit_of_work():
        ledger.approve(second, users["admin"])
    assert ledger.balance(ledger.passbook(rich)) == 40 and available(rich) == 40
    with pytest.raises(ledger.DecisionRefused), unit_of_work():
        ledger.reject(second, users["admin"], "too late")  # approved stays approved
    assert db.session.get(Redemption, second.id).status == "approved"


def test_a_correction_cannot_take_points_a_request_holds(rich, office, users):
    with unit_of_work():
        ledger.request_redemption(rich, reward(office, 80))
    with pytest.raises(ledger.LedgerRefused, match="20 points available"), unit_of_work():
        ledger.adjust(rich, -30, "重复记录", users["admin"])
    with unit_of_work():
        ledger.adjust(rich, -20, "重复记录", users["admin"])
    assert ledger.balance(ledger.passbook(rich)) == 80 and available(rich) == 0


def test_requests_at_the_same_moment_hold_one_balance_once(app, rich, office, users):
    fee = reward(office, 70, name="物业费抵扣")
    rich_id, fee_id, admin_id = rich.id, fee.id, users["admin"].id

    def ask(_i):
        ledger.request_redemption(db.session.get(User, rich_id), db.session.get(Reward, fee_id))

    outcomes = at_the_same_moment(app, 8, ask, (ledger.LedgerRefused,))
    assert sorted(outcomes) == ["ok"] + ["refused"] * 7, outcomes
    held = db.session.scalars(select(Redemption)).all()
    assert len(held) == 1
    with unit_of_work():
        ledger.approve(held[0], db.session.get(User, admin_id))
    db.session.expire_all()
    assert ledger.balance(ledger.passbook(rich)) == 30 and available(rich) == 30


def test_a_request_and_a_correction_at_once_never_go_below_zero(app, rich, office, users):
    fee = reward(office, 70, name="物业费抵扣")
    rich_id, fee_id, admin_id = rich.id, fee.id, users["admin"].id

    def act(i):
        v = db.session.get(User, rich_id)
        if i == 0:
            ledger.request_redemption(v, db.session.get(Reward, fee_id))
        else:
            ledger.adjust(v, -70, "更正", db.session.get(User, admin_id))

    outcomes = at_the_same_moment(app, 2, act, (ledger.LedgerRefused,))
    assert sorted(outcomes) == ["ok", "refused"], outcomes
    db.session.expire_all()
    assert available(rich) == 30


@pytest.fixture
def awarded(office):
    """A volunteer awarded for a done haircut whose slot starts at 03:40 on 2 November in
    Shanghai, which is still 1 November in UTC: (volunteer, the award)."""
    category = ServiceCategory(community_id=office.community_id, name_zh="便民服务",
                               name_en="Everyday help")
    service = ServiceType(category=category, name_zh="上门理发", name_en="Haircut at home",
                          at_home=True, points=25)
    db.session.add(service)
    db.session.commit()
    start = datetime(2026, 11, 1, 19, 40, tzinfo=UTC)
    helper = volunteer(office, "pb_helper")
    with unit_of_work():
        slot, = booking.publish(service, office.community_id, start,
                                now=start - timedelta(days=3))
        booking.sign_up(slot, helper, now=start - timedelta(days=2))
        made, _new = booking.book(slot, None, booking.BookingDraft(
            submission_key="passbook-key-000001", name="王阿姨", phone="13900000001"),
            now=start - timedelta(days=1), secret=app_secret())
        made.status = BookingStatus.DONE  # checked in at the door (attendance.py)
        ledger.award_for_booking(made, helper, now=start + timedelta(hours=1))
    return helper, db.session.scalars(select(Transfer).where(Transfer.kind == "award")).one()


def test_an_award_line_names_the_community_s_day(awarded):
    _helper, award = awarded
    assert award.reason == "上门理发 · 2026-11-02"


def test_a_mistaken_award_is_reversed_by_a_new_transfer_once(awarded, users):
    helper, award = awarded
    admin = users["admin"]
    with pytest.raises(ledger.LedgerRefused), unit_of_work():
        ledger.reverse(award, " ", admin)  # a reason is needed
    with unit_of_work():
        reversal = ledger.reverse(award, "记错了人", admin)
    lines = ledger.movements(ledger.passbook(helper))
    assert [(m.amount, m.balance_after) for m in lines] == [(-25, 0), (25, 25)]
    assert lines[0].transfer.reverses_id == award.id and lines[1].reversed_by == reversal
    assert db.session.get(Transfer, award.id).kind == "award"  # the first is left as it was
    assert db.session.scalar(select(func.sum(Entry.amount))) == 0
    with pytest.raises(ledger.DecisionRefused, match="already reversed"), unit_of_work():
        ledger.reverse(award, "again", admin)
    with pytest.raises(ledger.LedgerRefused, match="cannot"), unit_of_work():
        ledger.reverse(reversal, "undo the undo", admin)
    assert db.session.scalar(select(func.count(Transfer.id)).where(
        Transfer.kind == "reversal")) == 1


def test_a_reversal_cannot_take_points_already_spent_or_held(rich, office, users):
    admin = users["admin"]
    with unit_of_work():
        ledger.request_redemption(rich, reward(office, 90))
    award = db.session.scalars(select(Transfer).where(Transfer.kind == "manual")).one()
    with pytest.raises(ledger.LedgerRefused, match="10 points available"), unit_of_work():
        ledger.reverse(award, "记错了", admin)
    assert db.session.scalar(select(func.count(Transfer.id))) == 1


def test_two_admins_reversing_at_once_reverse_once(app, awarded, users):
    _helper, award = awarded
    award_id, admin_id = award.id, users["admin"].id

    def undo(_i):
        ledger.reverse(db.session.get(Transfer, award_id), "记错了",
                       db.session.get(User, admin_id))

    outcomes = at_the_same_moment(app, 2, undo, (ledger.LedgerRefused,))
    assert sorted(outcomes) == ["ok", "refused"], outcomes
    assert db.session.scalar(select(func.count(Transfer.id)).where(
        Transfer.reverses_id == award_id)) == 1


def test_approval_and_rejection_both_reach_the_volunteer(rich, office, users):
    soap = reward(office, 10)
    with unit_of_work():
        asked = [ledger.request_redemption(rich, soap) for _ in range(2)]
    with unit_of_work():
        ledger.approve(asked[0], users["admin"])
    with unit_of_work():
        ledger.reject(asked[1], users["admin"], "每人限一次")
    bodies = [n.body for n in bell_of(rich) if n.kind == "redemption_decided"]
    assert len(bodies) == 2 and bodies[0].startswith("✓") and "每人限一次" in bodies[1]
