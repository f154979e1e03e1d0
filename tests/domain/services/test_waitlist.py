"""Waiting lists: who gets a freed place (the first in line, through the one conditional update
that books), what their page says, who is told; and what many residents at once cannot break,
on SQLite and on PostgreSQL."""

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from tests.conftest import app_secret, at_the_same_moment
from tests.domain.services.conftest import volunteer
from webapp.domain import unit_of_work
from webapp.domain.services import booking, slot_changes, waitlist
from webapp.domain.shared.tokens import booking_token
from webapp.extensions import db
from webapp.models import (
    Booking,
    BookingStatus,
    Channel,
    OutboxMessage,
    ServiceCategory,
    ServiceType,
    Slot,
    WaitlistEntry,
    WaitlistStatus,
)

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=2)


@pytest.fixture
def service(office):
    category = ServiceCategory(community_id=office.community_id, name_zh="便民服务",
                               name_en="Everyday help")
    service = ServiceType(category=category, name_zh="上门理发", name_en="Haircut at home",
                          duration_minutes=45, at_home=True, volunteers_needed=1,
                          cancel_cutoff_hours=2)
    db.session.add(service)
    db.session.commit()
    return service


def publish(service, office, capacity=1, **options) -> Slot:
    with unit_of_work():
        slot, = booking.publish(service, office.community_id, LATER, capacity=capacity,
                                now=NOW, **options)
    return slot


@pytest.fixture
def full_slot(service, office):
    """One place, held by a volunteer, booked by resident 0."""
    slot = publish(service, office)
    with unit_of_work():
        booking.sign_up(slot, volunteer(office, "wl_vol"), now=NOW)
        booking.book(slot, None, draft(0), now=NOW, secret=app_secret())
    return slot


def draft(n, **fields):
    return booking.BookingDraft(submission_key=f"waitlist-key-{n:08d}", name=f"居民{n}",
                                phone=f"139{n:08d}", **fields)


def join(slot, n, **fields) -> WaitlistEntry:
    with unit_of_work():
        entry, created = waitlist.join(slot, None, draft(n, **fields), now=NOW,
                                       secret=app_secret())
    assert created
    return entry


def booking_of(n) -> Booking:
    return booking.find_by_link(booking_token(draft(n).submission_key, app_secret()))


def test_a_full_slot_refuses_a_booking_with_its_waiting_list_in_the_message(full_slot):
    with force_locale("en"), pytest.raises(booking.SlotFull, match="waiting list"):
        booking.book(full_slot, None, draft(1), now=NOW, secret=app_secret())


def test_the_first_in_line_gets_a_cancelled_place_and_the_others_move_up(full_slot):
    first, second, third = (join(full_slot, n) for n in (1, 2, 3))
    assert [waitlist.standing(e, NOW).position for e in (first, second, third)] == [1, 2, 3]
    with unit_of_work():
        booking.cancel(booking_of(0), "不需要了", now=NOW)
    db.session.expire_all()
    promoted = booking_of(1)
    assert promoted is not None and promoted.status == BookingStatus.BOOKED
    assert first.status == WaitlistStatus.PROMOTED and first.booking_id == promoted.id
    # The same private link: the entry's page is now the booking's.
    assert promoted.token_hash == first.token_hash and waitlist.promoted_from(promoted) == first
    assert db.session.get(Slot, full_slot.id).booked == 1
    assert [waitlist.standing(e, NOW).position for e in (second, third)] == [1, 2]


def test_leaving_the_list_gives_the_next_one_the_place(full_slot):
    first, second = join(full_slot, 1), join(full_slot, 2)
    with unit_of_work():
        waitlist.leave(first, now=NOW)
    with pytest.raises(booking.BookingRefused):
        waitlist.leave(first, now=NOW)
    assert waitlist.standing(second, NOW).position == 1
    with unit_of_work():
        booking.cancel(booking_of(0), "", now=NOW)
    db.session.expire_all()
    assert booking_of(1) is None and booking_of(2).status == BookingStatus.BOOKED


def test_places_raised_by_staff_go_to_the_list_in_its_order(full_slot):
    for n in (1, 2, 3):
        join(full_slot, n)
    with unit_of_work():
        slot_changes.change_slot(full_slot, slot_changes.SlotChange(
            start=full_slot.starts_at, capacity=3, volunteer_capacity=1), now=NOW)
    db.session.expire_all()
    assert [booking_of(n) is not None for n in (1, 2, 3)] == [True, True, False]
    assert db.session.get(Slot, full_slot.id).booked == 3


def test_nobody_jumps_the_line_and_nobody_waits_twice(full_slot):
    join(full_slot, 1)
    with force_locale("en"), pytest.raises(booking.BookingRefused, match="already on the"):
        waitlist.join(full_slot, None, draft(1).__class__(
            submission_key="waitlist-key-again001", name="居民1", phone="13900000001"),
            now=NOW, secret=app_secret())
    replay, created = waitlist.join(full_slot, None, draft(1), now=NOW, secret=app_secret())
    assert not created  # the same submission, replayed
    with pytest.raises(booking.BookingRefused):  # booked already: no place in line as well
        waitlist.join(full_slot, None, draft(0).__class__(
            submission_key="waitlist-key-booked01", name="居民0", phone="13900000000"),
            now=NOW, secret=app_secret())


def test_a_slot_that_needs_a_volunteer_waits_for_one(service, office):
    slot = publish(service, office, capacity=2)
    assert slot.waits_for_volunteer
    with force_locale("en"), pytest.raises(booking.SlotFull, match="volunteer"):
        booking.book(slot, None, draft(1), now=NOW, secret=app_secret())
    db.session.rollback()
    entry = join(slot, 1)
    assert entry.status == WaitlistStatus.WAITING
    with unit_of_work():  # a volunteer takes it: the waiting resident is booked at once
        booking.sign_up(slot, volunteer(office, "wl_late"), now=NOW)
    db.session.expire_all()
    assert booking_of(1).status == BookingStatus.BOOKED
    booking.book(slot, None, draft(2), now=NOW, secret=app_secret())
    db.session.commit()
    assert db.session.get(Slot, slot.id).booked == 2


def test_staff_can_run_a_slot_without_a_volunteer(service, office):
    slot = publish(service, office, runs_without_volunteer=True)
    assert not slot.waits_for_volunteer
    made, created = booking.book(slot, None, draft(1), now=NOW, secret=app_secret())
    assert created and made.status == BookingStatus.BOOKED


def test_a_called_off_slot_ends_its_list_and_tells_who_asked(full_slot):
    entry = join(full_slot, 1, sms_updates=True)
    with unit_of_work():
        booking.cancel_slot(full_slot, "理发师生病", now=NOW)
    db.session.expire_all()
    assert entry.status == WaitlistStatus.CLOSED
    assert waitlist.standing(entry, NOW).status == WaitlistStatus.CLOSED
    texts = db.session.scalars(select(OutboxMessage.kind).where(
        OutboxMessage.channel == Channel.SMS, OutboxMessage.recipient == "phone:+8613900000001")
        .order_by(OutboxMessage.id)).all()
    assert texts == ["waitlist_joined", "slot_called_off"]


def test_who_asked_for_texts_is_told_they_got_a_place(full_slot):
    join(full_slot, 1, sms_updates=True, language="en")
    with unit_of_work():
        booking.cancel(booking_of(0), "", now=NOW)
    texts = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.channel == Channel.SMS).order_by(OutboxMessage.id)).all()
    assert [m.kind for m in texts] == ["waitlist_joined", "waitlist_promoted"]
    assert texts[1].title == "You got a place: Haircut at home"
    assert texts[0].url == texts[1].url  # the one link, sealed


# --- at the same moment ----------------------------------------------------------------------

def race(app, count, action):
    return at_the_same_moment(app, count, action, (booking.BookingRefused,))


def test_fifty_for_the_last_place_then_a_cancellation_promotes_exactly_one(app, service,
                                                                           office):
    slot = publish(service, office, capacity=3)
    with unit_of_work():
        booking.sign_up(slot, volunteer(office, "wl_race"), now=NOW)
        for n in (900, 901):
            booking.book(slot, None, draft(n), now=NOW, secret=app_secret())
    slot_id = slot.id

    def book_or_wait(i):
        found = db.session.get(Slot, slot_id)
        try:  # a refused booking undoes its own savepoint
            booking.book(found, None, draft(i), now=NOW, secret=app_secret())
        except booking.SlotFull:
            waitlist.join(found, None, draft(i), now=NOW, secret=app_secret())

    outcomes = race(app, 50, book_or_wait)
    assert outcomes == ["ok"] * 50, outcomes
    db.session.expire_all()
    assert db.session.get(Slot, slot_id).booked == 3
    waiting = db.session.scalars(select(WaitlistEntry).where(
        WaitlistEntry.status == WaitlistStatus.WAITING).order_by(WaitlistEntry.id)).all()
    assert len(waiting) == 49

    # Two cancellations and residents still trying to book, all at once.
    cancelled = [booking_of(900), booking_of(901)]
    first_two = {waiting[0].id, waiting[1].id}
    cancelled_ids = [b.id for b in cancelled]

    def cancel_or_book(i):
        if i < 2:
            booking.cancel(db.session.get(Booking, cancelled_ids[i]), "", now=NOW)
        else:
            book_or_wait(100 + i)

    outcomes = race(app, 12, cancel_or_book)
    assert outcomes == ["ok"] * 12, outcomes
    db.session.expire_all()
    assert db.session.get(Slot, slot_id).booked == 3
    live = db.session.scalar(select(func.count(Booking.id)).where(
        Booking.slot_id == slot_id, Booking.status == BookingStatus.BOOKED))
    assert live == 3
    promoted = db.session.scalars(select(WaitlistEntry.id).where(
        WaitlistEntry.status == WaitlistStatus.PROMOTED)).all()
    assert set(promoted) == first_two  # the first two in line, nobody else
    assert db.session.scalar(select(func.count(WaitlistEntry.id)).where(
        WaitlistEntry.status == WaitlistStatus.WAITING)) == 47 + 10


def test_one_cancellation_gives_exactly_one_place(app, full_slot):
    for n in range(1, 6):
        join(full_slot, n)
    booked_id = booking_of(0).id
    outcomes = race(app, 2, lambda i: booking.cancel(db.session.get(Booking, booked_id), "",
                                                     now=NOW))
    assert sorted(outcomes) == ["ok", "refused"], outcomes
    db.session.expire_all()
    assert db.session.scalar(select(func.count(WaitlistEntry.id)).where(
        WaitlistEntry.status == WaitlistStatus.PROMOTED)) == 1
    assert db.session.get(Slot, full_slot.id).booked == 1
