"""What a community offers for volunteers' points, and what its admin sees of them: the
rewards, the volunteers' balances, the requests waiting for a decision and the history of
requests and movements. Spending points is the ledger's (domain/services/ledger.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

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
    Transfer,
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
    collect_zh: str | None = None  # where and when to collect it
    collect_en: str | None = None


def add_reward(community_id: int, draft: RewardDraft) -> Reward:
    try:
        name_zh = fit(Reward.name_zh, draft.name_zh.strip(), _l("Name (Chinese)"))
        name_en = fit(Reward.name_en, draft.name_en.strip(), _l("Name (English)"))
        collect_zh = fit(Reward.collect_zh, (draft.collect_zh or "").strip(),
                         _l("Where to collect it (Chinese)")) or None
        collect_en = fit(Reward.collect_en, (draft.collect_en or "").strip(),
                         _l("Where to collect it (English)")) or None
    except TextTooLong as error:
        raise RewardRefused(str(error)) from None
    cost, stock = draft.cost, draft.stock
    if draft.kind not in KINDS or not name_zh or not name_en or cost is None or \
            stock is None or not 1 <= cost <= MAX_COST or not 0 <= stock <= MAX_STOCK:
        raise RewardRefused(_l("Give the reward a kind, both names, a cost and a stock."))
    reward = Reward(community_id=community_id, kind=draft.kind, name_zh=name_zh,
                    name_en=name_en, cost=cost, stock=stock, collect_zh=collect_zh,
                    collect_en=collect_en)
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


# --- history ----------------------------------------------------------------------------------

HISTORY_LIMIT = 300


@dataclass(frozen=True)
class Line:
    """A movement of a volunteer's points as the history lists it."""

    transfer: Transfer
    volunteer_id: int
    amount: int
    reversed_by: Transfer | None


@dataclass(frozen=True)
class History:
    redemptions: list[Redemption]
    lines: list[Line]


def month_bounds(month: str | None, timezone: str) -> tuple[datetime, datetime] | None:
    """A "YYYY-MM" month as UTC bounds, by the community's calendar; None for any month or
    something that is not a month."""
    try:
        year, number = (int(part) for part in (month or "").split("-"))
        start = datetime(year, number, 1, tzinfo=ZoneInfo(timezone))
        end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=ZoneInfo(timezone))
    except ValueError:
        return None
    return start.astimezone(UTC), end.astimezone(UTC)


def history(community_id: int, timezone: str, volunteer_id: int | None = None,
            month: str | None = None) -> History:
    """The community's redemption requests and volunteers' movements (awards, adjustments,
    reversals, redemptions), newest first, for one volunteer and one month if asked."""
    bounds = month_bounds(month, timezone)
    asked = select(Redemption).join(Reward).where(Reward.community_id == community_id)
    moved = (select(Transfer, Account.user_id, Entry.amount)
             .join(Entry, Entry.transfer_id == Transfer.id)
             .join(Account, Account.id == Entry.account_id)
             .where(Account.community_id == community_id,
                    Account.kind == AccountKind.VOLUNTEER))
    if volunteer_id is not None:
        asked = asked.where(Redemption.user_id == volunteer_id)
        moved = moved.where(Account.user_id == volunteer_id)
    if bounds is not None:
        asked = asked.where(Redemption.created_at >= bounds[0],
                            Redemption.created_at < bounds[1])
        moved = moved.where(Transfer.created_at >= bounds[0], Transfer.created_at < bounds[1])
    rows = db.session.execute(moved.order_by(Transfer.id.desc()).limit(HISTORY_LIMIT)).all()
    undone = {t.reverses_id: t for t in db.session.scalars(select(Transfer).where(
        Transfer.reverses_id.in_([t.id for t, _user, _amount in rows])))}
    return History(
        redemptions=list(db.session.scalars(asked.order_by(Redemption.id.desc())
                                            .limit(HISTORY_LIMIT))),
        lines=[Line(t, user_id, amount, undone.get(t.id)) for t, user_id, amount in rows])
