"""The points ledger: manual awards and corrections, redemptions approved or rejected once,
no overspending by two approvals at once, rows never edited."""

import pytest
from sqlalchemy import select

from tests.conftest import at_the_same_moment
from tests.domain.services.conftest import volunteer
from webapp.domain import unit_of_work
from webapp.domain.services import ledger
from webapp.extensions import db
from webapp.models import Entry, Redemption, Reward, User


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
