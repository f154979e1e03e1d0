"""A resident's waiting list and calendar pages: joining a full slot, the place in line, the
booking once promoted; a cancelled booking's calendar file; prices where they show."""

import pytest
from icalendar import Calendar
from sqlalchemy import select

from tests.conftest import csrf_from, hidden_value, login
from webapp.domain import unit_of_work
from webapp.domain.services import booking, calendar
from webapp.extensions import db
from webapp.models import Slot, User, WaitlistEntry

EN = {"Accept-Language": "en"}


@pytest.fixture
def slot(demo):
    """The demo's first slot, one place left."""
    found = db.session.scalars(select(Slot).order_by(Slot.starts_at)).first()
    found.capacity = 1
    db.session.commit()
    return found


def form_of(client, token, slot, phone, name="赵奶奶"):
    page = client.get(f"/q/{token}/slots/{slot.id}/book", headers=EN)
    return page.text, {"csrf_token": csrf_from(page.text),
                       "submission_key": hidden_value(page.text, "submission_key"),
                       "name": name, "phone": phone}


def take(client, token, slot, phone, action="book"):
    _page, fields = form_of(client, token, slot, phone)
    response = client.post(f"/q/{token}/slots/{slot.id}/{action}", data=fields)
    assert response.status_code == 303, response.text[:400]
    return response.headers["Location"]


def test_a_full_slot_offers_its_waiting_list_and_the_line_moves(client, entrance_code, slot):
    code = entrance_code.token
    first_booking = take(client, code, slot, "13811110001")
    listing = client.get(f"/q/{code}/services/{slot.service_type_id}", headers=EN).text
    assert "Full · join the waiting list" in listing
    form, _fields = form_of(client, code, slot, "x")
    assert f"/slots/{slot.id}/wait" in form and "Join the waiting list" in form
    first = take(client, code, slot, "13811110002", "wait")
    second = take(client, code, slot, "13811110003", "wait")
    assert "You are 1st on the waiting list." in client.get(first, headers=EN).text
    page = client.get(second, headers=EN)
    assert "You are 2nd on the waiting list." in page.text
    assert page.headers["Cache-Control"] == "private, no-store"
    assert "您在候补名单上排第2位" in client.get(second, headers={"Accept-Language": "zh"}).text

    token = csrf_from(client.get(first_booking).text)
    assert client.post(f"{first_booking}/cancel", data={"csrf_token": token}).status_code == 303
    promoted = client.get(first, headers=EN).text
    assert "You got a place" in promoted and "Cancel my booking" in promoted
    assert "You are 1st on the waiting list." in client.get(second, headers=EN).text

    token = csrf_from(client.get(second).text)
    left = client.post(f"{second}/leave-waitlist", data={"csrf_token": token})
    assert left.status_code == 303
    assert "You left the waiting list." in client.get(second, headers=EN).text
    again = client.post(f"{second}/leave-waitlist", data={"csrf_token": token}, headers=EN)
    assert again.status_code == 409 and "no longer on this waiting list" in again.text


def test_a_refused_booking_keeps_what_was_typed_and_offers_the_list(client, entrance_code,
                                                                    slot):
    code = entrance_code.token
    _page, late = form_of(client, code, slot, "13811110005", name="钱大爷")
    take(client, code, slot, "13811110004")
    refused = client.post(f"/q/{code}/slots/{slot.id}/book", data=late, headers=EN)
    assert refused.status_code == 409 and "Join its waiting list" in refused.text
    assert 'value="钱大爷"' in refused.text and f"/slots/{slot.id}/wait" in refused.text


@pytest.mark.parametrize("changes, message", [
    ({"phone": ""}, "Please give a phone number"),
    ({"name": ""}, "Please give your name."),
    ({"phone": "0351-7654321", "sms_updates": "y"},
     "To be sent text messages, please give a mobile number."),
])
def test_bad_input_to_the_list_stores_nothing(client, entrance_code, slot, changes, message):
    take(client, entrance_code.token, slot, "13811110006")
    _page, fields = form_of(client, entrance_code.token, slot, "13811110007")
    response = client.post(f"/q/{entrance_code.token}/slots/{slot.id}/wait",
                           data={**fields, **changes}, headers=EN)
    assert response.status_code == 422 and message in response.text
    assert db.session.scalar(select(WaitlistEntry.id)) is None


def events(ics: bytes) -> tuple[Calendar, list]:
    parsed = Calendar.from_ical(ics)
    return parsed, list(parsed.walk("VEVENT"))


def test_a_cancelled_booking_s_calendar_file_cancels_the_event(client, entrance_code, slot):
    page_url = take(client, entrance_code.token, slot, "13811110008")
    assert "Add to my calendar" in client.get(page_url, headers=EN).text
    live, (event,) = events(client.get(f"{page_url}/calendar.ics").data)
    assert str(live["method"]) == "PUBLISH" and str(event["status"]) == "CONFIRMED"
    token = csrf_from(client.get(page_url).text)
    client.post(f"{page_url}/cancel", data={"csrf_token": token})
    page = client.get(page_url, headers=EN).text
    assert "Add to my calendar" not in page and "Remove from my calendar" in page
    gone, (cancelled,) = events(client.get(f"{page_url}/calendar.ics").data)
    assert str(gone["method"]) == "CANCEL" and str(cancelled["status"]) == "CANCELLED"
    assert str(cancelled["uid"]) == str(event["uid"])
    assert int(cancelled["sequence"]) > int(event["sequence"])


def test_a_called_off_shift_is_cancelled_in_the_volunteer_s_feed(client, demo):
    helper = db.session.scalar(select(User).where(User.username == "xiaowang"))
    slot = db.session.scalars(select(Slot).order_by(Slot.starts_at.desc())).first()
    with unit_of_work():
        booking.sign_up(slot, helper)
        token = calendar.new_feed_token(helper)
    _cal, (event,) = events(client.get(f"/volunteer/feed/{token}.ics").data)
    with unit_of_work():
        booking.cancel_slot(db.session.get(Slot, slot.id), "下雨")
    _cal, (called_off,) = events(client.get(f"/volunteer/feed/{token}.ics").data)
    assert str(called_off["uid"]) == str(event["uid"])
    assert str(called_off["status"]) == "CANCELLED"
    assert int(called_off["sequence"]) > int(event["sequence"])


def test_the_price_is_the_same_sentence_everywhere(client, entrance_code, slot):
    service = slot.service
    service.free_for_care_card, service.fee_note_en = True, "Materials at your own cost"
    db.session.commit()
    said = "Free for care-card holders; others: Materials at your own cost"
    code = entrance_code.token
    assert said in client.get(f"/q/{code}/services", headers=EN).text
    assert said in client.get(f"/q/{code}/services/{service.id}", headers=EN).text
    assert said in client.get(f"/q/{code}/slots/{slot.id}/book", headers=EN).text
    page = client.get(take(client, code, slot, "13811110009"), headers=EN).text
    assert "Fee: Materials at your own cost" in page  # this resident has no care card
    login(client, "admin")
    assert said in client.get("/admin/services", headers=EN).text


def test_a_slot_that_needs_a_volunteer_says_so_and_staff_can_let_it_run(client, demo,
                                                                        entrance_code):
    slot = db.session.scalars(select(Slot).order_by(Slot.starts_at)).first()
    slot.runs_without_volunteer = False
    db.session.commit()
    code = entrance_code.token
    listing = client.get(f"/q/{code}/services/{slot.service_type_id}", headers=EN).text
    assert "Waiting for a volunteer · join the waiting list" in listing
    waiting = take(client, code, slot, "13811110010", "wait")
    login(client, "admin")
    admin = client.get("/admin/services", headers=EN).text
    assert "needs a volunteer" in admin and "1 waiting" in admin
    token = csrf_from(client.get("/admin/services").text.replace(
        'name="csrf_token" value=', 'name="csrf_token" type="hidden" value=', 1))
    fields = {"csrf_token": token,
              "start": slot.starts_at.astimezone().strftime("%Y-%m-%dT%H:%M"),
              "capacity": str(slot.capacity), "volunteer_places": str(slot.volunteer_capacity),
              "runs_without_volunteer": "1"}
    page = client.get("/admin/services").text
    start = page.split(f'action="/admin/slots/{slot.id}"')[1].split('name="start"')[1]
    fields["start"] = start.split('value="')[1].split('"')[0]
    assert client.post(f"/admin/slots/{slot.id}", data=fields).status_code == 303
    assert "You got a place" in client.get(waiting, headers=EN).text
