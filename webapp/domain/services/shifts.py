"""The volunteer side's own rules: sign-up windows (a week's shifts opened at one set time, so
that the first to read the news do not take them all) and leaving a shift (a reason for the
staff, and never within the community's cut-off: then the office is called instead)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from webapp.domain import DomainRefused
from webapp.domain.services import catalogue
from webapp.extensions import db
from webapp.models import Community, Slot, VolunteerShift
from webapp.models.text import plain

MAX_CUTOFF_HOURS = 14 * 24
MAX_REASON = 300


class ShiftRefused(DomainRefused):
    """str() is a message for the person who asked."""

    status = 409


def local(moment: datetime, community: Community) -> str:
    return f"{moment.astimezone(ZoneInfo(community.timezone)):%m-%d %H:%M}"


# --- sign-up windows ------------------------------------------------------------------------

def check_signup_open(slot: Slot, now: datetime) -> None:
    """Before its window opens a shift is shown but cannot be taken; from the minute it opens,
    it can."""
    if slot.signup_opens_at is not None and now < slot.signup_opens_at:
        raise ShiftRefused(_l("Sign-up for this shift opens at %(when)s.",
                              when=local(slot.signup_opens_at, slot.community)))


def open_week(community: Community, monday: date | None, opens_at: datetime | None,
              now: datetime) -> int:
    """Sign-up for the shifts of the week from `monday` (the community's calendar) opens at
    `opens_at` (None: at once). Returns how many shifts it set."""
    if monday is None:
        raise DomainRefused(_l("Choose the week's first day."), field="week")
    zone = ZoneInfo(community.timezone)
    start = datetime.combine(monday, time(0), zone)
    end = start + timedelta(days=7)
    if opens_at is not None and opens_at >= end:
        raise DomainRefused(_l("Sign-up must open before the week is over."), field="opens_at")
    if end <= now:
        raise DomainRefused(_l("That week is over."), field="week")
    return db.session.execute(
        update(Slot).where(Slot.community_id == community.id, Slot.cancelled_at.is_(None),
                           Slot.starts_at >= max(start, now), Slot.starts_at < end)
        .values(signup_opens_at=opens_at).execution_options(synchronize_session=False)
    ).rowcount


# --- leaving --------------------------------------------------------------------------------

def leave_deadline(slot: Slot) -> datetime:
    return slot.starts_at - timedelta(hours=slot.community.shift_leave_cutoff_hours)


def check_can_leave(slot: Slot, now: datetime) -> None:
    if now >= leave_deadline(slot):
        phone = catalogue.office_phone(slot.community)
        hours = slot.community.shift_leave_cutoff_hours
        raise ShiftRefused(
            _l("It is too late to leave this shift online: it starts in less than %(hours)d "
               "hours. Please call the community office on %(phone)s.", hours=hours,
               phone=phone) if phone else
            _l("It is too late to leave this shift online: it starts in less than %(hours)d "
               "hours. Please call the community office.", hours=hours))


def leave_reason(reason: str | None) -> str:
    reason = plain(reason or "").strip()
    if not reason:
        raise DomainRefused(_l("Please say why you leave: the office needs to find someone "
                               "else."), field="reason")
    if len(reason) > MAX_REASON:
        raise DomainRefused(_l("The reason may be at most %(n)d characters.", n=MAX_REASON),
                            field="reason")
    return reason


def set_leave_cutoff(community: Community, hours: int | None) -> None:
    if hours is None or not 0 <= hours <= MAX_CUTOFF_HOURS:
        raise DomainRefused(_l("Give the cut-off in whole hours, 0 to %(n)d.",
                               n=MAX_CUTOFF_HOURS), field="hours")
    community.shift_leave_cutoff_hours = hours


def recently_left(community_id: int, limit: int = 50) -> list[VolunteerShift]:
    """Shifts volunteers left, newest first, with their reasons (a slot called off by
    the community is not a volunteer leaving)."""
    return list(db.session.scalars(
        select(VolunteerShift).join(Slot).where(
            Slot.community_id == community_id, VolunteerShift.cancelled_at.is_not(None),
            VolunteerShift.leave_reason.is_not(None))
        .order_by(VolunteerShift.cancelled_at.desc()).limit(limit)))


def windows(community_id: int, now: datetime) -> list[tuple[datetime, int]]:
    """The sign-up times still ahead, with how many shifts each opens."""
    rows = db.session.execute(
        select(Slot.signup_opens_at, Slot.id).where(
            Slot.community_id == community_id, Slot.cancelled_at.is_(None),
            Slot.signup_opens_at > now, Slot.starts_at > now)).all()
    counts: dict[datetime, int] = {}
    for opens_at, _slot in rows:
        counts[opens_at] = counts.get(opens_at, 0) + 1
    return sorted(counts.items())
