"""Volunteer and admin pages for booking and points, with their bad input."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.conftest import app_secret, login
from webapp.domain import unit_of_work
from webapp.domain.services import booking
from webapp.extensions import db
from webapp.models import CareCard, Reward, ServiceType, Slot, Transfer, User
from webapp.models.types import utcnow

EN = {"Accept-Language": "en"}


def csrf(client, url):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).text).group(1)


@pytest.fixture
def slot(demo):
    return db.session.scalars(select(Slot).order_by(Slot.starts_at)).first()


FEED_URL = re.compile(r'value="(http[^"]+/volunteer/feed/([^"]+)\.ics)"')


def test_volunteer_signs_up_and_sees_the_feed(client, slot):
    login(client, "xiaowang")
    page = client.get("/volunteer/", headers=EN).text
    assert f"/volunteer/slots/{slot.id}/sign-up" in page
    token = csrf(client, "/volunteer/")
    feed = FEED_URL.search(client.post("/volunteer/feed", data={"csrf_token": token}).text)[1]
    assert client.post(f"/volunteer/slots/{slot.id}/sign-up",
                       data={"csrf_token": token}).status_code == 303
    again = client.post(f"/volunteer/slots/{slot.id}/sign-up", data={"csrf_token": token},
                        headers=EN)
    assert again.status_code == 409 and "already signed up" in again.text
    ics = client.get(urlsplit(feed).path)
    assert ics.mimetype == "text/calendar" and b"BEGIN:VEVENT" in ics.data
    assert client.get("/volunteer/feed/not-a-token.ics").status_code == 404


def test_the_feed_address_is_stored_hashed_shown_once_and_made_anew(client, slot):
    """The calendar address is a secret like every private link: the database keeps its
    digest, the page shows it once, and a new one ends the old."""
    from webapp.domain.shared.tokens import digest

    login(client, "xiaowang")
    assert "Make my calendar address" in client.get("/volunteer/", headers=EN).text
    made = client.post("/volunteer/feed", headers=EN,
                       data={"csrf_token": csrf(client, "/volunteer/")})
    assert made.status_code == 200 and made.headers["Cache-Control"] == "private, no-store"
    url, token = FEED_URL.search(made.text).groups()
    volunteer = db.session.scalar(select(User).where(User.username == "xiaowang"))
    assert volunteer.feed_token_hash == digest(token)
    assert token not in str(db.session.execute(select(User.__table__)).all())
    assert client.get(urlsplit(url).path).status_code == 200

    later = client.get("/volunteer/", headers=EN).text
    assert token not in later and not FEED_URL.search(later)
    assert "Make a new address" in later
    again = client.post("/volunteer/feed", data={"csrf_token": csrf(client, "/volunteer/")})
    new_url, new_token = FEED_URL.search(again.text).groups()
    assert new_token != token
    assert client.get(urlsplit(url).path).status_code == 404  # the old address has ended
    assert client.get(urlsplit(new_url).path).status_code == 200


def test_volunteer_offers_time_and_bad_input(client, demo):
    login(client, "laoli")
    token = csrf(client, "/volunteer/")
    service = db.session.scalars(select(ServiceType)).first()
    start = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    ok = client.post("/volunteer/availability", data={
        "csrf_token": token, "service": service.id, "start": start, "places": "2"})
    assert ok.status_code == 303
    mine = db.session.scalars(select(Slot).order_by(Slot.id.desc())).first()
    assert (mine.capacity, mine.volunteers_booked) == (2, 1)
    bad = client.post("/volunteer/availability", headers=EN, data={
        "csrf_token": token, "service": service.id, "start": "yesterday", "places": "2"})
    assert bad.status_code == 422 and "Please give a date" in bad.text
    past = client.post("/volunteer/availability", headers=EN, data={
        "csrf_token": token, "service": service.id, "start": "2020-01-01T09:00"})
    assert past.status_code == 422 and "in the future" in past.text


def test_only_a_volunteer_of_the_shift_marks_bookings(client, slot, users, entrance_code):
    with unit_of_work():
        made, _ = booking.book(slot, entrance_code, booking.BookingDraft(
            "web-vol-000000000001", "王", "13900000001"), secret=app_secret())
    login(client, "laoli")
    token = csrf(client, "/volunteer/")
    refused = client.post(f"/volunteer/door/{entrance_code.token}/bookings/{made.id}",
                          data={"csrf_token": token}, headers=EN)
    assert refused.status_code == 409 and "Only a volunteer of this shift" in refused.text
    not_home = client.post(f"/volunteer/bookings/{made.id}/not-home",
                           data={"csrf_token": token}, headers=EN)
    assert not_home.status_code == 409 and "Check in at the door first" in not_home.text
    assert db.session.scalar(select(Transfer.id)) is None


def test_passbook_and_redeem_without_enough_points(client, demo):
    login(client, "xiaowang")
    page = client.get("/volunteer/passbook", headers=EN).text
    assert "No points yet" in page
    reward = db.session.scalars(select(Reward)).first()
    refused = client.post(f"/volunteer/rewards/{reward.id}/redeem", headers=EN,
                          data={"csrf_token": csrf(client, "/volunteer/passbook")})
    assert refused.status_code == 409 and "not have enough points" in refused.text


def test_admin_publishes_weekly_slots_and_refuses_nonsense(client, demo):
    login(client, "admin")
    token = csrf(client, "/admin/services")
    service = db.session.scalars(select(ServiceType)).first()
    before = len(db.session.scalars(select(Slot.id)).all())
    start = (utcnow() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    ok = client.post("/admin/slots", data={"csrf_token": token, "service": service.id,
                                           "start": start, "weeks": "4", "capacity": "5"})
    assert ok.status_code == 303
    assert len(db.session.scalars(select(Slot.id)).all()) == before + 4
    for fields, message in ((dict(start="nope"), "start date"),
                            (dict(start=start, weeks="40"), "1 to 26 weeks"),
                            (dict(start=start, capacity="0"), "between 1 and")):
        bad = client.post("/admin/slots", headers=EN, data={
            "csrf_token": token, "service": service.id, **fields})
        assert bad.status_code == 422 and message in bad.text, message


def test_admin_adds_catalog_entries(client, demo):
    login(client, "admin")
    token = csrf(client, "/admin/services")
    assert client.post("/admin/service-categories", data={
        "csrf_token": token, "name_zh": "环保", "name_en": "Environment"}).status_code == 303
    from webapp.models import ServiceCategory
    category = db.session.scalars(select(ServiceCategory).where(
        ServiceCategory.name_zh == "环保")).one()
    bad = client.post("/admin/services", headers=EN, data={
        "csrf_token": token, "category": category.id, "name_zh": "垃圾分类指导",
        "name_en": "Recycling help", "duration": "x", "points": "10", "volunteers": "1",
        "cutoff": "2"})
    assert bad.status_code == 422 and "sensible whole numbers" in bad.text
    ok = client.post("/admin/services", data={
        "csrf_token": token, "category": category.id, "name_zh": "垃圾分类指导",
        "name_en": "Recycling help", "duration": "30", "points": "10", "volunteers": "1",
        "cutoff": "2", "at_home": "1"})
    assert ok.status_code == 303
    assert db.session.scalars(select(ServiceType).where(
        ServiceType.name_en == "Recycling help")).one().at_home


def test_admin_points_page_award_and_bad_input(client, demo):
    login(client, "admin")
    token = csrf(client, "/admin/points")
    volunteer = db.session.scalars(select(User).where(User.username == "xiaowang")).one()
    for fields, message in ((dict(points="10", reason=""), "Please give a reason"),
                            (dict(points="-5", reason="更正"), "below zero"),
                            (dict(points="abc", reason="x"), "whole number of points")):
        bad = client.post("/admin/points/adjust", headers=EN, data={
            "csrf_token": token, "volunteer": volunteer.id, **fields})
        assert bad.status_code == 422 and message in bad.text, message
    ok = client.post("/admin/points/adjust", data={
        "csrf_token": token, "volunteer": volunteer.id, "points": "40", "reason": "清扫活动"})
    assert ok.status_code == 303
    login(client, "xiaowang")
    assert ">40<" in client.get("/volunteer/passbook").text


def test_care_cards_flag_reports_and_refuse_bad_phones(client, entrance_code):
    from tests.web.helpers import submit_report
    from webapp.models import Report
    login(client, "dispatcher")
    token = csrf(client, "/admin/care-cards")
    bad = client.post("/admin/care-cards", headers=EN,
                      data={"csrf_token": token, "name": "独居老人", "phone": "123"})
    assert bad.status_code == 422 and "mobile number" in bad.text
    assert client.post("/admin/care-cards", data={
        "csrf_token": token, "name": "独居老人", "phone": "137 0000 0001",
        "entrance": str(entrance_code.entrance_id)}).status_code == 303
    card = db.session.scalars(select(CareCard)).one()
    assert (card.phone, card.entrance_id) == ("13700000001", entrance_code.entrance_id)
    anonymous = client.application.test_client()
    submit_report(anonymous, entrance_code.token, contact_phone="13700000001", care_card=None)
    report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
    assert report.care_card and report.priority == 1
