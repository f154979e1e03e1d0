"""The brake on password guessing, which must never become a way to lock someone out.

Failures are counted per (username, address): after a few, each further try from that
address waits longer (2 s, 4 s, 8 s … up to 5 minutes). A username under attack from many
addresses, or an address trying many usernames, makes every try wait at least a minute after
that pair's (or that address's) last failure: slower, never locked. So the real user, from
their own address, can still log in while someone elsewhere hammers their username. A
throttled try is refused without checking the password and recorded for the audit page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, exists, func, or_, select, update

from webapp.extensions import db
from webapp.models import LoginAttempt, Organization, User

WINDOW = timedelta(minutes=15)          # failures older than this no longer slow anyone
FREE_TRIES = 3                          # per (username, address) before any wait
LONGEST_WAIT = timedelta(minutes=5)
CEILING = 20                            # failures of one username, or from one address
CEILING_WAIT = timedelta(minutes=1)
KEEP_FOR_AUDIT = timedelta(days=30)


class TooManyAttempts(Exception):
    """Wait `wait` before trying again."""

    def __init__(self, wait: timedelta):
        super().__init__(wait)
        self.wait = wait


def wait_after(failures: int) -> timedelta:
    """The growing wait after `failures` failures of one (username, address)."""
    if failures < FREE_TRIES:
        return timedelta(0)
    return min(timedelta(seconds=2 ** (failures - FREE_TRIES + 1)), LONGEST_WAIT)


def _counted(since: datetime):
    return (LoginAttempt.created_at > since, LoginAttempt.cleared_at.is_(None),
            LoginAttempt.throttled.is_(False))


def check(username: str, address: str, now: datetime) -> None:
    """Raises TooManyAttempts (and records the refused try) while this username and address
    must wait."""
    pair = (LoginAttempt.username == username) & (LoginAttempt.remote_addr == address)
    by_address = LoginAttempt.remote_addr == address
    pair_count, pair_last, name_count, address_count, address_last = db.session.execute(
        select(func.count().filter(pair), func.max(LoginAttempt.created_at).filter(pair),
               func.count().filter(LoginAttempt.username == username),
               func.count().filter(by_address),
               func.max(LoginAttempt.created_at).filter(by_address))
        .where(*_counted(now - WINDOW),
               or_(LoginAttempt.username == username, by_address))
    ).one()
    ready = now
    if pair_count:
        needed = wait_after(pair_count)
        if name_count >= CEILING:
            needed = max(needed, CEILING_WAIT)
        ready = max(ready, _aware(pair_last) + needed)
    if address_count >= CEILING:
        ready = max(ready, _aware(address_last) + CEILING_WAIT)
    if ready > now:
        record_failure(username, address, now, throttled=True)
        raise TooManyAttempts(ready - now)


def record_failure(username: str, address: str, now: datetime, throttled=False) -> None:
    """Commits on its own, the one domain function here that does: the failure must stay
    recorded although the login it belongs to is then refused (check() raises right after,
    and a unit of work around the login would roll back everything else)."""
    db.session.add(LoginAttempt(username=username, remote_addr=address, created_at=now,
                                throttled=throttled))
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < now - KEEP_FOR_AUDIT))
    db.session.commit()


def clear(username: str, now: datetime, address: str | None = None) -> int:
    """The username's failures (from `address` only, if given) no longer slow anyone down;
    they stay on the audit page. Returns how many were cleared. Does not commit."""
    condition = [LoginAttempt.username == username, LoginAttempt.cleared_at.is_(None)]
    if address is not None:
        condition.append(LoginAttempt.remote_addr == address)
    return db.session.execute(update(LoginAttempt).where(*condition)
                              .values(cleared_at=now)).rowcount


def slowed_usernames(community_id: int, now: datetime) -> dict[str, int]:
    """The community's usernames with failures that still count, and how many."""
    rows = db.session.execute(
        select(LoginAttempt.username, func.count())
        .where(*_counted(now - WINDOW), LoginAttempt.username.in_(_usernames_of(community_id)))
        .group_by(LoginAttempt.username).order_by(LoginAttempt.username))
    return dict(rows.all())


def recent_failures(community_id: int, limit: int = 200) -> list[LoginAttempt]:
    """The audit page: failed logins for the community's usernames and for names that match
    no account at all (so that guessing is seen); other communities' users are not shown."""
    unknown = ~exists().where(User.username == LoginAttempt.username)
    return list(db.session.scalars(
        select(LoginAttempt)
        .where(or_(LoginAttempt.username.in_(_usernames_of(community_id)), unknown))
        .order_by(LoginAttempt.created_at.desc(), LoginAttempt.id.desc()).limit(limit)))


def is_community_username(community_id: int, username: str) -> bool:
    return db.session.scalar(select(func.count()).select_from(User).join(Organization).where(
        Organization.community_id == community_id, User.username == username)) > 0


def _usernames_of(community_id: int):
    return select(User.username).join(Organization).where(
        Organization.community_id == community_id)


def _aware(value: datetime) -> datetime:
    """func.max() hands back what the driver gives: SQLite a naive UTC time or a string."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
