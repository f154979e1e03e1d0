"""Check-in at the door and care visits through the pages: the scan offers check-in, points
only after it, refusals as 4xx with the reason, and a holder seen only by staff and the
visiting volunteer."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.conftest import app_secret, login
from webapp.domain import unit_of_work
from webapp.domain.services import booking, care_cards, care_visits, ledger
from webapp.extensions import db
from webapp.models import (
    AttendanceEvent,
    CareVisit,
    QrCode,
    Report,
    ServiceType,
    Slot,
    Transfer,
)
from webapp.models.types import utcnow

EN = {"Accept-Language": "en"}


def csrf(client, url):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url, headers=EN).text)[1]


@pytest.fixture
def booked_today(demo, users, entrance_code):
    """A home service at the entrance's door that started five minutes ago, served by 小王."""
    service = db.session.scalars(select(ServiceType).where(ServiceType.at_home)).first()
    xiaowang = users["xiaowang"]
    with unit_of_work():
        slot, = booking.publish(service, entrance_code.building.compound.community_id,
                                utcnow() + timedelta(minutes=20))
        booking.sign_up(slot, xiaowang)
        made, _ = booking.book(slot, entrance_code, booking.BookingDraft(
            "web-checkin-000000001", "赵奶奶", "13811112222"), secret=app_secret())
    with unit_of_work():
        db.session.execute(update(Slot).where(Slot.id == slot.id).values(
            starts_at=utcnow() - timedelta(minutes=5),
            ends_at=utcnow() + timedelta(minutes=40)))
    db.session.expire_all()
    return made


def test_the_scan_offers_check_in_and_it_earns_the_points(client, booked_today, entrance_code,
                                                          users):
    login(client, "xiaowang")
    scanned = client.get(f"/q/{entrance_code.token}")
    assert scanned.status_code == 302
    assert scanned.headers["Location"].endswith(f"/volunteer/door/{entrance_code.token}")
    door = client.get(f"/volunteer/door/{entrance_code.token}", headers=EN).text
    service = booked_today.slot.service
    assert f"Check in for <bdi>{service.name_en}</bdi>" in door and "赵奶奶" in door
    checked = client.post(f"/volunteer/door/{entrance_code.token}/bookings/{booked_today.id}",
                          data={"csrf_token": csrf(client, "/volunteer/")})
    assert checked.status_code == 303
    db.session.expire_all()
    assert booked_today.status == "done"
    assert ledger.balance(ledger.passbook(users["xiaowang"])) == service.points
    passbook = client.get("/volunteer/passbook", headers=EN).text
    assert f"<strong>{service.points}</strong>" in passbook
    # another volunteer scanning the same door sees the resident's page, not the check-in
    login(client, "laoli")
    assert client.get(f"/q/{entrance_code.token}").status_code == 200


def test_check_in_at_the_wrong_door_is_refused_with_the_reason(client, booked_today,
                                                               entrance_code):
    elsewhere = db.session.scalars(select(QrCode).where(
        QrCode.building_id != entrance_code.building_id, QrCode.revoked_at.is_(None))).first()
    login(client, "xiaowang")
    refused = client.post(f"/volunteer/door/{elsewhere.token}/bookings/{booked_today.id}",
                          data={"csrf_token": csrf(client, "/volunteer/")}, headers=EN)
    assert refused.status_code == 409 and "not the door of this booking" in refused.text
    assert client.post(f"/volunteer/door/not-a-code/bookings/{booked_today.id}",
                       data={"csrf_token": csrf(client, "/volunteer/")}).status_code == 404
    db.session.expire_all()
    assert booked_today.status == "booked"
    assert db.session.scalar(select(AttendanceEvent.id)) is None
    assert db.session.scalar(select(Transfer.id)) is None


def test_a_volunteers_own_done_no_longer_exists(client, booked_today):
    """The old self-click ("Done") awarded the points with no one at the door."""
    login(client, "xiaowang")
    token = csrf(client, "/volunteer/")
    assert "/done" not in client.get("/volunteer/").text
    assert client.post(f"/volunteer/bookings/{booked_today.id}/done",
                       data={"csrf_token": token}).status_code == 404
    assert db.session.scalar(select(Transfer.id)) is None


def test_staff_confirm_a_home_service_nobody_scanned_for(client, booked_today, users):
    login(client, "admin")
    page = client.get("/admin/attendance", headers=EN)
    assert page.status_code == 200 and "赵奶奶" in page.text
    token = csrf(client, "/admin/attendance")
    slot_id = booked_today.slot_id
    xiaowang = users["xiaowang"]
    assert client.post(f"/admin/attendance/slots/{slot_id}/volunteers/{xiaowang.id}/present",
                       data={"csrf_token": token}).status_code == 303
    assert client.post(f"/admin/attendance/bookings/{booked_today.id}/done",
                       data={"csrf_token": token}).status_code == 303
    again = client.post(f"/admin/attendance/bookings/{booked_today.id}/done", headers=EN,
                        data={"csrf_token": token})
    assert again.status_code == 409 and "no longer active" in again.text
    db.session.expire_all()
    assert ledger.balance(ledger.passbook(xiaowang)) == booked_today.slot.service.points


@pytest.fixture
def holder(demo, entrance_code):
    with unit_of_work():
        card = care_cards.register(entrance_code.building.compound.community_id,
                                   care_cards.CareCardDraft("孙爷爷", "13700001111",
                                                            entrance_code.entrance_id))
    return card


def test_staff_set_a_rhythm_and_bad_input_says_why(client, holder):
    login(client, "dispatcher")
    url = f"/admin/care-cards/{holder.id}"
    token = csrf(client, url)
    for fields, message in (({"every_days": "0", "points": "10"}, "every 1 to 90 days"),
                            ({"every_days": "abc", "points": "10"}, "every 1 to 90 days"),
                            ({"every_days": "7", "points": "-3"}, "0 to 1000 points"),
                            ({"every_days": "7", "points": "10", "starts_on": "soon"},
                             "first day as a date")):
        bad = client.post(f"{url}/rhythm", data={"csrf_token": token, **fields}, headers=EN)
        assert bad.status_code == 422 and message in bad.text, message
        assert f'value="{fields["every_days"]}"' in bad.text  # what was typed comes back
    assert db.session.scalar(select(CareVisit.id)) is None
    ok = client.post(f"{url}/rhythm", data={"csrf_token": token, "every_days": "1",
                                            "points": "15"})
    assert ok.status_code == 303
    assert len(db.session.scalars(select(CareVisit)).all()) == care_visits.AHEAD_DAYS + 1


def test_a_care_visit_seen_only_by_its_volunteer_and_staff(client, holder, entrance_code,
                                                           users):
    with unit_of_work():
        care_visits.set_rhythm(holder, care_visits.RhythmDraft(7, 15, None), users["admin"])
    visit = db.session.scalars(select(CareVisit).order_by(CareVisit.due_on)).first()
    address = entrance_code.building.name
    login(client, "laoli")
    offered = client.get("/volunteer/", headers=EN).text
    assert "Take this visit" in offered
    assert "孙爷爷" not in offered and "13700001111" not in offered
    token = csrf(client, "/volunteer/")
    assert client.post(f"/volunteer/visits/{visit.id}/take",
                       data={"csrf_token": token}).status_code == 303
    mine = client.get("/volunteer/", headers=EN).text
    assert "孙爷爷" in mine and address in mine

    login(client, "xiaowang")  # another volunteer: nothing of the holder, anywhere
    theirs = client.get("/volunteer/", headers=EN).text
    assert "孙爷爷" not in theirs and address not in theirs.split("Care visits (")[-1]
    assert client.get(f"/volunteer/visits/{visit.id}").status_code == 404
    assert client.get(f"/q/{entrance_code.token}").status_code == 200  # no check-in offered
    assert client.get(f"/admin/care-cards/{holder.id}").status_code == 403
    taken = client.post(f"/volunteer/visits/{visit.id}/take", headers=EN,
                        data={"csrf_token": csrf(client, "/volunteer/")})
    assert taken.status_code == 409 and "Another volunteer" in taken.text

    login(client, "laoli")  # at the door: scan, check in, needs help
    scanned = client.get(f"/q/{entrance_code.token}")
    assert scanned.headers["Location"].endswith(f"/volunteer/door/{entrance_code.token}")
    token = csrf(client, "/volunteer/")
    assert client.post(f"/volunteer/door/{entrance_code.token}/visits/{visit.id}",
                       data={"csrf_token": token}).status_code == 303
    page = client.get(f"/volunteer/visits/{visit.id}", headers=EN).text
    key = re.search(r'name="submission_key" value="([^"]+)"', page)[1]
    category = re.search(r'<option value="(\d+)"', page)[1]
    short = client.post(f"/volunteer/visits/{visit.id}/needs-help", headers=EN, data={
        "csrf_token": token, "submission_key": key, "category": category,
        "description": "冷"})
    assert short.status_code == 422 and "what help is needed" in short.text
    assert "冷</textarea>" in short.text
    assert db.session.scalar(select(Report.id).where(Report.channel == "visit")) is None
    done = client.post(f"/volunteer/visits/{visit.id}/needs-help", data={
        "csrf_token": token, "submission_key": key, "category": category,
        "description": "暖气不热，老人说夜里很冷"})
    assert done.status_code == 303
    db.session.expire_all()
    report = db.session.get(CareVisit, visit.id).report
    assert report.care_card and report.channel == "visit" and report.contact_name == "孙爷爷"
    assert ledger.balance(ledger.passbook(users["laoli"])) == 15

    login(client, "dispatcher")  # the holder's page: the history, with the report
    history = client.get(f"/admin/care-cards/{holder.id}", headers=EN).text
    assert "Needs help" in history and report.number in history and "志愿者 老李" in history
