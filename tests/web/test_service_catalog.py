"""The admin changes and retires services and changes slots on /admin/services; residents are
never led to a service nobody can book."""

import re
from datetime import timedelta

from sqlalchemy import select

from tests.conftest import app_secret, login
from webapp.domain import unit_of_work
from webapp.domain.services import booking, catalogue
from webapp.extensions import db
from webapp.models import Community, Organization, ServiceType, Slot
from webapp.models.types import utcnow

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


def csrf(client, url="/admin/services"):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).text).group(1)


def bayi():
    return db.session.scalar(select(Community).where(Community.code == "bayi"))


def new_service(name_en="Window cleaning", slots=0, capacity=2):
    """A service of 八一社区 with `slots` published times, a day apart from tomorrow."""
    with unit_of_work():
        category = catalogue.categories_of(bayi().id)[0]
        service = catalogue.add_service(category, bayi().id, catalogue.ServiceDraft(
            name_zh="擦窗户", name_en=name_en, duration_minutes=60, points=10,
            volunteers_needed=1, cancel_cutoff_hours=2))
        db.session.flush()
        for day in range(slots):
            booking.publish(service, bayi().id, utcnow() + timedelta(days=1 + day),
                            capacity=capacity, runs_without_volunteer=True)
    return service


def book(slot, n=1):
    with unit_of_work():
        booking.book(slot, None, booking.BookingDraft(
            submission_key=f"catalog-booking-{n:06d}", name="赵奶奶", phone=f"1381111000{n}"),
            secret=app_secret())


SERVICE_FIELDS = {"name_zh": "擦窗户", "name_en": "Window washing", "duration": "90",
                  "points": "12", "volunteers": "2", "cutoff": "4", "at_home": "1",
                  "description_zh": "高层外窗不擦", "fee_note_zh": "材料自备"}


def test_an_admin_changes_a_service_and_a_wrong_number_keeps_what_was_typed(client, demo):
    service = new_service()
    login(client, "admin")
    url = f"/admin/services/{service.id}"
    fields = {"csrf_token": csrf(client), "category": str(service.category_id),
              **SERVICE_FIELDS}
    bad = client.post(url, headers=EN, data={**fields, "points": "9999"})
    assert bad.status_code == 422 and "sensible whole numbers" in bad.text
    assert 'value="Window washing"' in bad.text and "高层外窗不擦" in bad.text
    assert client.post(url, data=fields).status_code == 303
    db.session.expire_all()
    assert (service.name_en, service.duration_minutes, service.points, service.at_home,
            service.description_zh, service.fee_note_zh) == (
        "Window washing", 90, 12, True, "高层外窗不擦", "材料自备")


def test_retiring_a_service_stops_booking_and_keeps_booked_times(client, demo, entrance_code):
    service = new_service(slots=2)
    empty, booked = db.session.scalars(select(Slot).where(
        Slot.service_type_id == service.id).order_by(Slot.starts_at)).all()
    book(booked)
    login(client, "admin")
    done = client.post(f"/admin/services/{service.id}/retire", headers=EN,
                       data={"csrf_token": csrf(client)})
    assert done.status_code == 303
    page = client.get("/admin/services", headers=EN).text
    assert "1 unbooked times were withdrawn; 1 booked times stay" in page
    db.session.expire_all()
    assert empty.cancelled_at is not None and booked.cancelled_at is None
    listing = client.get(f"/q/{entrance_code.token}/services").text
    assert "Window cleaning" not in listing and "擦窗户" not in listing
    assert client.get(f"/q/{entrance_code.token}/services/{service.id}").status_code == 404
    form = client.get(f"/q/{entrance_code.token}/slots/{booked.id}/book").text
    book_url = f"/q/{entrance_code.token}/slots/{booked.id}/book"
    refused = client.post(book_url, headers=EN, data={
        "csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                                form).group(1),
        "submission_key": re.search(r'name="submission_key" type="hidden" value="([^"]+)"',
                                    form).group(1),
        "name": "钱大爷", "phone": "13822223333"})
    assert refused.status_code == 409 and "no longer offered" in refused.text
    assert client.post(f"/admin/services/{service.id}/bring-back",
                       data={"csrf_token": csrf(client)}).status_code == 303
    db.session.expire_all()
    assert db.session.get(ServiceType, service.id).active


def test_a_slot_changes_freely_until_booked_then_only_upwards(client, demo):
    service = new_service(slots=1, capacity=3)
    slot = db.session.scalar(select(Slot).where(Slot.service_type_id == service.id))
    login(client, "admin")
    url = f"/admin/slots/{slot.id}"
    later = (utcnow() + timedelta(days=3)).astimezone().strftime("%Y-%m-%dT%H:%M")
    fields = {"csrf_token": csrf(client), "start": later, "capacity": "2",
              "volunteer_places": "1", "location": "社区服务站",
              "runs_without_volunteer": "1"}  # ticked, as the form shows it for this slot
    assert client.post(url, data=fields).status_code == 303
    db.session.expire_all()
    assert (slot.capacity, slot.location) == (2, "社区服务站")
    assert slot.starts_at > utcnow() + timedelta(days=2)
    book(slot, 1)
    book(slot, 2)
    page = client.get("/admin/services", headers=EN).text
    assert "call it off (they are told)" in page  # said before anyone tries
    moved = client.post(url, headers=EN, data={
        **fields, "start": (utcnow() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")})
    assert moved.status_code == 422 and "call it off instead" in moved.text
    fewer = client.post(url, headers=EN, data={**fields, "start": page_start(page, slot),
                                               "capacity": "1"})
    assert fewer.status_code == 422 and "2 residents have booked" in fewer.text
    assert 'name="capacity" min="2" max="200" required value="1"' in fewer.text  # kept
    more = client.post(url, data={**fields, "start": page_start(page, slot), "capacity": "6"})
    assert more.status_code == 303
    db.session.expire_all()
    assert (slot.capacity, slot.booked) == (6, 2)


def page_start(page, slot) -> str:
    """The slot's start as its form shows it (the community's local time)."""
    form = page[page.index(f'action="/admin/slots/{slot.id}"'):]
    return re.search(r'name="start" required value="([^"]+)"', form).group(1)


def test_the_catalogue_says_when_a_service_has_no_times_and_whom_to_call(client, demo,
                                                                         entrance_code):
    office = db.session.scalar(select(Organization).where(
        Organization.community_id == bayi().id, Organization.kind == "office"))
    office.phone = "0351-7654321"
    db.session.commit()
    none = new_service("Window cleaning")
    full = new_service("Roof check", slots=1, capacity=1)
    some = new_service("Gutter check", slots=1)
    book(db.session.scalar(select(Slot).where(Slot.service_type_id == full.id)))
    listing = client.get(f"/q/{entrance_code.token}/services", headers=ZH).text
    assert listing.count("暂无可预约时间") >= 2 and "0351-7654321" in listing
    assert f"/services/{none.id}\"" not in listing and f"/services/{full.id}\"" not in listing
    assert f"/services/{some.id}\"" in listing
    page = client.get(f"/q/{entrance_code.token}/services/{none.id}", headers=ZH).text
    assert 'href="tel:03517654321"' in page
