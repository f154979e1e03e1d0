"""Booking rules, and points awarded for a booking done, including what many threads at once
cannot break (the ledger itself: test_ledger.py)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import app_secret, at_the_same_moment
from tests.domain.services.conftest import volunteer
from webapp.domain import unit_of_work
from webapp.domain.services import attendance, booking, ledger
from webapp.domain.shared.phones import normalise_phone
from webapp.domain.shared.tokens import booking_token, unseal
from webapp.extensions import db
from webapp.models import (
    Booking,
    CareCard,
    Entry,
    Organization,
    ServiceCategory,
    ServiceType,
    Slot,
    User,
    VolunteerShift,
)

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=2)


@pytest.fixture
def service(office):
    category = ServiceCategory(community_id=office.community_id, name_zh="便民服务",
                               name_en="Everyday help")
    service = ServiceType(category=category, name_zh="上门理发", name_en="Haircut at home",
                          duration_minutes=45, at_home=True, volunteers_needed=2, points=20,
                          free_for_care_card=True, cancel_cutoff_hours=2)
    db.session.add(service)
    db.session.commit()
    return service


def draft(n, phone=None):
    return booking.BookingDraft(submission_key=f"booking-key-{n:010d}", name=f"居民{n}",
                                phone=phone or f"139{n:08d}")


@pytest.fixture
def slot(service, office):
    with unit_of_work():
        slot, = booking.publish(service, office.community_id, LATER, capacity=5, now=NOW,
                                runs_without_volunteer=True)
    return slot


def test_publish_weekly(service, office):
    with unit_of_work():
        slots = booking.publish(service, office.community_id, LATER, weeks=4, capacity=3,
                                now=NOW)
    assert [s.starts_at for s in slots] == [LATER + timedelta(weeks=w) for w in range(4)]
    assert all(s.ends_at - s.starts_at == timedelta(minutes=45) for s in slots)
    assert slots[0].volunteer_capacity == 2  # from the service
    published = db.session.scalar(select(func.count(Slot.id)))
    for bad in (dict(weeks=0), dict(weeks=27), dict(capacity=0)):
        with pytest.raises(booking.BookingRefused), unit_of_work():
            booking.publish(service, office.community_id, LATER, now=NOW, **bad)
    with pytest.raises(booking.BookingRefused), unit_of_work():
        booking.publish(service, office.community_id, NOW - timedelta(hours=1), now=NOW)
    assert db.session.scalar(select(func.count(Slot.id))) == published  # refused: made none


def test_book_until_full_then_refuse(slot):
    for n in range(5):
        booking.book(slot, None, draft(n), now=NOW, secret=app_secret())
    with pytest.raises(booking.BookingRefused):
        booking.book(slot, None, draft(99), now=NOW, secret=app_secret())
    db.session.refresh(slot)
    assert slot.booked == 5 and len(slot.bookings) == 5


def test_replay_makes_one_booking_and_one_phone_one_place(slot):
    first, created = booking.book(slot, None, draft(1), now=NOW, secret=app_secret())
    again, created_again = booking.book(slot, None, draft(1), now=NOW, secret=app_secret())
    assert (created, created_again, again.id) == (True, False, first.id)
    with pytest.raises(booking.BookingRefused):
        booking.book(slot, None, booking.BookingDraft("other-key-000000001", "王", first.phone),
                     now=NOW, secret=app_secret())
    db.session.refresh(slot)
    assert slot.booked == 1  # the refused booking gave its place back


def test_past_and_cancelled_slots_refuse(slot):
    with pytest.raises(booking.BookingRefused):
        booking.book(slot, None, draft(1), now=LATER + timedelta(minutes=1), secret=app_secret())
    slot.cancelled_at = NOW
    db.session.commit()
    with pytest.raises(booking.BookingRefused):
        booking.book(slot, None, draft(2), now=NOW, secret=app_secret())
    assert db.session.scalar(select(func.count(Booking.id))) == 0


def test_cancel_before_the_cutoff_gives_the_place_back(slot):
    made, _ = booking.book(slot, None, draft(1), now=NOW, secret=app_secret())
    booking.cancel(made, "有事", now=LATER - timedelta(hours=3))
    db.session.refresh(slot)
    assert (made.status, slot.booked) == ("cancelled", 0)
    assert db.session.get(Booking, made.id) is not None  # a status, not a delete
    late, _ = booking.book(slot, None, draft(2), now=NOW, secret=app_secret())
    with pytest.raises(booking.BookingRefused):
        booking.cancel(late, "", now=LATER - timedelta(hours=1))
    with pytest.raises(booking.BookingRefused):
        booking.cancel(made, "", now=NOW)


def test_care_card_holders_book_free_services_free(slot, office):
    db.session.add(CareCard(community_id=office.community_id, name="独居老人",
                            phone="13700000001"))
    db.session.commit()
    free, _ = booking.book(slot, None, draft(1, phone="13700000001"), now=NOW, secret=app_secret())
    paid, _ = booking.book(slot, None, draft(2), now=NOW, secret=app_secret())
    assert (free.is_free, paid.is_free) == (True, False)


def test_a_landline_is_one_phone_however_it_is_typed(slot, office):
    """The care card was written '0351-7654321'; the resident types it without the dash,
    then tries a second place with brackets and spaces."""
    db.session.add(CareCard(community_id=office.community_id, name="独居老人",
                            phone=normalise_phone("0351-7654321")))
    db.session.commit()
    made, _ = booking.book(slot, None, draft(1, phone=normalise_phone("03517654321")), now=NOW,
                           secret=app_secret())
    assert made.is_free and made.phone == "0351-7654321"
    with pytest.raises(booking.BookingRefused):
        booking.book(slot, None, draft(2, phone=normalise_phone("(0351) 765 4321")), now=NOW,
                     secret=app_secret())


def test_a_resident_who_asks_for_texts_keeps_the_booking_link_sealed(slot):
    asked = booking.BookingDraft("text-booking-000001", "赵奶奶", "13800138000",
                                 sms_updates=True, language="en")
    made, _ = booking.book(slot, None, asked, now=NOW, secret=app_secret())
    assert made.sms_updates and made.language == "en" and "/b/" not in made.sealed_link
    path = unseal(made.sealed_link, app_secret())
    assert path == booking.booking_path(booking_token(asked.submission_key, app_secret()))
    assert booking.find_by_link(path.removeprefix("/b/")) is made
    assert unseal(made.sealed_link, "another-secret") is None
    quiet, _ = booking.book(slot, None, booking.BookingDraft(
        "text-booking-000002", "钱", "13800138001", language="zh_CN"), now=NOW,
        secret=app_secret())
    assert (quiet.sms_updates, quiet.sealed_link, quiet.language) == (False, None, "zh")


def test_texts_need_a_mobile_and_a_refusal_books_nothing(slot):
    landline = booking.BookingDraft("text-booking-000003", "孙", "0351-7654321",
                                    sms_updates=True)
    with pytest.raises(booking.BookingRefused) as refused:
        booking.book(slot, None, landline, now=NOW, secret=app_secret())
    assert refused.value.field == "phone" and "手机号码" in str(refused.value)
    assert db.session.scalar(select(func.count(Booking.id))) == 0
    db.session.refresh(slot)
    assert slot.booked == 0


def hammer(app, count, action):
    return at_the_same_moment(app, count, action, (booking.BookingRefused, ledger.LedgerRefused))


def test_many_residents_at_once_never_overbook(app, slot):
    slot_id = slot.id

    def attempt(i):
        booking.book(db.session.get(Slot, slot_id), None, draft(i), now=NOW, secret=app_secret())

    outcomes = hammer(app, 30, attempt)
    assert sorted(set(outcomes)) == ["ok", "refused"], outcomes
    assert outcomes.count("ok") == 5
    db.session.expire_all()
    assert db.session.get(Slot, slot_id).booked == 5
    assert db.session.scalar(select(func.count(Booking.id))) == 5


def test_many_volunteers_at_once_fill_exactly_the_volunteer_places(app, slot, office):
    ids = [volunteer(office, f"vol{i}").id for i in range(12)]
    slot_id = slot.id

    def attempt(i):
        booking.sign_up(db.session.get(Slot, slot_id), db.session.get(User, ids[i]), now=NOW)

    outcomes = hammer(app, 12, attempt)
    assert outcomes.count("ok") == 2 and outcomes.count("refused") == 10, outcomes
    db.session.expire_all()
    assert db.session.get(Slot, slot_id).volunteers_booked == 2
    assert db.session.scalar(select(func.count(VolunteerShift.id))) == 2


def test_a_volunteer_signs_up_once_and_may_leave_before_the_cutoff(slot, office):
    v = volunteer(office, "t_xiaowang")
    shift = booking.sign_up(slot, v, now=NOW)
    with pytest.raises(booking.BookingRefused):
        booking.sign_up(slot, v, now=NOW)
    booking.leave(shift, v, "临时出差", now=NOW)
    db.session.refresh(slot)
    assert slot.volunteers_booked == 0
    with pytest.raises(booking.BookingRefused):
        booking.sign_up(slot, db.session.scalars(select(User).where(
            User.username == "dispatcher")).one(), now=NOW)


def served(slot, office, n=1, qr=None):
    v = volunteer(office, "t_laoli")
    booking.sign_up(slot, v, now=NOW)
    made = [booking.book(slot, qr, draft(i), now=NOW, secret=app_secret())[0]
            for i in range(n)]
    return v, made


def test_done_awards_points_once_and_the_ledger_balances(slot, office, entrance_code):
    """Done only by checking in at the door once the slot started (attendance.py): there is
    no volunteer's own "done" any more."""
    v, (made,) = served(slot, office, qr=entrance_code)
    assert not hasattr(booking, "mark")
    attendance.check_in(made, v, entrance_code, now=LATER - timedelta(minutes=10))
    assert made.status == "booked"  # not started yet
    attendance.sweep(LATER)
    account = ledger.passbook(v)
    assert made.status == "done" and ledger.balance(account) == 20
    assert ledger.award_for_booking(made, v) is False  # never twice
    assert ledger.balance(account) == 20
    assert db.session.scalar(select(func.sum(Entry.amount))) == 0  # double entry
    with pytest.raises(attendance.AttendanceRefused):
        attendance.check_in(made, v, entrance_code, now=LATER)


def test_no_show_awards_nothing_and_strangers_cannot_mark(slot, office, entrance_code):
    v, (made,) = served(slot, office, qr=entrance_code)
    stranger = volunteer(office, "stranger")
    with pytest.raises(attendance.AttendanceRefused):
        attendance.check_in(made, stranger, entrance_code, now=LATER)
    attendance.check_in(made, v, entrance_code, now=LATER - timedelta(minutes=5))
    attendance.not_home(made, v, now=LATER)
    assert made.status == "no_show"
    assert ledger.balance(ledger.passbook(v)) == 0


def test_calling_off_a_slot_cancels_its_bookings_with_the_reason(slot, office):
    v = volunteer(office, "t_calloff")
    with unit_of_work():
        booking.sign_up(slot, v, now=NOW)
        made, _ = booking.book(slot, None, draft(1), now=NOW, secret=app_secret())
    with pytest.raises(booking.BookingRefused), unit_of_work():
        booking.cancel_slot(slot, "  ")
    with unit_of_work():
        assert booking.cancel_slot(slot, "志愿者生病，改期", now=NOW) == 1
    assert (made.status, made.cancel_reason) == ("cancelled", "志愿者生病，改期")
    assert slot.shifts[0].cancelled_at == NOW
    with pytest.raises(booking.BookingRefused):
        booking.book(slot, None, draft(2), now=NOW, secret=app_secret())
    with pytest.raises(booking.BookingRefused), unit_of_work():
        booking.cancel_slot(slot, "again")


def test_a_volunteer_serves_only_their_own_community(office, slot, service):
    """A volunteer of 新桥北村社区 can neither sign up for 八一社区's shift nor publish
    their time for its service; nothing is stored."""
    elsewhere = db.session.scalars(select(Organization).where(
        Organization.kind == "office", Organization.community_id != office.community_id)).first()
    stranger = volunteer(elsewhere, "xq-helper")
    with pytest.raises(booking.BookingRefused, match="不再提供"):
        booking.sign_up(slot, stranger, now=NOW)
    with pytest.raises(booking.BookingRefused, match="请选择服务"):
        booking.offer_availability(stranger, service, LATER, now=NOW)
    db.session.rollback()
    assert db.session.scalar(select(func.count(VolunteerShift.id))) == 0
    assert db.session.scalar(select(func.count(Slot.id)).where(
        Slot.service_type_id == service.id)) == 1
