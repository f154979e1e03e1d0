"""Check-in at the door earns the points. A volunteer of a home service checks in by scanning
the code at the resident's door (the building's or the entrance's, the one the resident
booked from); a service point's attendance is marked by staff. A booking is done only once
its slot has started and someone was there (a check-in, or staff saying so); each volunteer
who was there earns the service's points once (ledger.award_for_booking). Nobody's own
"done" counts.

The check-in window: from CHECK_IN_OPENS before the slot starts until it ends. A volunteer of
a home service with residents booked who did not check in anywhere in the slot by its end is
recorded as a no-show by the worker (sweep); staff can record that volunteer present after
all, and then it no longer counts. Everything lands in the append-only attendance log."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from webapp.domain import DomainRefused, savepoint
from webapp.domain.services import ledger
from webapp.domain.services.booking import claim, serves
from webapp.extensions import db
from webapp.models import (
    AttendanceEvent,
    AttendanceKind,
    Booking,
    BookingStatus,
    Community,
    QrCode,
    ServiceType,
    Slot,
    User,
    VolunteerShift,
)
from webapp.models.types import utcnow

K = AttendanceKind
CHECK_IN_OPENS = timedelta(minutes=30)
NO_SHOW_LOOKBACK = timedelta(days=3)  # the sweep's reach back, should the worker be down


class AttendanceRefused(DomainRefused):
    """str() is a message for the volunteer or the staff member. 409: the booking's state,
    the time or the place is in the way, not what they typed."""

    status = 409


# --- the place and the day ------------------------------------------------------------------

def at_place(building_id: int | None, entrance_id: int | None, code: QrCode) -> bool:
    """Whether a scanned code is at this address: the same building, and the same entrance
    when both name one (a building's own code stands for all its entrances)."""
    if building_id is None or code.building_id != building_id:
        return False
    return entrance_id is None or code.entrance_id is None or code.entrance_id == entrance_id


def zone_of(community_id: int) -> ZoneInfo:
    return ZoneInfo(db.session.get(Community, community_id).timezone)


def local_day(moment: datetime, community_id: int) -> date:
    return moment.astimezone(zone_of(community_id)).date()


def day_bounds(day: date, community_id: int) -> tuple[datetime, datetime]:
    zone = zone_of(community_id)
    start = datetime.combine(day, time(0), zone)
    return start, datetime.combine(day + timedelta(days=1), time(0), zone)


def record(kind: str, community_id: int, now: datetime, **about) -> AttendanceEvent:
    event = AttendanceEvent(kind=kind, community_id=community_id, at=now, **about)
    db.session.add(event)
    return event


def record_once(kind: str, community_id: int, now: datetime, refusal, **about):
    """Record an event a unique index allows once; a second one is refused with `refusal`."""
    try:
        with savepoint():
            event = record(kind, community_id, now, **about)
            db.session.flush()
    except IntegrityError:
        raise AttendanceRefused(refusal) from None
    return event


# --- the volunteer at the door --------------------------------------------------------------

def bookings_at_door(volunteer: User, code: QrCode, now: datetime) -> list[Booking]:
    """Today's live home-service bookings at the scanned door, in the volunteer's shifts."""
    community_id = volunteer.organization.community_id
    if code.building.compound.community_id != community_id:
        return []
    start, end = day_bounds(local_day(now, community_id), community_id)
    found = db.session.scalars(
        select(Booking).join(Slot).join(ServiceType).join(
            VolunteerShift, (VolunteerShift.slot_id == Slot.id)
            & (VolunteerShift.user_id == volunteer.id) & VolunteerShift.cancelled_at.is_(None))
        .where(Slot.community_id == community_id, Slot.cancelled_at.is_(None),
               ServiceType.at_home.is_(True), Slot.starts_at >= start, Slot.starts_at < end,
               Booking.status != BookingStatus.CANCELLED,
               Booking.building_id == code.building_id)
        .order_by(Slot.starts_at, Booking.id))
    return [b for b in found if at_place(b.building_id, b.entrance_id, code)]


def check_in(booking: Booking, volunteer: User, code: QrCode | None,
             now: datetime | None = None) -> AttendanceEvent:
    """The volunteer scanned `code` at the resident's door: record it, and once the slot has
    started the booking is done and the volunteer earns the points."""
    now = now or utcnow()
    slot = booking.slot
    if not serves(volunteer, slot) or slot.cancelled_at is not None:
        raise AttendanceRefused(_l("Only a volunteer of this shift can do this."))
    if not slot.service.at_home:
        raise AttendanceRefused(_l("At a service point, the community staff mark attendance."))
    if booking.status not in (BookingStatus.BOOKED, BookingStatus.DONE):  # done: by another
        raise AttendanceRefused(_l("This booking is no longer active."))
    if code is None or not at_place(booking.building_id, booking.entrance_id, code):
        raise AttendanceRefused(_l("This is not the door of this booking: check in by "
                                   "scanning the code at the resident's building or "
                                   "entrance."))
    check_window(slot, now)
    event = record_once(K.CHECK_IN, slot.community_id, now,
                        _l("You have already checked in here."), slot_id=slot.id,
                        booking_id=booking.id, volunteer_id=volunteer.id,
                        actor_id=volunteer.id, qr_code_id=code.id)
    if now >= slot.starts_at:
        complete(booking, now)
    return event


def check_window(slot: Slot, now: datetime) -> None:
    opens = slot.starts_at - CHECK_IN_OPENS
    if now < opens:
        raise AttendanceRefused(_l("Check-in opens at %(time)s, half an hour before the "
                                   "service.", time=opens.astimezone(
                                       zone_of(slot.community_id)).strftime("%H:%M")))
    if now > slot.ends_at:
        raise AttendanceRefused(_l("This service has ended: check-in is closed. Please call "
                                   "the community office."))


def not_home(booking: Booking, volunteer: User, now: datetime | None = None) -> None:
    """Checked in at the door, and nobody opened: the booking is closed as missed. Only the
    volunteer who was at the door records it; no points are awarded for it."""
    now = now or utcnow()
    if volunteer.id not in checked_in(booking):
        raise AttendanceRefused(_l("Check in at the door first, by scanning its code."))
    if booking.status != BookingStatus.BOOKED:
        raise AttendanceRefused(_l("This booking is no longer active."))
    if now < booking.slot.starts_at:
        raise AttendanceRefused(_l("The service has not started yet."))
    _close(booking, BookingStatus.NO_SHOW, now)
    record(K.NOT_HOME, booking.slot.community_id, now, slot_id=booking.slot_id,
           booking_id=booking.id, volunteer_id=volunteer.id, actor_id=volunteer.id)


def _close(booking: Booking, status: str, now: datetime) -> None:
    """One conditional update: a cancellation at the same moment wins, or this does."""
    if not claim(Booking, booking.id, Booking.status == BookingStatus.BOOKED, status=status,
                 completed_at=now):
        raise AttendanceRefused(_l("This booking is no longer active."))
    booking.status, booking.completed_at = status, now


def my_check_ins(volunteer: User, now: datetime) -> set[int]:
    """The bookings the volunteer checked in at lately (their shifts page says so)."""
    return set(db.session.scalars(select(AttendanceEvent.booking_id).where(
        AttendanceEvent.volunteer_id == volunteer.id, AttendanceEvent.kind == K.CHECK_IN,
        AttendanceEvent.booking_id.is_not(None), AttendanceEvent.at > now - timedelta(days=2))))


# --- who was there, and the points ----------------------------------------------------------

def checked_in(booking: Booking) -> set[int]:
    """The volunteers who checked in at this booking's door."""
    return set(db.session.scalars(select(AttendanceEvent.volunteer_id).where(
        AttendanceEvent.booking_id == booking.id, AttendanceEvent.kind == K.CHECK_IN)))


def present(slot: Slot) -> set[int]:
    """The volunteers staff recorded as present for the whole slot."""
    return set(db.session.scalars(select(AttendanceEvent.volunteer_id).where(
        AttendanceEvent.slot_id == slot.id, AttendanceEvent.kind == K.PRESENT)))


def complete(booking: Booking, now: datetime) -> None:
    """The booking is done (the slot has started, someone was there): every volunteer who
    was there earns the points, each once."""
    if booking.status == BookingStatus.BOOKED and not claim(
            Booking, booking.id, Booking.status == BookingStatus.BOOKED,
            status=BookingStatus.DONE, completed_at=now):
        db.session.refresh(booking)  # cancelled, or closed, at the same moment
    elif booking.status == BookingStatus.BOOKED:
        booking.status, booking.completed_at = BookingStatus.DONE, now
    if booking.status != BookingStatus.DONE:
        return
    shifts = {s.user_id: s.user for s in booking.slot.shifts if s.cancelled_at is None}
    for volunteer_id in sorted((checked_in(booking) | present(booking.slot)) & shifts.keys()):
        ledger.award_for_booking(booking, shifts[volunteer_id], now=now)


# --- staff mark attendance ------------------------------------------------------------------

def _started(slot: Slot, now: datetime) -> None:
    if slot.cancelled_at is not None:
        raise AttendanceRefused(_l("This time is no longer offered."))
    if now < slot.starts_at:
        raise AttendanceRefused(_l("The service has not started yet."))


def confirm_done(booking: Booking, staff: User, now: datetime | None = None) -> None:
    """Staff say the booking was served (a service point, or a home service nobody scanned
    for): done, and the volunteers who were there earn the points."""
    now = now or utcnow()
    _started(booking.slot, now)
    if booking.status != BookingStatus.BOOKED:
        raise AttendanceRefused(_l("This booking is no longer active."))
    record(K.DONE, booking.slot.community_id, now, slot_id=booking.slot_id,
           booking_id=booking.id, actor_id=staff.id)
    complete(booking, now)


def mark_absent(booking: Booking, staff: User, now: datetime | None = None) -> None:
    """Staff say the resident did not come (or was not at home)."""
    now = now or utcnow()
    _started(booking.slot, now)
    if booking.status != BookingStatus.BOOKED:
        raise AttendanceRefused(_l("This booking is no longer active."))
    _close(booking, BookingStatus.NO_SHOW, now)
    record(K.ABSENT, booking.slot.community_id, now, slot_id=booking.slot_id,
           booking_id=booking.id, actor_id=staff.id)


def _shift_volunteer(slot: Slot, volunteer: User | None) -> User:
    if volunteer is None or not serves(volunteer, slot):
        raise AttendanceRefused(_l("Only a volunteer of this shift can do this."))
    return volunteer


def mark_present(slot: Slot, volunteer: User | None, staff: User,
                 now: datetime | None = None) -> None:
    """Staff say the volunteer served the slot: they earn the points of its done bookings
    (and of those done later), and a no-show recorded for it no longer counts."""
    now = now or utcnow()
    _started(slot, now)
    volunteer = _shift_volunteer(slot, volunteer)
    if volunteer.id in present(slot):
        raise AttendanceRefused(_l("Already recorded."))
    record(K.PRESENT, slot.community_id, now, slot_id=slot.id, volunteer_id=volunteer.id,
           actor_id=staff.id)
    for found in slot.bookings:
        if found.status == BookingStatus.DONE:
            ledger.award_for_booking(found, volunteer, now=now)


def mark_no_show(slot: Slot, volunteer: User | None, staff: User,
                 now: datetime | None = None) -> None:
    now = now or utcnow()
    _started(slot, now)
    volunteer = _shift_volunteer(slot, volunteer)
    if volunteer.id in present(slot) or volunteer.id in slot_check_ins(slot):
        raise AttendanceRefused(_l("This volunteer was there."))
    record_once(K.NO_SHOW, slot.community_id, now, _l("Already recorded."), slot_id=slot.id,
                volunteer_id=volunteer.id, actor_id=staff.id)


def slot_check_ins(slot: Slot) -> set[int]:
    return set(db.session.scalars(select(AttendanceEvent.volunteer_id).where(
        AttendanceEvent.slot_id == slot.id, AttendanceEvent.kind == K.CHECK_IN)))


# --- the worker -----------------------------------------------------------------------------

def sweep(now: datetime) -> tuple[int, int]:
    """Complete the home-service bookings checked in before their slot started, once it
    has; record the no-shows of home-service slots that ended. Returns (done, no-shows)."""
    done = 0
    waiting = db.session.scalars(
        select(Booking).join(Slot).where(
            Booking.status == BookingStatus.BOOKED, Slot.starts_at <= now,
            Slot.cancelled_at.is_(None),
            exists().where(AttendanceEvent.booking_id == Booking.id,
                           AttendanceEvent.kind == K.CHECK_IN)))
    for found in waiting:
        complete(found, now)
        done += 1
    return done, record_no_shows(now)


def record_no_shows(now: datetime) -> int:
    ended = db.session.scalars(
        select(Slot).join(ServiceType).where(
            ServiceType.at_home.is_(True), Slot.cancelled_at.is_(None), Slot.ends_at <= now,
            Slot.ends_at > now - NO_SHOW_LOOKBACK, Slot.booked > 0))
    recorded = 0
    for slot in ended:
        accounted = slot_check_ins(slot) | present(slot) | set(db.session.scalars(
            select(AttendanceEvent.volunteer_id).where(AttendanceEvent.slot_id == slot.id,
                                                       AttendanceEvent.kind == K.NO_SHOW)))
        for shift in slot.shifts:
            if shift.cancelled_at is None and shift.user_id not in accounted:
                record(K.NO_SHOW, slot.community_id, now, slot_id=slot.id,
                       volunteer_id=shift.user_id, note="check-in missing at the slot's end")
                recorded += 1
    return recorded
