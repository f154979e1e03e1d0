"""Fanning a notice out to people: a staff user or volunteer (bell, then push and SMS as they
chose, held back in their quiet hours unless urgent), an organisation's group robot, a
resident who subscribed a report or booking (push) or asked for texts (SMS)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from webapp.domain.notify import outbox, subscriptions
from webapp.domain.notify.messages import Notice, language_of, render
from webapp.domain.people import robots
from webapp.domain.shared.phones import texting_number
from webapp.extensions import db
from webapp.models import (
    Channel,
    Community,
    NotificationPreference,
    Organization,
    Role,
    User,
)
from webapp.models.types import utcnow


def preference(user: User) -> NotificationPreference:
    return db.session.get(NotificationPreference, user.id) or default_preference(user.id)


def default_preference(user_id: int | None) -> NotificationPreference:
    """A user's until they choose; a resident's always (quiet from 22:00 to 07:00)."""
    return NotificationPreference(
        user_id=user_id, language="zh", push=True, sms=False, desktop=True, sound=False,
        quiet_hours=True, quiet_from=22 * 60, quiet_until=7 * 60)


def deliver_at(pref: NotificationPreference, zone: str, now: datetime, urgent: bool) -> datetime:
    """Now, or when the user's quiet hours end if it is not urgent and they are in them."""
    if urgent or not pref.quiet_hours or pref.quiet_from == pref.quiet_until:
        return now
    local = now.astimezone(ZoneInfo(zone))
    minute = local.hour * 60 + local.minute
    start, end = pref.quiet_from, pref.quiet_until
    quiet = start <= minute < end if start < end else (minute >= start or minute < end)
    if not quiet:
        return now
    wake = local.replace(hour=end // 60, minute=end % 60, second=0, microsecond=0)
    if wake <= local:
        wake += timedelta(days=1)
    return wake.astimezone(now.tzinfo)


def _zone(community_id: int | None) -> str:
    community = db.session.get(Community, community_id) if community_id else None
    return community.timezone if community else "Asia/Shanghai"


def tell_user(notice: Notice, user: User | None, path: str | None = None,
              pushes: list | None = None, not_after: datetime | None = None,
              now: datetime | None = None) -> None:
    """`pushes`: the user's live push subscriptions, when tell_users read them already.
    `not_after`: no push or text if quiet hours would hold it back past then (a reminder
    that would come after the start)."""
    if user is None or not user.active:
        return
    pref = preference(user)
    language = language_of(pref)
    title, body = render(notice, language)
    url = path or notice.staff_path
    outbox.ring(user_id=user.id, key=notice.key, kind=notice.kind, title=title, body=body,
                url=url, urgent=notice.urgent, report_id=notice.report_id)
    now = now or utcnow()
    due = deliver_at(pref, _zone(notice.community_id), now, notice.urgent)
    if not_after is not None and due > not_after:
        return
    common = dict(kind=notice.kind, title=title, body=body, url=url, language=language,
                  community_id=notice.community_id, due_at=due, urgent=notice.urgent,
                  report_id=notice.report_id)
    if pref.push:
        found = push_subscriptions(user_id=user.id) if pushes is None else \
            [(row.id, row.sealed_url) for row in pushes]
        for subscription_id, _sealed in found:
            outbox.enqueue(key=f"{notice.key}|push:{subscription_id}", channel=Channel.PUSH,
                           recipient=f"push:{subscription_id}", **common)
    mobile = texting_number(user.phone)
    if pref.sms and mobile:
        outbox.enqueue(key=f"{notice.key}|user:{user.id}|sms", channel=Channel.SMS,
                       recipient=f"phone:{mobile}", **common)


def tell_users(notice: Notice, users, path: str | None = None) -> None:
    """Each of `users` once; their push subscriptions read in one query, not one each."""
    everyone = {u.id: u for u in users if u is not None and u.active}
    pushes = subscriptions.active_for_users(everyone) if len(everyone) > 1 else {}
    for user in everyone.values():
        tell_user(notice, user, path, pushes.get(user.id))


def tell_robot(notice: Notice, org: Organization | None) -> None:
    """Post to the organisation's group robot, if it has one (groups read Chinese)."""
    if org is None or not org.active or not has_robot(org):
        return
    title, body = render(notice, "zh")
    outbox.enqueue(key=f"{notice.key}|org:{org.id}|robot", channel=Channel.ROBOT,
                   recipient=f"org:{org.id}", kind=notice.kind, title=title, body=body,
                   url=notice.staff_path, language="zh", community_id=notice.community_id,
                   due_at=utcnow(), urgent=notice.urgent, report_id=notice.report_id)


def tell_resident(notice: Notice, *, owner: str, language: str, phone: str | None,
                  sms: bool, sealed_link: str | None, push: bool = True,
                  quiet: bool = False, not_after: datetime | None = None,
                  now: datetime | None = None) -> None:
    """A resident who subscribed this report or booking on a device (push), or asked for
    texts (SMS, with the private link the record keeps sealed). `quiet`: a non-urgent notice
    waits out the night (the default quiet hours: residents set none), and is dropped if
    that is past `not_after`."""
    due = now or utcnow()
    if quiet:
        due = deliver_at(default_preference(None), _zone(notice.community_id), due,
                         notice.urgent)
        if not_after is not None and due > not_after:
            return
    title, body = render(notice, language)
    common = dict(kind=notice.kind, title=title, body=body, language=language,
                  community_id=notice.community_id, due_at=due, urgent=notice.urgent,
                  report_id=notice.report_id, url_sealed=True)
    if push:
        kind, _, record_id = owner.partition(":")
        for subscription_id, sealed in push_subscriptions(**{f"{kind}_id": int(record_id)}):
            if sealed:
                outbox.enqueue(key=f"{notice.key}|push:{subscription_id}",
                               channel=Channel.PUSH, recipient=f"push:{subscription_id}",
                               url=sealed, **common)
    mobile = texting_number(phone)
    if sms and mobile and sealed_link:
        outbox.enqueue(key=f"{notice.key}|{owner}|sms", channel=Channel.SMS,
                       recipient=f"phone:{mobile}", url=sealed_link, **common)


# --- who is who -----------------------------------------------------------------------------

def staff_of(community_id: int, *roles: Role) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Organization)
        .where(Organization.community_id == community_id, User.role.in_(roles),
               User.active.is_(True))
        .order_by(User.id)))


def dispatchers(community_id: int) -> list[User]:
    """Who dispatches: the dispatchers, or the admins where there is no dispatcher."""
    return staff_of(community_id, Role.DISPATCHER) or staff_of(community_id, Role.ADMIN)


def handlers_of(org: Organization | None) -> list[User]:
    if org is None:
        return []
    return [u for u in org.users if u.active and u.role == Role.HANDLER]


def has_robot(org: Organization) -> bool:
    return robots.address_for(org) is not None


def push_subscriptions(*, user_id=None, report_id=None, booking_id=None
                       ) -> list[tuple[int, str | None]]:
    """(id, sealed page path) of the live push subscriptions of a user, report or booking."""
    if user_id is not None:
        rows = subscriptions.active_for_user(user_id)
    elif report_id is not None:
        rows = subscriptions.active_for_report(report_id)
    else:
        rows = subscriptions.active_for_booking(booking_id)
    return [(row.id, row.sealed_url) for row in rows]


def local_time(moment: datetime, community_id: int | None) -> str:
    local = moment.astimezone(ZoneInfo(_zone(community_id)))
    return local.strftime("%m-%d %H:%M")

