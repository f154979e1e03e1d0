"""What staff see of attendance: the recent slots with who was there and their log, and the
volunteers' no-shows (repeated ones flagged). The rules are attendance.py's."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from webapp.domain.services.attendance import CHECK_IN_OPENS
from webapp.extensions import db
from webapp.models import AttendanceEvent, AttendanceKind, Slot, User

K = AttendanceKind
REPEATED_NO_SHOWS = 2  # from this many in NO_SHOW_WINDOW, staff see it flagged
NO_SHOW_WINDOW = timedelta(days=90)


_NoShow = aliased(AttendanceEvent)


def no_shows(community_id: int, now: datetime) -> Counter:
    """Volunteer id → no-shows in the last NO_SHOW_WINDOW, those overturned (recorded
    present after all) left out."""
    overturned = exists().where(AttendanceEvent.kind == K.PRESENT,
                                AttendanceEvent.slot_id == _NoShow.slot_id,
                                AttendanceEvent.volunteer_id == _NoShow.volunteer_id)
    return Counter(db.session.scalars(select(_NoShow.volunteer_id).where(
        _NoShow.community_id == community_id, _NoShow.kind == K.NO_SHOW,
        _NoShow.at > now - NO_SHOW_WINDOW, ~overturned)))


def repeated_no_shows(community_id: int, now: datetime) -> list[tuple[User, int]]:
    """The volunteers with REPEATED_NO_SHOWS or more, most first."""
    counts = no_shows(community_id, now)
    return [(db.session.get(User, user_id), count) for user_id, count in counts.most_common()
            if count >= REPEATED_NO_SHOWS]


@dataclass
class SlotAttendance:
    slot: Slot
    volunteers: list[tuple[User, str | None]] = field(default_factory=list)  # (who, state)
    log: list[AttendanceEvent] = field(default_factory=list)


def recent_slots(community_id: int, now: datetime, days: int = 7) -> list[SlotAttendance]:
    """Slots that started in the last `days` days (newest first), each with its volunteers'
    attendance and its log, for staff to mark."""
    slots = db.session.scalars(
        select(Slot).where(Slot.community_id == community_id, Slot.cancelled_at.is_(None),
                           Slot.starts_at <= now + CHECK_IN_OPENS,
                           Slot.starts_at > now - timedelta(days=days),
                           (Slot.booked > 0) | (Slot.volunteers_booked > 0))
        .order_by(Slot.starts_at.desc()))
    result = []
    for slot in slots:
        log = list(db.session.scalars(select(AttendanceEvent).where(
            AttendanceEvent.slot_id == slot.id).order_by(AttendanceEvent.id)))
        state = {}
        for event in log:
            if event.volunteer_id and event.kind in (K.CHECK_IN, K.PRESENT, K.NO_SHOW):
                if state.get(event.volunteer_id) != K.PRESENT:
                    state[event.volunteer_id] = event.kind
        result.append(SlotAttendance(
            slot, [(s.user, state.get(s.user_id)) for s in slot.shifts
                   if s.cancelled_at is None], log))
    return result
