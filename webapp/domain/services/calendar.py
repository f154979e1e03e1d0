"""Calendar files: a resident's booking, and a volunteer's private feed of shifts, both in
the community's time zone.

An event keeps its UID for life. Once cancelled (the booking, the shift, or the whole slot
called off) it is sent again as STATUS:CANCELLED with a higher SEQUENCE, so a calendar that
holds it updates it instead of keeping a ghost; a booking's own file is then an iTIP
METHOD:CANCEL. A feed is a published calendar: its cancelled events stay in it for a while."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from icalendar import Calendar, Event
from sqlalchemy import select

from webapp.domain.shared import tokens
from webapp.domain.shared.tokens import digest
from webapp.extensions import db
from webapp.models import Booking, BookingStatus, Slot, User, VolunteerShift

PRODID = "-//Mashang//码上办//ZH"
# SEQUENCE of an event as published, and once cancelled.
LIVE, CANCELLED = 0, 1
# How long a cancelled shift stays in the feed, so that subscribed calendars see it go.
CANCELLED_KEPT = timedelta(days=30)


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


def _calendar(name: str, method: str = "PUBLISH") -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    cal.add("x-wr-calname", name)
    return cal


def _event(uid: str, slot, summary: str, location: str | None, description: str,
           cancelled_at: datetime | None = None) -> Event:
    zone = ZoneInfo(slot.community.timezone)  # the community's wall clock, with its VTIMEZONE
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", cancelled_at or slot.created_at)
    event.add("dtstart", slot.starts_at.astimezone(zone))
    event.add("dtend", slot.ends_at.astimezone(zone))
    event.add("summary", summary)
    if location:
        event.add("location", location)
    event.add("description", description)
    event.add("sequence", LIVE if cancelled_at is None else CANCELLED)
    event.add("status", "CONFIRMED" if cancelled_at is None else "CANCELLED")
    return event


def booking_ics(booking: Booking, link: str) -> bytes:
    slot = booking.slot
    cancelled_at = booking.cancelled_at if booking.status == BookingStatus.CANCELLED else None
    cal = _calendar("码上办", "PUBLISH" if cancelled_at is None else "CANCEL")
    place = slot.location or " ".join(filter(None, [
        booking.building.compound.name if booking.building else None,
        booking.building.name if booking.building else None,
        booking.entrance.name if booking.entrance else None, booking.floor_room]))
    cal.add_component(_event(f"booking-{booking.id}@mashang", slot, slot.service.name_zh,
                             place, link, cancelled_at))
    cal.add_missing_timezones()
    return cal.to_ical()


def home_address(booking: Booking) -> str:
    """Where a home visit goes: compound, building, entrance and the room the resident gave.
    Only the volunteer's private feed carries it."""
    building = booking.building
    return " ".join(filter(None, [
        building.compound.name if building else None, building.name if building else None,
        booking.entrance.name if booking.entrance else None, booking.floor_room]))


def shift_place(slot) -> str | None:
    """A service point's place; for a home service, each booked home."""
    if not slot.service.at_home:
        return slot.location
    homes = [home_address(b) for b in slot.bookings if b.status == BookingStatus.BOOKED]
    return "; ".join(filter(None, homes)) or slot.location


def shift_description(slot, language: str, link: str | None) -> str:
    """What a volunteer reads in their calendar. Calendars are synced to outside servers and
    shown on lock screens, so it names no resident and no phone number (the shift's page,
    behind the volunteer's login, has them) and leaves out residents' own notes."""
    service = slot.service
    live = [b for b in slot.bookings if b.status == BookingStatus.BOOKED]
    with force_locale(language):
        lines = [service.name(language),
                 str(_l("Residents booked: %(n)d of %(places)d", n=len(live),
                        places=slot.capacity))]
        if service.at_home:
            lines.append(str(_l("Home visit: go to the address in the place field.")))
        elif slot.location:
            lines.append(str(_l("At: %(place)s", place=slot.location)))
        about = service.description(language)
        if about:
            lines.append(str(_l("About the service and what to bring: %(text)s",
                                text=about)))
        if link:
            lines.append(str(_l("Names and phone numbers: %(link)s", link=link)))
    return "\n".join(lines)


def shifts_ics(shifts: list[VolunteerShift], name: str, language: str = "zh",
               link: str | None = None) -> bytes:
    cal = _calendar(f"码上办 · {name}")
    for shift in shifts:
        slot = shift.slot
        cal.add_component(_event(
            f"shift-{shift.id}@mashang", slot, slot.service.name(language), shift_place(slot),
            shift_description(slot, language, link), slot.cancelled_at or shift.cancelled_at))
    cal.add_missing_timezones()
    return cal.to_ical()


def feed_shifts(volunteer: User, now: datetime, live: list[VolunteerShift]) -> list[VolunteerShift]:
    """The feed's shifts: the `live` ones (booking.my_shifts), and those called off or left
    lately in the volunteer's community, so that calendars holding them cancel them."""
    gone = db.session.scalars(
        select(VolunteerShift).join(Slot).where(
            VolunteerShift.user_id == volunteer.id,
            Slot.community_id == volunteer.organization.community_id,
            Slot.ends_at > now - CANCELLED_KEPT,
            (VolunteerShift.cancelled_at.is_not(None)) | (Slot.cancelled_at.is_not(None)))
        .order_by(Slot.starts_at))
    return live + [shift for shift in gone if shift not in live]
