"""Calendar files: a resident's booking, and a volunteer's private feed of shifts."""

from __future__ import annotations

from icalendar import Calendar, Event
from sqlalchemy import select

from webapp.domain.shared import tokens
from webapp.domain.shared.tokens import digest
from webapp.extensions import db
from webapp.models import Booking, User, VolunteerShift

PRODID = "-//Mashang//码上办//ZH"


def new_feed_token(volunteer: User) -> str:
    """A new private address for the volunteer's feed; the old one stops working. Like every
    private link, only its digest is kept, so the address is shown once, when it is made."""
    token = tokens.new_feed_token()
    volunteer.feed_token_hash = digest(token)
    return token


def feed_owner(token: str) -> User | None:
    """The active volunteer whose feed this token opens, else None."""
    user = db.session.scalar(select(User).where(User.feed_token_hash == digest(token)))
    return user if user is not None and user.active else None


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    return cal


def _event(uid: str, slot, summary: str, location: str | None, description: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", slot.created_at)
    event.add("dtstart", slot.starts_at)
    event.add("dtend", slot.ends_at)
    event.add("summary", summary)
    if location:
        event.add("location", location)
    event.add("description", description)
    return event


def booking_ics(booking: Booking, link: str) -> bytes:
    slot = booking.slot
    cal = _calendar("码上办")
    place = slot.location or " ".join(filter(None, [
        booking.building.compound.name if booking.building else None,
        booking.building.name if booking.building else None,
        booking.entrance.name if booking.entrance else None, booking.floor_room]))
    cal.add_component(_event(f"booking-{booking.id}@mashang", slot, slot.service.name_zh,
                             place, link))
    return cal.to_ical()


def shifts_ics(shifts: list[VolunteerShift], name: str) -> bytes:
    cal = _calendar(f"码上办 · {name}")
    for shift in shifts:
        slot = shift.slot
        live = [b for b in slot.bookings if b.status == "booked"]
        cal.add_component(_event(
            f"shift-{shift.id}@mashang", slot, slot.service.name_zh, slot.location,
            f"{len(live)} / {slot.capacity}"))
    return cal.to_ical()
