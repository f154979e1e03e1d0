"""The bell of a staff user or volunteer: their recent notifications, read or unread. Every
function takes the user and touches only that user's items, so another person's item answers
exactly like a missing one."""

from __future__ import annotations

from sqlalchemy import case, func, select, update

from webapp.extensions import db
from webapp.models import Notification, User
from webapp.models.types import utcnow

RECENT = 50
# Kinds that give a handler a job: "My jobs" marks such a job new until its item is read.
JOB_KINDS = ("assigned", "escalated")


def _mine(user: User):
    return Notification.user_id == user.id


def recent(user: User, limit: int = RECENT) -> list[Notification]:
    """Newest first."""
    return list(db.session.scalars(
        select(Notification).where(_mine(user))
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count(Notification.id))
                             .where(_mine(user), Notification.read_at.is_(None)))


def state(user: User) -> tuple[int, int]:
    """(unread items, newest item id or 0) in one statement: what every staff page shows."""
    unread, newest = db.session.execute(
        select(func.count(case((Notification.read_at.is_(None), 1))),
               func.max(Notification.id)).where(_mine(user))).one()
    return unread or 0, newest or 0


def mark_read(user: User, notification_id: int) -> Notification | None:
    """The user's own item, now read; None when it is not theirs or does not exist."""
    item = db.session.get(Notification, notification_id)
    if item is None or item.user_id != user.id:
        return None
    if item.read_at is None:
        item.read_at = utcnow()
    return item


def mark_all_read(user: User) -> int:
    """How many items were unread."""
    return db.session.execute(
        update(Notification).where(_mine(user), Notification.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False)).rowcount


def mark_report_read(user: User, report_id: int) -> None:
    """The user opened the report: what their bell says of it is read."""
    db.session.execute(
        update(Notification).where(_mine(user), Notification.report_id == report_id,
                                   Notification.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False))


def new_since(user: User, after_id: int, limit: int = 20) -> list[Notification]:
    """The user's items added after `after_id`, newest first (for the live pages)."""
    return list(db.session.scalars(
        select(Notification).where(_mine(user), Notification.id > after_id)
        .order_by(Notification.id.desc()).limit(limit)))


def unread_jobs(user: User) -> set[int]:
    """Reports the user was given a job on and has not yet read of."""
    return set(db.session.scalars(
        select(Notification.report_id).where(
            _mine(user), Notification.read_at.is_(None), Notification.kind.in_(JOB_KINDS),
            Notification.report_id.is_not(None))))
