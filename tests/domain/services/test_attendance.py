"""Check-in at the door earns the points: only at the booking's door, only near its time, done
only once the slot has started, points once; no-shows recorded and overturned; staff mark a
service point's attendance."""

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from tests.conftest import app_secret
from tests.domain.services.conftest import volunteer
from webapp.domain import unit_of_work
from webapp.domain.services import attendance, attendance_sheet, booking, ledger
from webapp.extensions import db
from webapp.models import (
    AttendanceEvent,
    Entrance,
    Entry,
    QrCode,
    ServiceCategory,
    ServiceType,
    Transfer,
    User,
)

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
START = NOW + timedelta(days=2)  # the slot runs START to START + 45 minutes
END = START + timedelta(minutes=45)


def make_service(office, at_home=True):
    category = ServiceCategory(community_id=office.community_id, name_zh="便民服务",
                               name_en="Everyday help")
    service = ServiceType(category=category, name_zh="上门理发", name_en="Haircut at home",
                          duration_minutes=45, at_home=at_home, volunteers_needed=2,
                          points=20)
    db.session.add(service)
    db.session.commit()
    return service


@pytest.fixture
def home(office, entrance_code):
    """A home-service slot, a volunteer on it, and a resident who booked from their door."""
    with unit_of_work():
        slot, = booking.publish(make_service(office), office.community_id, START, capacity=3,
                                now=NOW)
        v = volunteer(office, "t_door")
        booking.sign_up(slot, v, now=NOW)
        made, _ = booking.book(slot, entrance_code, booking.BookingDraft(
            "attend-key-0000000001", "王奶奶", "13900000001"), now=NOW, secret=app_secret())
    return slot, v, made


def staff(name="admin"):
    return db.session.scalar(select(User).where(User.username == name))


def other_code(code):
    """An active code of another building than `code`'s."""
    return db.session.scalars(select(QrCode).where(
        QrCode.building_id != code.building_id, QrCode.revoked_at.is_(None))).first()


def test_check_in_at_the_door_once_started_is_done_and_earns_once(home, entrance_code):
    slot, v, made = home
    with unit_of_work():
        attendance.check_in(made, v, entrance_code, now=START + timedelta(minutes=5))
    assert made.status == "done"
    account = ledger.passbook(v)
    assert ledger.balance(account) == 20
    with pytest.raises(attendance.AttendanceRefused), unit_of_work():
        attendance.check_in(made, v, entrance_code, now=START + timedelta(minutes=6))
    with unit_of_work():
        attendance.sweep(END + timedelta(hours=1))  # nothing more to do, no no-show
    assert ledger.balance(account) == 20
    assert ledger.award_for_booking(made, v) is False
    assert db.session.scalar(select(func.sum(Entry.amount))) == 0
    log = db.session.scalars(select(AttendanceEvent)).all()
    assert [(e.kind, e.volunteer_id, e.qr_code_id) for e in log] == \
        [("check_in", v.id, entrance_code.id)]


def test_the_ledger_awards_nothing_for_a_booking_not_done(home):
    """The guard under every way to the points: a booking nobody was at earns none."""
    slot, v, made = home
    with pytest.raises(ValueError), unit_of_work():
        ledger.award_for_booking(made, v, now=START)
    assert db.session.scalar(select(func.count(Transfer.id))) == 0


def test_a_building_code_stands_for_its_entrances(home, entrance_code):
    slot, v, made = home
    building_code = db.session.scalars(select(QrCode).where(
        QrCode.building_id == entrance_code.building_id, QrCode.entrance_id.is_(None))).first()
    assert building_code is not None
    with unit_of_work():
        attendance.check_in(made, v, building_code, now=START)
    assert made.status == "done"


def test_check_in_refused_elsewhere_at_other_times_and_to_others(home, entrance_code, office):
    slot, v, made = home
    sibling = db.session.scalars(select(QrCode).join(Entrance, QrCode.entrance_id == Entrance.id)
                                 .where(Entrance.building_id == entrance_code.building_id,
                                        Entrance.id != entrance_code.entrance_id)).first()
    stranger = volunteer(office, "t_stranger")
    refusals = [
        (v, other_code(entrance_code), START, "not the door"),
        (v, sibling, START, "not the door"),
        (v, None, START, "not the door"),
        (v, entrance_code, START - timedelta(minutes=31), "opens at"),
        (v, entrance_code, END + timedelta(seconds=1), "has ended"),
        (stranger, entrance_code, START, "Only a volunteer of this shift"),
    ]
    assert sibling is not None
    for who, code, when, message in refusals:
        with force_locale("en"), pytest.raises(attendance.AttendanceRefused, match=message), \
                unit_of_work():
            attendance.check_in(made, who, code, now=when)
    assert made.status == "booked"
    assert db.session.scalar(select(func.count(AttendanceEvent.id))) == 0
    assert db.session.scalar(select(func.count(Transfer.id))) == 0


def test_an_early_check_in_is_done_only_when_the_slot_starts(home, entrance_code):
    slot, v, made = home
    with unit_of_work():
        attendance.check_in(made, v, entrance_code, now=START - timedelta(minutes=10))
    assert made.status == "booked" and ledger.balance(ledger.passbook(v)) == 0
    with unit_of_work():
        assert attendance.sweep(START - timedelta(minutes=1)) == (0, 0)
    assert made.status == "booked"
    with unit_of_work():
        assert attendance.sweep(START + timedelta(minutes=1)) == (1, 0)
    assert made.status == "done" and ledger.balance(ledger.passbook(v)) == 20


def test_not_at_home_needs_a_check_in_and_earns_nothing(home, entrance_code):
    slot, v, made = home
    with force_locale("en"), pytest.raises(attendance.AttendanceRefused,
                                           match="Check in at the door first"), unit_of_work():
        attendance.not_home(made, v, now=START + timedelta(minutes=5))
    with unit_of_work():
        attendance.check_in(made, v, entrance_code, now=START - timedelta(minutes=5))
        attendance.not_home(made, v, now=START + timedelta(minutes=5))
    assert made.status == "no_show"
    with unit_of_work():
        attendance.sweep(END + timedelta(minutes=1))
    assert ledger.balance(ledger.passbook(v)) == 0
    assert made.status == "no_show"
    assert attendance_sheet.no_shows(slot.community_id, END) == {}  # the volunteer was there


def test_no_check_in_by_the_end_is_a_no_show_once_and_staff_can_overturn_it(home, office):
    slot, v, made = home
    with unit_of_work():
        assert attendance.sweep(END - timedelta(minutes=1)) == (0, 0)
        assert attendance.sweep(END + timedelta(minutes=1)) == (0, 1)
        assert attendance.sweep(END + timedelta(minutes=6)) == (0, 0)
    assert attendance_sheet.no_shows(office.community_id, END) == {v.id: 1}
    assert made.status == "booked"
    # the volunteer forgot to scan: staff say they were there, and that it was served
    admin = staff()
    with unit_of_work():
        attendance.mark_present(slot, v, admin, now=END + timedelta(hours=1))
        attendance.confirm_done(made, admin, now=END + timedelta(hours=1))
    assert made.status == "done" and ledger.balance(ledger.passbook(v)) == 20
    assert attendance_sheet.no_shows(office.community_id, END) == {}


def test_staff_mark_a_service_points_attendance(office, entrance_code):
    with unit_of_work():
        slot, = booking.publish(make_service(office, at_home=False), office.community_id,
                                START, capacity=3, location="社区党群服务中心", now=NOW)
        v, absent = volunteer(office, "t_point"), volunteer(office, "t_point2")
        booking.sign_up(slot, v, now=NOW)
        booking.sign_up(slot, absent, now=NOW)
        came, _ = booking.book(slot, None, booking.BookingDraft(
            "attend-key-0000000201", "李", "13900000201"), now=NOW, secret=app_secret())
        away, _ = booking.book(slot, None, booking.BookingDraft(
            "attend-key-0000000202", "赵", "13900000202"), now=NOW, secret=app_secret())
    with force_locale("en"), pytest.raises(attendance.AttendanceRefused, match="service point"), \
            unit_of_work():
        attendance.check_in(came, v, entrance_code, now=START)
    admin = staff()
    with force_locale("en"), pytest.raises(attendance.AttendanceRefused, match="not started"), \
            unit_of_work():
        attendance.confirm_done(came, admin, now=START - timedelta(minutes=1))
    with unit_of_work():
        attendance.confirm_done(came, admin, now=START + timedelta(minutes=30))
        attendance.mark_absent(away, admin, now=START + timedelta(minutes=30))
        attendance.mark_present(slot, v, admin, now=START + timedelta(minutes=30))
        attendance.mark_no_show(slot, absent, admin, now=START + timedelta(minutes=30))
    assert (came.status, away.status) == ("done", "no_show")
    assert ledger.balance(ledger.passbook(v)) == 20  # one booking served, once
    assert ledger.balance(ledger.passbook(absent)) == 0
    with pytest.raises(attendance.AttendanceRefused), unit_of_work():
        attendance.mark_no_show(slot, v, admin, now=END)  # was there
    with pytest.raises(attendance.AttendanceRefused), unit_of_work():
        attendance.mark_present(slot, v, admin, now=END)  # already
    assert attendance_sheet.no_shows(office.community_id, END) == {absent.id: 1}


def test_the_attendance_log_is_never_edited(home, entrance_code):
    slot, v, made = home
    with unit_of_work():
        event = attendance.check_in(made, v, entrance_code, now=START)
    event.note = "changed"
    with pytest.raises(RuntimeError):
        db.session.flush()
    db.session.rollback()
