"""The volunteer side: sign-up windows (to the minute), leaving a shift (a reason, the cut-off
with the office's phone, who is told what) and the private calendar feed (place, description,
the community's zone, nothing private that a synced calendar should not hold)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from icalendar import Calendar
from sqlalchemy import select

from tests.conftest import app_secret
from tests.domain.notify.test_feed import bell_of
from tests.domain.services.conftest import volunteer
from webapp.domain import DomainRefused, unit_of_work
from webapp.domain.services import booking, calendar, shifts
from webapp.extensions import db
from webapp.models import (
    Channel,
    OutboxMessage,
    ServiceCategory,
    ServiceType,
    Slot,
    VolunteerShift,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)             # Friday 20 November, 10:00 local
MONDAY = date(2026, 11, 23)
OPENS = datetime(2026, 11, 23, 20, 0, tzinfo=SHANGHAI)     # "sign-up opens Monday 20:00"



@pytest.fixture(autouse=True)
def english(app):
    """Refusals are read in English here (outside a request they follow DEFAULT_LOCALE)."""
    with force_locale("en"):
        yield


@pytest.fixture
def haircut(office):
    category = ServiceCategory(community_id=office.community_id, name_zh="便民服务",
                               name_en="Everyday help")
    service = ServiceType(category=category, name_zh="上门理发", name_en="Haircut at home",
                          at_home=True, volunteers_needed=2, points=20,
                          description_zh="请自带理发工具和围布", description_en="Bring clippers")
    db.session.add(service)
    db.session.commit()
    return service


def publish(service, office, start):
    with unit_of_work():
        slot, = booking.publish(service, office.community_id, start, capacity=3, now=NOW)
    return slot


def test_a_weeks_shifts_open_for_sign_up_at_the_set_minute(haircut, office):
    tuesday = publish(haircut, office, datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI))
    sunday_night = publish(haircut, office, datetime(2026, 11, 29, 23, 30, tzinfo=SHANGHAI))
    next_monday = publish(haircut, office, datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI))
    community = tuesday.community
    with unit_of_work():
        assert shifts.open_week(community, MONDAY, OPENS, NOW) == 2
    db.session.expire_all()
    assert tuesday.signup_opens_at == sunday_night.signup_opens_at == OPENS
    assert next_monday.signup_opens_at is None  # the week after is not touched
    early, punctual = volunteer(office, "early"), volunteer(office, "punctual")
    with pytest.raises(shifts.ShiftRefused, match="opens at 11-23 20:00"), unit_of_work():
        booking.sign_up(tuesday, early, now=OPENS - timedelta(seconds=1))
    assert db.session.scalar(select(VolunteerShift.id)) is None
    with unit_of_work():
        booking.sign_up(tuesday, punctual, now=OPENS)  # the minute it opens
        booking.sign_up(next_monday, early, now=NOW)   # no window: at once
    assert db.session.get(Slot, tuesday.id).volunteers_booked == 1
    assert shifts.windows(community.id, NOW) == [(OPENS, 2)]


def test_a_window_needs_a_week_and_a_time_within_it(haircut, office):
    community = publish(haircut, office, NOW + timedelta(days=4)).community
    for monday, opens_at in ((None, OPENS), (MONDAY, OPENS + timedelta(days=7))):
        with pytest.raises(DomainRefused), unit_of_work():
            shifts.open_week(community, monday, opens_at, NOW)
    with pytest.raises(DomainRefused, match="over"), unit_of_work():
        shifts.open_week(community, date(2026, 11, 9), None, NOW)


@pytest.fixture
def served(haircut, office, entrance_code):
    """A haircut at home in two days, a volunteer on it and a resident booked from the door
    of 微波宿舍 1号楼 2单元 who asked for texts: (slot, volunteer, booking)."""
    slot = publish(haircut, office, NOW + timedelta(days=2))
    helper = volunteer(office, "shift_vol")
    with unit_of_work():
        booking.sign_up(slot, helper, now=NOW)
        made, _new = booking.book(slot, entrance_code, booking.BookingDraft(
            submission_key="shift-booking-0001", name="王阿姨", phone="13900000002",
            floor_room="5楼 502", note="家里有猫", sms_updates=True), now=NOW,
            secret=app_secret())
    return slot, helper, made


def test_leaving_needs_a_reason_and_tells_staff_why_and_residents_that(served, users):
    slot, helper, _made = served
    shift = slot.shifts[0]
    with pytest.raises(DomainRefused, match="say why"), unit_of_work():
        booking.leave(shift, helper, "  ", now=NOW)
    assert db.session.get(VolunteerShift, shift.id).cancelled_at is None
    with unit_of_work():
        booking.leave(shift, helper, "临时要去医院", now=NOW)
    assert shift.leave_reason == "临时要去医院" and shift.cancelled_at == NOW
    assert shifts.recently_left(slot.community_id) == [shift]
    # The last volunteer of a booked slot: staff are alerted at once, with the reason, on the
    # page where they find someone else or call the slot off.
    staff = [n for n in bell_of(users["admin"]) if n.kind == "last_volunteer_left"]
    assert len(staff) == 1 and "临时要去医院" in staff[0].body and staff[0].urgent
    assert staff[0].url == "/admin/services"
    texted = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.channel == Channel.SMS, OutboxMessage.kind == "volunteer_left")).all()
    assert len(texted) == 1 and "医院" not in texted[0].body  # the reason stays with staff


def test_within_the_cut_off_leaving_is_refused_with_the_offices_phone(served):
    slot, helper, _made = served
    shift = slot.shifts[0]
    phone = shifts.catalogue.office_phone(slot.community)
    assert phone and slot.community.shift_leave_cutoff_hours == 24  # the default
    late = slot.starts_at - timedelta(hours=24)
    with pytest.raises(shifts.ShiftRefused) as refused, unit_of_work():
        booking.leave(shift, helper, "有事", now=late)
    assert phone in str(refused.value) and "24 hours" in str(refused.value)
    with unit_of_work():
        booking.leave(shift, helper, "有事", now=late - timedelta(seconds=1))
    assert shift.cancelled_at is not None


def test_the_cut_off_is_the_communitys_to_set(served):
    slot, helper, _made = served
    with pytest.raises(DomainRefused), unit_of_work():
        shifts.set_leave_cutoff(slot.community, -1)
    with unit_of_work():
        shifts.set_leave_cutoff(slot.community, 2)
    with unit_of_work():
        booking.leave(slot.shifts[0], helper, "有事", now=slot.starts_at - timedelta(hours=3))


def test_the_private_feed_has_the_home_a_readable_description_and_local_times(served):
    slot, helper, made = served
    feed = Calendar.from_ical(calendar.shifts_ics(
        booking.my_shifts(helper, NOW), helper.display_name, "zh", "https://example.test/v/"))
    event, = feed.walk("VEVENT")
    assert str(event["location"]) == "微波宿舍 1号楼 2单元 5楼 502"
    start = event["dtstart"].dt
    assert start.tzinfo.key == "Asia/Shanghai" and start == slot.starts_at
    assert start.hour == slot.starts_at.astimezone(SHANGHAI).hour
    assert [tz["tzid"] for tz in feed.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    description = str(event["description"])
    assert "上门理发" in description and "请自带理发工具和围布" in description
    assert "https://example.test/v/" in description
    for private in ("王阿姨", "13900000002", "家里有猫"):  # synced calendars never hold these
        assert private not in feed.to_ical().decode()
    english = Calendar.from_ical(calendar.shifts_ics(
        booking.my_shifts(helper, NOW), helper.display_name, "en"))
    event, = english.walk("VEVENT")
    assert str(event["summary"]) == "Haircut at home" and "Bring clippers" in \
        str(event["description"])
    assert made.floor_room in str(event["location"])
