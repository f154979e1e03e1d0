"""The attendance sheet staff read: no-shows counted per volunteer, repeated ones flagged."""

from datetime import timedelta

from tests.conftest import app_secret
from tests.domain.services.conftest import volunteer
from tests.domain.services.test_attendance import NOW, START, make_service
from webapp.domain import unit_of_work
from webapp.domain.services import attendance, attendance_sheet, booking


def test_repeated_no_shows_are_flagged(office, entrance_code):
    v = volunteer(office, "t_absent")
    with unit_of_work():
        slots = booking.publish(make_service(office), office.community_id, START, weeks=2,
                                now=NOW)
        for n, slot in enumerate(slots):
            booking.sign_up(slot, v, now=NOW)
            booking.book(slot, entrance_code, booking.BookingDraft(
                f"attend-key-00000001{n:02d}", "王", f"1390000010{n}"), now=NOW,
                secret=app_secret())
    later = slots[-1].ends_at + timedelta(minutes=1)
    with unit_of_work():
        attendance.sweep(slots[0].ends_at + timedelta(minutes=1))
        attendance.sweep(later)
    assert attendance_sheet.repeated_no_shows(office.community_id, later) == [(v, 2)]
