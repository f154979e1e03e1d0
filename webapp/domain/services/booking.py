"""Service booking. A slot's places only ever change through one conditional update —
`booked = booked + 1 WHERE booked < capacity` — inside the transaction that writes the
booking, so no amount of concurrency can overbook it, on the resident or volunteer side.
The resident's and the volunteer's steps leave the commit to the caller's unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select, update
from sqlalchemy.exc import IntegrityError

from webapp.domain import DomainRefused, savepoint
from webapp.domain.services import shifts
from webapp.domain.services.care_cards import has_care_card
from webapp.domain.shared.phones import texting_number
from webapp.domain.shared.tokens import booking_token, digest, seal
from webapp.extensions import db
from webapp.models import (
    Booking,
    BookingStatus,
    QrCode,
    Role,
    ServiceType,
    Slot,
    User,
    VolunteerShift,
    WaitlistEntry,
    WaitlistStatus,
)
from webapp.models.text import fit_fields, max_length, plain
from webapp.models.types import utcnow

MAX_WEEKS = 26
MAX_PLACES = 200


class BookingRefused(DomainRefused):
    """str() is a message for the person who asked."""


class SlotFull(BookingRefused):
    """No place for a resident now (full, or waiting for a volunteer): the waiting list is
    the way in."""


@dataclass(frozen=True)
class BookingDraft:
    submission_key: str
    name: str
    phone: str
    floor_room: str | None = None
    note: str | None = None
    sms_updates: bool = False  # text the booking link now and any change later
    language: str = "zh"  # of the messages the resident is sent

    def __post_init__(self):
        fit_fields(self, Booking, "name", "phone", "floor_room")


def booking_path(token: str) -> str:
    """The resident's private page of a booking (resident blueprint, /b/<token>)."""
    return f"/b/{token}"


# --- publishing slots -----------------------------------------------------------------------

def publish(service: ServiceType, community_id: int, first_start: datetime, *, weeks: int = 1,
            capacity: int = 1, volunteer_capacity: int | None = None,
            location: str | None = None, by: User | None = None,
            now: datetime | None = None, runs_without_volunteer: bool = False) -> list[Slot]:
    """One slot, or the same slot weekly for `weeks` weeks. Residents book a slot that
    needs volunteers once one holds it, or at once if it `runs_without_volunteer`."""
    now = now or utcnow()
    if service.active is False:  # every way to publish (admin, a volunteer's own time)
        raise BookingRefused(_l("This service is no longer offered."))
    if first_start <= now:
        raise BookingRefused(_l("A slot must start in the future."))
    if not 1 <= weeks <= MAX_WEEKS:
        raise BookingRefused(_l("Repeat for 1 to %(n)d weeks.", n=MAX_WEEKS))
    volunteer_capacity = service.volunteers_needed if volunteer_capacity is None \
        else volunteer_capacity
    if not 1 <= capacity <= MAX_PLACES or not 0 <= volunteer_capacity <= MAX_PLACES:
        raise BookingRefused(_l("Places must be between 1 and %(n)d.", n=MAX_PLACES))
    location = plain(location or "").strip() or None
    if location and len(location) > max_length(Slot.location):
        raise BookingRefused(_l("The place may be at most %(n)d characters.",
                                n=max_length(Slot.location)))
    slots = []
    for week in range(weeks):
        start = first_start + timedelta(weeks=week)
        slot = Slot(community_id=community_id, service=service, starts_at=start,
                    ends_at=start + timedelta(minutes=service.duration_minutes),
                    capacity=capacity, volunteer_capacity=volunteer_capacity,
                    location=location, created_by=by,
                    runs_without_volunteer=runs_without_volunteer)
        db.session.add(slot)
        slots.append(slot)
    db.session.flush()  # ids: a volunteer's own slot is signed up to at once
    return slots


def offer_availability(volunteer: User, service: ServiceType, start: datetime,
                       capacity: int = 1, location: str | None = None,
                       now: datetime | None = None) -> Slot:
    """A volunteer publishes their own availability: a slot they already serve."""
    if volunteer.role != Role.VOLUNTEER:
        raise BookingRefused(_l("Only volunteers offer their time here."))
    if service.category.community_id != volunteer.organization.community_id:
        raise BookingRefused(_l("Please choose a service."))
    slot, = publish(service, volunteer.organization.community_id, start, capacity=capacity,
                    volunteer_capacity=max(1, service.volunteers_needed), location=location,
                    by=volunteer, now=now)
    sign_up(slot, volunteer, now=now)
    return slot


def check_cancel_slot(slot: Slot, reason: str) -> str:
    """The reason, stripped; refuses a slot that cannot be called off, or no reason."""
    reason = (reason or "").strip()
    if not reason:
        raise BookingRefused(_l("Please give a reason; the residents will see it."))
    if slot.cancelled_at is not None:
        raise BookingRefused(_l("This time is no longer offered."))
    return reason


def cancel_slot(slot: Slot, reason: str, now: datetime | None = None) -> int:
    """The community calls a slot off: its bookings and shifts are cancelled with the reason
    (their pages say so). Returns how many resident bookings it cancelled."""
    now = now or utcnow()
    reason = check_cancel_slot(slot, reason)
    # Claimed first: a booking or sign-up at the same moment either came before (and is
    # among those cancelled below) or finds the slot called off.
    if not claim(Slot, slot.id, Slot.cancelled_at.is_(None), cancelled_at=now):
        raise BookingRefused(_l("This time is no longer offered."))
    db.session.expire(slot, ["bookings", "shifts"])
    slot.cancelled_at = now
    live = [b for b in slot.bookings if b.status == BookingStatus.BOOKED]
    for found in live:
        found.status = BookingStatus.CANCELLED
        found.cancelled_at = now
        found.cancel_reason = reason
    for shift in slot.shifts:
        shift.cancelled_at = shift.cancelled_at or now
    slot.booked = slot.volunteers_booked = 0
    _waitlist().close(slot, now)
    return len(live)


def upcoming(service: ServiceType, now: datetime, limit: int = 50) -> list[Slot]:
    return list(db.session.scalars(
        select(Slot).where(Slot.service_type_id == service.id, Slot.starts_at > now,
                           Slot.cancelled_at.is_(None))
        .order_by(Slot.starts_at).limit(limit)))


# --- the resident's side --------------------------------------------------------------------

def find_by_submission_key(key: str) -> Booking | None:
    return db.session.scalar(select(Booking).where(Booking.submission_key_hash == digest(key)))


def find_by_link(token: str) -> Booking | None:
    """The booking behind a private link; None for any wrong token, well-formed or not."""
    return db.session.scalar(select(Booking).where(Booking.token_hash == digest(token)))


def book(slot: Slot, qr: QrCode | None, draft: BookingDraft,
         now: datetime | None = None, *, secret: str) -> tuple[Booking, bool]:
    """Take one resident place. A replayed submission returns the booking it made (one that
    loses the race to the database undoes its savepoint, and so gives the place back)."""
    existing = find_by_submission_key(draft.submission_key)
    if existing is not None:
        return existing, False
    now = now or utcnow()
    check_request(slot, draft, now)
    slot_id = slot.id
    try:
        with savepoint():
            if not take_resident_place(slot_id, now):
                raise SlotFull(_full_message(slot))
            token = booking_token(draft.submission_key, secret)
            booking = Booking(
                slot_id=slot_id, token_hash=digest(token),
                submission_key_hash=digest(draft.submission_key), name=draft.name,
                phone=draft.phone, floor_room=draft.floor_room, note=draft.note,
                sms_updates=draft.sms_updates,
                sealed_link=seal(booking_path(token), secret) if draft.sms_updates else None,
                language=draft.language.split("_")[0],
                building_id=qr and qr.building_id, entrance_id=qr and qr.entrance_id,
                qr_code_id=qr and qr.id, created_at=now,
                is_free=slot.service.free_for_care_card and has_care_card(slot.community_id,
                                                                           draft.phone))
            db.session.add(booking)
    except IntegrityError as error:
        replay = find_by_submission_key(draft.submission_key)
        if replay is not None:
            return replay, False
        raise BookingRefused(_l("You already have a booking at this time.")) from error
    finally:
        _recount(slot)
    return booking, True


def cancel(booking: Booking, reason: str, now: datetime | None = None) -> None:
    """The resident cancels before the service's cut-off; the place is given back."""
    now = now or utcnow()
    if booking.status != BookingStatus.BOOKED:
        raise BookingRefused(_l("This booking is no longer active."))
    cutoff = booking.slot.starts_at - timedelta(hours=booking.slot.service.cancel_cutoff_hours)
    if now >= cutoff:
        raise BookingRefused(_l("It is too late to cancel online; please call the community "
                                "office."))
    if not claim(Booking, booking.id, Booking.status == BookingStatus.BOOKED,
                 status=BookingStatus.CANCELLED):  # cancelled twice at once: one place back
        raise BookingRefused(_l("This booking is no longer active."))
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancel_reason = (reason or "").strip() or None
    _give_place_back(Slot.booked, booking.slot_id)
    _recount(booking.slot)
    _waitlist().fill(booking.slot, now)  # the freed place goes to the first in line


# --- the volunteer's side -------------------------------------------------------------------

def sign_up(slot: Slot, volunteer: User, now: datetime | None = None) -> VolunteerShift:
    now = now or utcnow()
    if volunteer.role != Role.VOLUNTEER:
        raise BookingRefused(_l("Only volunteers sign up for shifts."))
    if slot is not None and slot.community_id != volunteer.organization.community_id:
        slot = None  # another community's shift is not offered to this volunteer
    _bookable(slot, now)
    shifts.check_signup_open(slot, now)
    if serves(volunteer, slot):
        raise BookingRefused(_l("You have already signed up for this shift."))
    slot_id, user_id = slot.id, volunteer.id
    try:
        with savepoint():
            if not _take_place(Slot.volunteers_booked, Slot.volunteer_capacity, slot_id, now):
                raise BookingRefused(_l("This shift already has all the volunteers it needs."))
            shift = VolunteerShift(slot_id=slot_id, user_id=user_id, created_at=now)
            db.session.add(shift)
    except IntegrityError as error:
        raise BookingRefused(_l("You have already signed up for this shift.")) from error
    finally:
        _recount(slot)
    _waitlist().fill(slot, now)  # a slot that waited for a volunteer now takes residents
    return shift


def leave(shift: VolunteerShift, volunteer: User, reason: str = "",
          now: datetime | None = None) -> None:
    """A volunteer leaves a shift, with a reason staff see, before the community's cut-off;
    the residents booked and the staff are told (notify/rules.py)."""
    now = now or utcnow()
    if shift.user_id != volunteer.id or shift.cancelled_at is not None:
        raise BookingRefused(_l("This is not one of your shifts."))
    shifts.check_can_leave(shift.slot, now)
    reason = shifts.leave_reason(reason)
    if not claim(VolunteerShift, shift.id, VolunteerShift.cancelled_at.is_(None),
                 cancelled_at=now, leave_reason=reason):
        raise BookingRefused(_l("This is not one of your shifts."))
    shift.leave_reason = reason
    shift.cancelled_at = now
    _give_place_back(Slot.volunteers_booked, shift.slot_id)
    _recount(shift.slot)


def serves(volunteer: User, slot: Slot) -> bool:
    return any(s.user_id == volunteer.id and s.cancelled_at is None for s in slot.shifts)


def my_shifts(volunteer: User, now: datetime) -> list[VolunteerShift]:
    """The volunteer's shifts in their own community: a shift elsewhere (from before they
    moved) never shows them that community's residents."""
    return list(db.session.scalars(
        select(VolunteerShift).join(Slot).where(
            VolunteerShift.user_id == volunteer.id, VolunteerShift.cancelled_at.is_(None),
            Slot.community_id == volunteer.organization.community_id,
            Slot.ends_at > now - timedelta(days=1), Slot.cancelled_at.is_(None))
        .order_by(Slot.starts_at)))


def open_shifts(volunteer: User, now: datetime, limit: int = 50) -> list[Slot]:
    """Upcoming slots of the volunteer's community that still need volunteers."""
    return list(db.session.scalars(
        select(Slot).where(Slot.community_id == volunteer.organization.community_id,
                           Slot.starts_at > now, Slot.cancelled_at.is_(None),
                           Slot.volunteers_booked < Slot.volunteer_capacity)
        .order_by(Slot.starts_at).limit(limit)))


# --- internals ------------------------------------------------------------------------------

def residents_may_book():
    """SQL: a slot residents may book — it needs no volunteer, one holds it, or staff run it
    without (Slot.waits_for_volunteer, in SQL)."""
    return or_(Slot.volunteer_capacity == 0, Slot.volunteers_booked > 0,
               Slot.runs_without_volunteer.is_(True))


def take_resident_place(slot_id: int, now: datetime, *, waitlist_first: bool = True) -> bool:
    """A resident's place, in the one conditional update. `waitlist_first`: only while
    nobody waits for this slot (the waiting list is served first, by waitlist.fill)."""
    also = [residents_may_book()]
    if waitlist_first:
        also.append(~exists().where(WaitlistEntry.slot_id == Slot.id,
                                    WaitlistEntry.status == WaitlistStatus.WAITING))
    return _take_place(Slot.booked, Slot.capacity, slot_id, now, *also)


def _full_message(slot: Slot):
    db.session.refresh(slot, ["booked", "volunteers_booked", "runs_without_volunteer"])
    if slot.waits_for_volunteer:
        return _l("This time is waiting for a volunteer. Join its waiting list: you get a "
                  "place as soon as a volunteer takes it.")
    return _l("Sorry, this time is fully booked. Join its waiting list, or choose another.")


def claim(model, row_id: int, still, **values) -> bool:
    """Make a change only if the row is still as it was read (`still`): the one conditional
    update that decides between two people doing the same thing at once. The caller then sets
    the same values on the object, which is what notifications are fed by."""
    return db.session.execute(
        update(model).where(model.id == row_id, still).values(**values)
        .execution_options(synchronize_session=False)).rowcount == 1


def _waitlist():
    from webapp.domain.services import waitlist  # it books through this module
    return waitlist


def check_request(slot: Slot | None, draft: BookingDraft, now: datetime) -> None:
    """What a resident's request for this slot must meet, to book it or to wait for it."""
    if draft.sms_updates and texting_number(draft.phone) is None:
        raise BookingRefused(_l("To be sent text messages, please give a mobile number."),
                             field="phone")
    _bookable(slot, now)
    if not slot.service.active:  # retired: its kept slots serve those already booked
        raise BookingRefused(_l("This service is no longer offered."))


def recount(slot: Slot) -> None:
    _recount(slot)


def _bookable(slot: Slot | None, now: datetime) -> None:
    if slot is None or slot.cancelled_at is not None:
        raise BookingRefused(_l("This time is no longer offered."))
    if slot.starts_at <= now:
        raise BookingRefused(_l("This time has already passed."))


def _take_place(counter, capacity, slot_id: int, now: datetime, *also) -> bool:
    """The one conditional update that keeps a slot within its places."""
    taken = db.session.execute(
        update(Slot).where(Slot.id == slot_id, counter < capacity, Slot.starts_at > now,
                           Slot.cancelled_at.is_(None), *also)
        .values({counter.key: counter + 1}).execution_options(synchronize_session=False))
    return taken.rowcount == 1


def _recount(slot: Slot) -> None:
    """The place updates bypass the loaded slot: read its counts and lists afresh, in the
    same unit of work, when next asked."""
    db.session.expire(slot, ["booked", "volunteers_booked", "bookings", "shifts"])


def _give_place_back(counter, slot_id: int) -> None:
    db.session.execute(update(Slot).where(Slot.id == slot_id, counter > 0)
                       .values({counter.key: counter - 1})
                       .execution_options(synchronize_session=False))
