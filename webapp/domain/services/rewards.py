"""What a community offers for volunteers' points, and what its admin sees of them: the
rewards, the volunteers' balances and the requests waiting for a decision. Spending points
is the ledger's (domain/services/ledger.py)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from webapp.domain import DomainRefused
from webapp.extensions import db
from webapp.models import (
    Account,
    AccountKind,
    Entry,
    Organization,
    Redemption,
    RedemptionStatus,
    Reward,
    Role,
    User,
)
from webapp.models.text import TextTooLong, fit

KINDS = ("goods", "service", "fee_offset")
MAX_COST = MAX_STOCK = 100_000


class RewardRefused(DomainRefused):
    """str() is a message for the admin."""


@dataclass(frozen=True)
class RewardDraft:
    """A new reward as typed; `cost` and `stock` are None when they were not numbers."""

    kind: str
    name_zh: str
    name_en: str
    cost: int | None
    stock: int | None


def add_reward(community_id: int, draft: RewardDraft) -> Reward:
    try:
        name_zh = fit(Reward.name_zh, draft.name_zh.strip(), _l("Name (Chinese)"))
        name_en = fit(Reward.name_en, draft.name_en.strip(), _l("Name (English)"))
    except TextTooLong as error:
        raise RewardRefused(str(error)) from None
    cost, stock = draft.cost, draft.stock
    if draft.kind not in KINDS or not name_zh or not name_en or cost is None or \
            stock is None or not 1 <= cost <= MAX_COST or not 0 <= stock <= MAX_STOCK:
        raise RewardRefused(_l("Give the reward a kind, both names, a cost and a stock."))
    reward = Reward(community_id=community_id, kind=draft.kind, name_zh=name_zh,
                    name_en=name_en, cost=cost, stock=stock)
    db.session.add(reward)
    return reward


def rewards_of(community_id: int) -> list[Reward]:
    return list(db.session.scalars(select(Reward).where(Reward.community_id == community_id)
                                   .order_by(Reward.cost)))


def volunteers_of(community_id: int) -> list[User]:
    """The community's active volunteers, by name."""
    return list(db.session.scalars(
        select(User).join(User.organization)
        .where(Organization.community_id == community_id, User.role == Role.VOLUNTEER,
               User.active).order_by(User.display_name)))


def balances(volunteers: list[User]) -> dict[int, int]:
    """Each volunteer's balance by user id, in one query; 0 for one with no passbook yet
    (reading makes none: a passbook is opened by its first movement)."""
    found = dict(db.session.execute(
        select(Account.user_id, func.coalesce(func.sum(Entry.amount), 0))
        .outerjoin(Entry, Entry.account_id == Account.id)
        .where(Account.kind == AccountKind.VOLUNTEER,
               Account.user_id.in_([v.id for v in volunteers]))
        .group_by(Account.user_id)).all())
    return {v.id: found.get(v.id, 0) for v in volunteers}


def open_requests(community_id: int) -> list[Redemption]:
    """Redemption requests of the community's rewards that wait for a decision."""
    return list(db.session.scalars(select(Redemption).join(Reward).where(
        Reward.community_id == community_id,
        Redemption.status == RedemptionStatus.REQUESTED).order_by(Redemption.id)))
