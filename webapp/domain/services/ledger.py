"""The points passbook as a double-entry ledger. Every movement is one transfer whose
entries sum to zero; a balance is the sum of an account's entries and is never stored.
A redemption request waiting for a decision holds its points: what a volunteer can still
ask for or lose to a correction is the balance less those (`available`). Anything that
takes or holds points of an account first locks that account's row, so two requests at the
same moment cannot both hold the same points. A movement given by mistake is undone by a
reversal, a new transfer with the entries negated, at most once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from webapp.domain import DomainRefused, savepoint
from webapp.extensions import db
from webapp.models import (
    Account,
    AccountKind,
    Booking,
    BookingStatus,
    CareVisit,
    Entry,
    Redemption,
    RedemptionStatus,
    Reward,
    Role,
    Transfer,
    User,
)
from webapp.models.types import utcnow


class LedgerRefused(DomainRefused):
    """str() is a message for the person who asked."""


class DecisionRefused(LedgerRefused):
    """A redemption request can no longer be decided as asked: someone decided it first, or
    the balance or the stock changed since the page was shown."""

    status = 409


def account_for(community_id: int, kind: str, user: User | None = None) -> Account:
    query = select(Account).where(Account.community_id == community_id, Account.kind == kind)
    query = query.where(Account.user_id == user.id) if user else \
        query.where(Account.user_id.is_(None))
    account = db.session.scalar(query)
    if account is None:
        account = Account(community_id=community_id, kind=kind, user=user)
        db.session.add(account)
        db.session.flush()
    return account


def passbook(user: User) -> Account:
    return account_for(user.organization.community_id, AccountKind.VOLUNTEER, user)


def balance(account: Account | int) -> int:
    account_id = account if isinstance(account, int) else account.id
    return db.session.scalar(
        select(func.coalesce(func.sum(Entry.amount), 0)).where(Entry.account_id == account_id))


def reserved(user_id: int) -> int:
    """The points held by the volunteer's requests that wait for a decision."""
    return db.session.scalar(
        select(func.coalesce(func.sum(Redemption.points), 0)).where(
            Redemption.user_id == user_id, Redemption.status == RedemptionStatus.REQUESTED))


def available(account: Account) -> int:
    """What the volunteer can still ask for: the balance less what requests hold."""
    return balance(account.id) - reserved(account.user_id)


@dataclass(frozen=True)
class Movement:
    transfer: Transfer
    amount: int
    balance_after: int
    reversed_by: Transfer | None = None  # the later transfer that undid this one


def movements(account: Account) -> list[Movement]:
    """Every movement of the account, newest first, with the balance after each."""
    rows = db.session.execute(
        select(Transfer, Entry.amount).join(Entry, Entry.transfer_id == Transfer.id)
        .where(Entry.account_id == account.id).order_by(Transfer.id)).all()
    undone = {t.reverses_id: t for t, _amount in rows if t.reverses_id is not None}
    running, result = 0, []
    for transfer, amount in rows:
        running += amount
        result.append(Movement(transfer, amount, running, undone.get(transfer.id)))
    return result[::-1]


def _transfer(kind: str, reason: str, moves: list[tuple[int, int]], *, booking=None,
              volunteer_id=None, by_id=None, now=None, reverses_id=None) -> Transfer:
    """One transfer; `moves` are (account id, amount) and must sum to zero."""
    if sum(amount for _account, amount in moves) != 0:
        raise ValueError("a transfer's entries must sum to zero")
    transfer = Transfer(kind=kind, reason=reason, booking=booking, volunteer_id=volunteer_id,
                        created_by_id=by_id, created_at=now or utcnow(),
                        reverses_id=reverses_id)
    db.session.add(transfer)
    for account_id, amount in moves:
        db.session.add(Entry(transfer=transfer, account_id=account_id, amount=amount))
    return transfer


def _begin_locked(account_id: int) -> None:
    """End the current transaction and start one whose first statement locks the account's
    row (on SQLite: takes the write lock), so that a balance read next cannot go stale.
    Callers pass plain ids: touching an expired object here would read before the lock.

    The one commit of a domain function here, on purpose: a balance is only safe to check
    in a transaction that began with the lock (on PostgreSQL a snapshot taken earlier would
    not see a spend committed meanwhile). So whatever the caller's unit of work did before
    is committed here, and the work after the lock is committed (or, on a refusal, rolled
    back, which frees the lock) by that same unit of work when it ends."""
    db.session.commit()
    db.session.execute(update(Account).where(Account.id == account_id)
                       .values(lock_version=Account.lock_version + 1)
                       .execution_options(synchronize_session=False))


def award_for_booking(booking: Booking, volunteer: User, now: datetime | None = None) -> bool:
    """A completed service earns its points, once per booking and volunteer. Runs inside the
    caller's transaction; returns False when the award was already made. Only a booking
    done (attendance.py: someone was at the door) earns anything."""
    if booking.status != BookingStatus.DONE:
        raise ValueError("only a done booking earns points")
    service = booking.slot.service
    if service.points <= 0:
        return False
    community_id = booking.slot.community_id
    pool = account_for(community_id, AccountKind.POOL).id
    earner = account_for(community_id, AccountKind.VOLUNTEER, volunteer).id
    try:
        with savepoint():
            _transfer("award", f"{service.name_zh} · {local_day(booking.slot)}",
                      [(pool, -service.points), (earner, service.points)],
                      booking=booking, volunteer_id=volunteer.id, now=now)
    except IntegrityError:
        return False
    return True


def award_for_visit(visit: CareVisit, volunteer: User, now: datetime | None = None) -> bool:
    """A care visit made (敲门行动) earns its points, once per visit and volunteer, like a
    service (award_for_booking). Returns False when the award was already made."""
    if visit.done_at is None:
        raise ValueError("only a visit made earns points")
    if visit.points <= 0:
        return False
    pool = account_for(visit.community_id, AccountKind.POOL).id
    earner = account_for(visit.community_id, AccountKind.VOLUNTEER, volunteer).id
    try:
        with savepoint():
            transfer = _transfer("award", f"敲门行动 · {visit.due_on}",
                                 [(pool, -visit.points), (earner, visit.points)],
                                 volunteer_id=volunteer.id, now=now)
            transfer.care_visit_id = visit.id
    except IntegrityError:
        return False
    return True


def adjust(volunteer: User | None, points: int | None, reason: str, by: User,
           now: datetime | None = None) -> Transfer:
    """An admin's manual award (points > 0) or correction (points < 0), with a reason.
    `volunteer` and `points` are None when the form named no such volunteer or number."""
    if volunteer is None or points is None:
        raise LedgerRefused(_l("Choose a volunteer and a whole number of points."))
    reason = (reason or "").strip()
    if not reason:
        raise LedgerRefused(_l("Please give a reason."))
    if points == 0 or abs(points) > 100_000:
        raise LedgerRefused(_l("Give a number of points other than zero."))
    if volunteer.role != Role.VOLUNTEER:
        raise LedgerRefused(_l("Points go to volunteers only."))
    community_id = volunteer.organization.community_id
    earner = account_for(community_id, AccountKind.VOLUNTEER, volunteer).id
    pool = account_for(community_id, AccountKind.POOL).id
    volunteer_id, by_id = volunteer.id, by.id
    _begin_locked(earner)
    if points < 0:
        _check_can_take(earner, volunteer_id, -points)
    return _transfer("manual" if points > 0 else "correction", reason,
                     [(pool, -points), (earner, points)],
                     volunteer_id=volunteer_id, by_id=by_id, now=now)


def offered_rewards(community_id: int) -> list[Reward]:
    """The rewards a volunteer of the community can ask for, cheapest first."""
    return list(db.session.scalars(select(Reward).where(
        Reward.community_id == community_id, Reward.active).order_by(Reward.cost)))


def recent_requests(volunteer: User, limit: int = 20) -> list[Redemption]:
    return list(db.session.scalars(select(Redemption).where(
        Redemption.user_id == volunteer.id).order_by(Redemption.id.desc()).limit(limit)))


def request_redemption(volunteer: User, reward: Reward) -> Redemption:
    """Ask for a reward: its cost is held from then on, until an admin decides."""
    if reward is None or not reward.active or \
            reward.community_id != volunteer.organization.community_id:
        raise LedgerRefused(_l("This reward is not available."))
    if reward.stock <= 0:
        raise LedgerRefused(_l("This reward is out of stock."))
    account_id, user_id, cost = passbook(volunteer).id, volunteer.id, reward.cost
    _begin_locked(account_id)
    free = balance(account_id) - reserved(user_id)
    if free < cost:
        raise LedgerRefused(_l(
            "You do not have enough points for this reward yet: it needs %(cost)d and you "
            "have %(free)d available (your balance less what your requests waiting for "
            "approval hold).", cost=cost, free=free))
    redemption = Redemption(reward=reward, user=volunteer, points=cost)
    db.session.add(redemption)
    return redemption


def approve(redemption: Redemption, admin: User, now: datetime | None = None) -> None:
    """Debit the volunteer and take one from stock — or refuse, changing nothing once the
    caller's unit of work rolls back."""
    now = now or utcnow()
    volunteer, reward = redemption.user, redemption.reward
    account = passbook(volunteer)
    community_id, account_id, volunteer_id = account.community_id, account.id, volunteer.id
    sink = account_for(community_id, AccountKind.SINK).id
    redemption_id, reward_id, cost, label = redemption.id, reward.id, redemption.points, \
        reward.name_zh
    admin_id = admin.id
    _begin_locked(account_id)

    def refuse(message):
        raise DecisionRefused(message)

    decided = db.session.execute(
        update(Redemption).where(Redemption.id == redemption_id,
                                 Redemption.status == RedemptionStatus.REQUESTED)
        .values(status=RedemptionStatus.APPROVED, decided_at=now, decided_by_id=admin_id)
        .execution_options(synchronize_session=False)).rowcount
    if not decided:
        refuse(_l("This request was already decided."))
    if balance(account_id) < cost:
        refuse(_l("The volunteer's balance is too low for this reward."))
    in_stock = db.session.execute(
        update(Reward).where(Reward.id == reward_id, Reward.stock > 0)
        .values(stock=Reward.stock - 1).execution_options(synchronize_session=False)).rowcount
    if not in_stock:
        refuse(_l("This reward is out of stock."))
    transfer = _transfer("redemption", label, [(account_id, -cost), (sink, cost)],
                         volunteer_id=volunteer_id, by_id=admin_id, now=now)
    db.session.flush()
    db.session.execute(update(Redemption).where(Redemption.id == redemption_id)
                       .values(transfer_id=transfer.id)
                       .execution_options(synchronize_session=False))
    _heard(redemption, RedemptionStatus.APPROVED)


def reject(redemption: Redemption, admin: User, note: str, now: datetime | None = None) -> None:
    """Refuse a request: what it held is free again. Decided by the same conditional write
    as an approval, so an approval and a rejection at once cannot both count."""
    note = (note or "").strip() or None
    decided = db.session.execute(
        update(Redemption).where(Redemption.id == redemption.id,
                                 Redemption.status == RedemptionStatus.REQUESTED)
        .values(status=RedemptionStatus.REJECTED, decided_at=now or utcnow(),
                decided_by_id=admin.id, note=note)
        .execution_options(synchronize_session=False)).rowcount
    if not decided:
        raise DecisionRefused(_l("This request was already decided."))
    _heard(redemption, RedemptionStatus.REJECTED)


def _heard(redemption: Redemption, status: str) -> None:
    """The conditional write bypassed the object: set the new status on it too, unread, so
    that the next flush repeats it and notifications (notify/feed.py) hear the decision."""
    db.session.expire(redemption)
    redemption.status = status


REVERSIBLE = ("award", "manual", "correction")
MAX_REASON = 200


def check_reversal(transfer: Transfer | None, reason: str) -> str:
    """The reason, stripped; refuses a movement that cannot be reversed, or no reason."""
    reason = (reason or "").strip()
    if transfer is None or transfer.volunteer_id is None:
        raise LedgerRefused(_l("There is no such movement."))
    if transfer.kind not in REVERSIBLE:
        raise LedgerRefused(_l("Only awards and corrections can be reversed; a reversal or "
                               "a redemption cannot."))
    if not reason:
        raise LedgerRefused(_l("Please give a reason."))
    if len(reason) > MAX_REASON:
        raise LedgerRefused(_l("The reason may be at most %(n)d characters.", n=MAX_REASON))
    return reason


def reverse(transfer: Transfer | None, reason: str, by: User,
            now: datetime | None = None) -> Transfer:
    """Undo a movement given by mistake with a new transfer that negates its entries; the
    first stays as it was, and both show in the passbook. Once per movement (a unique
    index, so two admins at once cannot both reverse it); a reversal is not reversed."""
    reason = check_reversal(transfer, reason)
    moves = [(entry.account_id, -entry.amount) for entry in transfer.entries]
    earner = db.session.scalar(select(Account.id).where(
        Account.id.in_([account for account, _amount in moves]),
        Account.kind == AccountKind.VOLUNTEER))
    taken = -sum(amount for account, amount in moves if account == earner)
    transfer_id, volunteer_id, by_id = transfer.id, transfer.volunteer_id, by.id
    booking_id = transfer.booking_id
    _begin_locked(earner)
    if db.session.scalar(select(Transfer.id).where(Transfer.reverses_id == transfer_id)):
        raise DecisionRefused(_l("This movement was already reversed."))
    if taken > 0:
        _check_can_take(earner, volunteer_id, taken)
    try:
        with savepoint():
            reversal = _transfer("reversal", reason, moves, volunteer_id=volunteer_id,
                                 by_id=by_id, now=now, reverses_id=transfer_id)
            reversal.booking_id = booking_id
            db.session.flush()
    except IntegrityError:
        raise DecisionRefused(_l("This movement was already reversed.")) from None
    return reversal


def _check_can_take(account_id: int, user_id: int, points: int) -> None:
    """After the lock: refuse to take more than the balance less what requests hold."""
    free = balance(account_id) - reserved(user_id)
    if free < points:
        raise LedgerRefused(_l(
            "That would take the balance below zero or below what requests waiting for "
            "approval hold (%(free)d points available).", free=free))


def local_day(slot) -> str:
    """The day of a slot as the community reads its calendar (not UTC's day)."""
    return f"{slot.starts_at.astimezone(ZoneInfo(slot.community.timezone)):%Y-%m-%d}"
