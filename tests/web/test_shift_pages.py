"""The volunteer's shift pages: leaving asks first and for a reason, and within the cut-off
says to call the office; staff set sign-up windows and the cut-off and read who left why;
the private feed carries the place."""

from datetime import date, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.conftest import login
from tests.web.test_volunteer_admin_pages import EN, FEED_URL, csrf
from webapp.domain import unit_of_work
from webapp.domain.services import booking
from webapp.extensions import db
from webapp.models import Slot, VolunteerShift
from webapp.models.types import utcnow


@pytest.fixture
def shift(demo, users):
    """小王 on a shift more than a day ahead that has no window yet."""
    slot = db.session.scalars(select(Slot).where(
        Slot.starts_at > utcnow() + timedelta(days=2), Slot.signup_opens_at.is_(None),
        Slot.volunteers_booked < Slot.volunteer_capacity).order_by(Slot.starts_at)).first()
    with unit_of_work():
        return booking.sign_up(slot, users["xiaowang"])


def test_leaving_asks_for_a_reason_and_staff_read_it(client, shift):
    login(client, "xiaowang")
    home = client.get("/volunteer/", headers=EN).text
    assert f'href="/volunteer/shifts/{shift.id}/leave"' in home  # a page first, not a POST
    url = f"/volunteer/shifts/{shift.id}/leave"
    asked = client.get(url, headers=EN).text
    assert "Leave this shift?" in asked and 'name="reason"' in asked
    token = csrf(client, url)
    empty = client.post(url, headers=EN, data={"csrf_token": token, "reason": " "})
    assert empty.status_code == 422 and "Please say why you leave" in empty.text
    assert db.session.get(VolunteerShift, shift.id).cancelled_at is None
    assert client.post(url, data={"csrf_token": token, "reason": "孩子生病"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(VolunteerShift, shift.id).leave_reason == "孩子生病"
    assert client.get(url).status_code == 404  # no longer theirs to leave
    login(client, "admin")
    staff = client.get("/admin/shifts", headers=EN).text
    assert "孩子生病" in staff and "志愿者 小王" in staff


def test_within_the_cut_off_the_page_gives_the_offices_phone(client, shift):
    community = shift.slot.community
    community.shift_leave_cutoff_hours = 24 * 14
    db.session.commit()
    login(client, "xiaowang")
    url = f"/volunteer/shifts/{shift.id}/leave"
    page = client.get(url, headers=EN).text
    assert "too late to leave this shift online" in page and 'name="reason"' not in page
    refused = client.post(url, headers=EN, data={"csrf_token": csrf(client, "/volunteer/"),
                                                 "reason": "有事"})
    assert refused.status_code == 409 and "Please call the community office on" in refused.text
    assert db.session.get(VolunteerShift, shift.id).cancelled_at is None


def test_staff_open_a_week_for_sign_up_later_and_volunteers_wait(client, demo):
    login(client, "admin")
    zone = ZoneInfo("Asia/Shanghai")
    slot = db.session.scalars(select(Slot).where(
        Slot.starts_at > utcnow() + timedelta(days=1),
        Slot.volunteers_booked < Slot.volunteer_capacity).order_by(Slot.starts_at)).first()
    local_day = slot.starts_at.astimezone(zone).date()
    monday = local_day - timedelta(days=local_day.weekday())
    opens = max(utcnow().astimezone(zone), slot.starts_at.astimezone(zone) - timedelta(days=1))
    token = csrf(client, "/admin/shifts")
    for bad, message in (({"week": "x"}, "first day"),
                         ({"week": monday.isoformat(), "opens_at": "soon"}, "date and a time"),
                         ({"week": date(2001, 1, 1).isoformat()}, "That week is over")):
        refused = client.post("/admin/shifts/signup-window", headers=EN,
                              data={"csrf_token": token, **bad})
        assert refused.status_code == 422 and message in refused.text, bad
    done = client.post("/admin/shifts/signup-window", headers=EN, data={
        "csrf_token": token, "week": monday.isoformat(),
        "opens_at": (opens + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")})
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(Slot, slot.id).signup_opens_at is not None
    login(client, "xiaowang")
    home = client.get("/volunteer/", headers=EN).text
    assert "Sign-up opens" in home and f"/volunteer/slots/{slot.id}/sign-up" not in home
    early = client.post(f"/volunteer/slots/{slot.id}/sign-up", headers=EN,
                        data={"csrf_token": csrf(client, "/volunteer/")})
    assert early.status_code == 409 and "Sign-up for this shift opens at" in early.text


def test_staff_set_the_cut_off_and_bad_numbers_are_refused(client, demo):
    login(client, "admin")
    token = csrf(client, "/admin/shifts")
    for bad in ("-1", "abc", "9999"):
        refused = client.post("/admin/shifts/leave-cutoff", headers=EN,
                              data={"csrf_token": token, "hours": bad})
        assert refused.status_code == 422 and "whole hours" in refused.text, bad
    assert client.post("/admin/shifts/leave-cutoff",
                       data={"csrf_token": token, "hours": "48"}).status_code == 303
    assert 'value="48"' in client.get("/admin/shifts").text


def test_the_feed_carries_the_place_in_the_communitys_zone(client, shift):
    login(client, "xiaowang")
    made = client.post("/volunteer/feed", data={"csrf_token": csrf(client, "/volunteer/")})
    ics = client.get(urlsplit(FEED_URL.search(made.text)[1]).path).data.decode()
    assert "DTSTART;TZID=Asia/Shanghai:" in ics and "BEGIN:VTIMEZONE" in ics
    assert "DESCRIPTION:" in ics and "/volunteer/" in ics
