"""The waiting list of a slot residents cannot book (full, or waiting for a volunteer).

Whoever joins first gets the next place that frees up — a cancellation, places raised by
staff, a volunteer taking a slot that waited for one — automatically, through the same one
conditional update that books (booking.take_resident_place), in the transaction that freed
the place: however many do it at once, a slot never holds more than its places and nobody is
skipped. Places are handed out until the slot starts, as bookings are taken. The resident's
private link is the booking's link to be."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from webapp.domain import savepoint
from webapp.domain.services import booking
from webapp.domain.services.booking import BookingDraft, BookingRefused
from webapp.domain.services.care_cards import has_care_card
from webapp.domain.shared.tokens import booking_token, digest, seal
from webapp.extensions import db
from webapp.models import (
    Booking,
    BookingStatus,
    QrCode,
    Slot,
    WaitlistEntry,
    WaitlistStatus,
)
from webapp.models.types import utcnow


@dataclass(frozen=True)
class Standing:
    """Where an entry stands, for its page: `position` (1 = next) while it waits."""

    status: str
    position: int | None = None
    too_late: bool = False  # still waiting, but no place can be handed out any more


def find_by_link(token: str) -> WaitlistEntry | None:
    return db.session.scalar(select(WaitlistEntry).where(WaitlistEntry.token_hash == digest(token)))


def find_by_submission_key(key: str) -> WaitlistEntry | None:
    return db.session.scalar(select(WaitlistEntry).where(
        WaitlistEntry.submission_key_hash == digest(key)))


def join(slot: Slot, qr: QrCode | None, draft: BookingDraft, now: datetime | None = None, *,
         secret: str) -> tuple[WaitlistEntry, bool]:
    """Join the slot's list. If a place is free by the time it is stored, the first in line
    is given it at once (which is how a join that raced a cancellation still gets served)."""
    existing = find_by_submission_key(draft.submission_key)
    if existing is not None:
        return existing, False
    now = now or utcnow()
    booking.check_request(slot, draft, now)
    if db.session.scalar(select(Booking.id).where(
            Booking.slot_id == slot.id, Booking.phone == draft.phone,
            Booking.status == BookingStatus.BOOKED)) is not None:
        raise BookingRefused(_l("You already have a booking at this time."))
    token = booking_token(draft.submission_key, secret)
    try:
        with savepoint():
            entry = WaitlistEntry(
                slot_id=slot.id, token_hash=digest(token),
                submission_key_hash=digest(draft.submission_key), name=draft.name,
                phone=draft.phone, floor_room=draft.floor_room, note=draft.note,
                sms_updates=draft.sms_updates,
                sealed_link=seal(booking.booking_path(token), secret) if draft.sms_updates
                else None,
                language=draft.language.split("_")[0], building_id=qr and qr.building_id,
                entrance_id=qr and qr.entrance_id, qr_code_id=qr and qr.id, created_at=now)
            db.session.add(entry)
    except IntegrityError as error:
        replay = find_by_submission_key(draft.submission_key)
        if replay is not None:
            return replay, False
        raise BookingRefused(_l("You are already on the waiting list for this time.")) \
            from error
    fill(slot, now)
    return entry, True


def leave(entry: WaitlistEntry, now: datetime | None = None) -> None:
    now = now or utcnow()
    if entry.status != WaitlistStatus.WAITING or not booking.claim(
            WaitlistEntry, entry.id, WaitlistEntry.status == WaitlistStatus.WAITING,
            status=WaitlistStatus.LEFT, ended_at=now):  # not if given a place meanwhile
        raise BookingRefused(_l("You are no longer on this waiting list."))
    entry.status, entry.ended_at = WaitlistStatus.LEFT, now


def standing(entry: WaitlistEntry, now: datetime) -> Standing:
    if entry.status != WaitlistStatus.WAITING:
        return Standing(entry.status)
    ahead = db.session.scalar(select(func.count(WaitlistEntry.id)).where(
        WaitlistEntry.slot_id == entry.slot_id, WaitlistEntry.status == WaitlistStatus.WAITING,
        WaitlistEntry.id <= entry.id))
    slot = entry.slot
    return Standing(entry.status, ahead, slot.cancelled_at is not None or
                    now >= slot.starts_at)


def waiting_count(slot: Slot) -> int:
    return db.session.scalar(select(func.count(WaitlistEntry.id)).where(
        WaitlistEntry.slot_id == slot.id, WaitlistEntry.status == WaitlistStatus.WAITING))


def waiting_counts(community_id: int) -> dict[int, int]:
    """Slot id → how many wait for it, for the community's slots with a list."""
    return dict(db.session.execute(
        select(WaitlistEntry.slot_id, func.count(WaitlistEntry.id))
        .join(Slot, WaitlistEntry.slot_id == Slot.id)
        .where(Slot.community_id == community_id, Slot.cancelled_at.is_(None),
               WaitlistEntry.status == WaitlistStatus.WAITING)
        .group_by(WaitlistEntry.slot_id)).all())


def open_slots(slots: list[Slot]) -> set[int]:
    """Ids of the slots a resident can book now: a place free, no volunteer missing, and
    nobody waiting ahead of them (else the page offers the waiting list)."""
    free = [s.id for s in slots if s.places_left > 0 and not s.waits_for_volunteer]
    if not free:
        return set()
    queued = set(db.session.scalars(select(WaitlistEntry.slot_id).where(
        WaitlistEntry.slot_id.in_(free), WaitlistEntry.status == WaitlistStatus.WAITING)))
    return set(free) - queued


def promoted_from(booking_: Booking) -> WaitlistEntry | None:
    """The entry a booking was made from, if it came off the waiting list."""
    return db.session.scalar(select(WaitlistEntry).where(
        WaitlistEntry.booking_id == booking_.id))


def fill(slot: Slot, now: datetime | None = None) -> list[Booking]:
    """Give the slot's free places to its list, first come first served; returns the
    bookings made. Called in the transaction that freed a place."""
    now = now or utcnow()
    if slot.cancelled_at is not None or now >= slot.starts_at:
        return []
    slot_id = slot.id
    made = []
    waiting = list(db.session.scalars(select(WaitlistEntry.id).where(
        WaitlistEntry.slot_id == slot_id, WaitlistEntry.status == WaitlistStatus.WAITING)
        .order_by(WaitlistEntry.id)))
    for entry_id in waiting:
        try:
            promoted = _promote(slot, entry_id, now)
        except IntegrityError:  # they booked this time themselves meanwhile: off the list
            _end(entry_id, WaitlistStatus.CLOSED, now)
            continue
        except _NoPlace:
            break
        if promoted is not None:
            made.append(promoted)
    booking.recount(slot)
    return made


def close(slot: Slot, now: datetime) -> list[int]:
    """The slot is called off: its list ends. Returns the ids of the entries that waited."""
    ids = list(db.session.scalars(select(WaitlistEntry.id).where(
        WaitlistEntry.slot_id == slot.id, WaitlistEntry.status == WaitlistStatus.WAITING)))
    for entry_id in ids:
        _end(entry_id, WaitlistStatus.CLOSED, now)
    return ids


class _NoPlace(Exception):
    pass


def _promote(slot: Slot, entry_id: int, now: datetime) -> Booking | None:
    """The entry's booking, or None if another transaction took the entry off the list first.
    The entry is claimed and the place taken in one savepoint: both, or neither."""
    with savepoint():
        claimed = db.session.execute(
            update(WaitlistEntry).where(WaitlistEntry.id == entry_id,
                                        WaitlistEntry.status == WaitlistStatus.WAITING)
            .values(status=WaitlistStatus.PROMOTED, ended_at=now)
            .execution_options(synchronize_session=False)).rowcount
        if not claimed:
            return None
        if not booking.take_resident_place(slot.id, now, waitlist_first=False):
            raise _NoPlace
        entry = db.session.get(WaitlistEntry, entry_id)
        db.session.refresh(entry)
        made = Booking(
            slot_id=slot.id, token_hash=entry.token_hash,
            submission_key_hash=entry.submission_key_hash, name=entry.name, phone=entry.phone,
            floor_room=entry.floor_room, note=entry.note, sms_updates=entry.sms_updates,
            sealed_link=entry.sealed_link, language=entry.language,
            building_id=entry.building_id, entrance_id=entry.entrance_id,
            qr_code_id=entry.qr_code_id, created_at=now,
            is_free=slot.service.free_for_care_card and has_care_card(slot.community_id,
                                                                       entry.phone))
        db.session.add(made)
        db.session.flush()
        entry.booking_id = made.id
        db.session.flush()
    return made


def _end(entry_id: int, status: WaitlistStatus, now: datetime) -> None:
    if booking.claim(WaitlistEntry, entry_id, WaitlistEntry.status == WaitlistStatus.WAITING,
                     status=status, ended_at=now):
        entry = db.session.get(WaitlistEntry, entry_id)
        entry.status, entry.ended_at = status, now
