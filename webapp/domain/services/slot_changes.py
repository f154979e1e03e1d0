"""An admin changes a published slot. Its time moves only while nobody is booked on either
side (otherwise it is called off, which tells them: booking.cancel_slot); its places may grow
at any time and shrink down to what is booked. Each change is one conditional update, so a
booking made at the same moment is never left without a place or at a time it did not
choose."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from webapp.domain.services import waitlist
from webapp.domain.services.booking import MAX_PLACES, BookingRefused
from webapp.extensions import db
from webapp.models import Slot
from webapp.models.text import max_length, plain
from webapp.models.types import utcnow


@dataclass(frozen=True)
class SlotChange:
    """The slot as the admin wants it; `start` None when no date and time could be read."""

    start: datetime | None
    capacity: int | None
    volunteer_capacity: int | None
    location: str = ""
    runs_without_volunteer: bool = False


def change_slot(slot: Slot, change: SlotChange, now: datetime | None = None) -> None:
    now = now or utcnow()
    if slot.cancelled_at is not None or slot.starts_at <= now:
        raise BookingRefused(_l("This time is over or called off; it cannot be changed."))
    if change.start is None:
        raise BookingRefused(_l("Please give a start date and time."))
    if change.capacity is None or change.volunteer_capacity is None or \
            not 1 <= change.capacity <= MAX_PLACES or \
            not 0 <= change.volunteer_capacity <= MAX_PLACES:
        raise BookingRefused(_l("Places must be between 1 and %(n)d.", n=MAX_PLACES))
    location = plain(change.location or "").strip() or None
    if location and len(location) > max_length(Slot.location):
        raise BookingRefused(_l("The place may be at most %(n)d characters.",
                                n=max_length(Slot.location)))
    if change.start != slot.starts_at:
        _move(slot, change.start, now)
    _places(slot, Slot.capacity, Slot.booked, change.capacity,
            lambda n: _l("%(n)d residents have booked this time: it keeps at least %(n)d "
                         "places.", n=n))
    _places(slot, Slot.volunteer_capacity, Slot.volunteers_booked, change.volunteer_capacity,
            lambda n: _l("%(n)d volunteers have signed up for this time: it keeps at least "
                         "%(n)d volunteer places.", n=n))
    slot.location = location
    slot.runs_without_volunteer = change.runs_without_volunteer
    db.session.expire(slot, ["starts_at", "ends_at", "capacity", "volunteer_capacity",
                             "booked", "volunteers_booked"])
    waitlist.fill(slot, now)  # places raised, or it runs without a volunteer now


def _move(slot: Slot, start: datetime, now: datetime) -> None:
    """A moved slot keeps its own length."""
    if start <= now:
        raise BookingRefused(_l("A slot must start in the future."))
    moved = db.session.execute(
        update(Slot).where(Slot.id == slot.id, Slot.booked == 0, Slot.volunteers_booked == 0,
                           Slot.cancelled_at.is_(None))
        .values(starts_at=start, ends_at=start + (slot.ends_at - slot.starts_at))
        .execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        raise BookingRefused(_l("People have booked this time, so it cannot move: call it "
                                "off instead (they are told) and publish the new time."))


def _places(slot: Slot, capacity, taken, wanted: int, message) -> None:
    changed = db.session.execute(
        update(Slot).where(Slot.id == slot.id, taken <= wanted)
        .values({capacity.key: wanted}).execution_options(synchronize_session=False))
    if changed.rowcount != 1:
        db.session.expire(slot, [taken.key])
        raise BookingRefused(message(getattr(slot, taken.key)))

