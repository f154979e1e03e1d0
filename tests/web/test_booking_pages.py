"""Resident booking pages: from the scan page to a booking page and back out."""

import re

import pytest
from sqlalchemy import select

from tests.conftest import app_secret, csrf_from, hidden_value
from webapp.domain.shared.tokens import unseal
from webapp.extensions import db
from webapp.models import Booking, CareCard, ServiceType, Slot

EN = {"Accept-Language": "en"}


@pytest.fixture
def slot(demo):
    return db.session.scalars(select(Slot).order_by(Slot.starts_at)).first()


def book_form(client, token, slot):
    page = client.get(f"/q/{token}/slots/{slot.id}/book", headers=EN)
    assert page.status_code == 200
    return {"csrf_token": csrf_from(page.text),
            "submission_key": hidden_value(page.text, "submission_key"),
            "name": "赵奶奶", "phone": "13811112222", "floor_room": "4楼401"}


def test_from_scan_page_to_a_time(client, entrance_code, slot):
    scan = client.get(f"/q/{entrance_code.token}", headers=EN).text
    assert f"/q/{entrance_code.token}/services" in scan
    services = client.get(f"/q/{entrance_code.token}/services", headers=EN).text
    assert "Haircut at home" in services and "Everyday emergencies" in services
    page = client.get(f"/q/{entrance_code.token}/services/{slot.service_type_id}",
                      headers=EN).text
    assert f"/slots/{slot.id}/book" in page and "3 places left" in page


def test_booking_with_the_home_from_the_code(client, entrance_code, slot):
    fields = book_form(client, entrance_code.token, slot)
    response = client.post(f"/q/{entrance_code.token}/slots/{slot.id}/book", data=fields)
    assert response.status_code == 303
    page_url = response.headers["Location"]
    assert re.fullmatch(r"/b/[A-Za-z0-9_-]{22,}", page_url)
    made = db.session.scalars(select(Booking)).one()
    assert (made.entrance_id, made.phone, made.status) == (entrance_code.entrance_id,
                                                           "13811112222", "booked")
    page = client.get(page_url, headers=EN)
    assert "赵奶奶" in page.text and "Cancel my booking" in page.text
    assert page.headers["Cache-Control"] == "private, no-store"
    ics = client.get(f"{page_url}/calendar.ics")
    assert ics.mimetype == "text/calendar" and b"BEGIN:VEVENT" in ics.data
    # a double submit is the same booking
    again = client.post(f"/q/{entrance_code.token}/slots/{slot.id}/book", data=fields)
    assert again.headers["Location"] == page_url
    assert db.session.scalar(select(Slot.booked).where(Slot.id == slot.id)) == 1


@pytest.mark.parametrize("changes, message", [
    ({"phone": "12345"}, "Please enter a mobile number"),
    ({"phone": "138 0013 8000 " * 5}, "At most 30 characters."),
    ({"name": ""}, "Please give your name."),
    ({"phone": ""}, "Please give a phone number"),
    ({"submission_key": "x"}, "out of date"),
    ({"phone": "0351-7654321", "sms_updates": "y"},
     "To be sent text messages, please give a mobile number."),
])
def test_bad_input_keeps_the_form_and_books_nothing(client, entrance_code, slot, changes,
                                                   message):
    fields = {**book_form(client, entrance_code.token, slot), **changes}
    response = client.post(f"/q/{entrance_code.token}/slots/{slot.id}/book", data=fields,
                           headers=EN)
    assert response.status_code == 422 and message in response.text
    assert "4楼401" in response.text
    if "sms_updates" in changes:  # the tick and the number typed are kept
        assert '<input aria-describedby="sms_updates-error" aria-invalid="true" checked' \
            in response.text and 'value="0351-7654321"' in response.text
    assert db.session.scalar(select(Booking.id)) is None


def test_a_resident_who_ticks_texts_has_the_booking_link_kept_sealed(client, entrance_code,
                                                                     slot):
    form = client.get(f"/q/{entrance_code.token}/slots/{slot.id}/book", headers=EN).text
    assert "Text me the booking link and any change" in form
    fields = {**book_form(client, entrance_code.token, slot), "sms_updates": "y"}
    response = client.post(f"/q/{entrance_code.token}/slots/{slot.id}/book", data=fields,
                           headers=EN)
    assert response.status_code == 303
    made = db.session.scalars(select(Booking)).one()
    assert (made.sms_updates, made.language) == (True, "en")
    assert unseal(made.sealed_link, app_secret()) == response.headers["Location"]


def test_a_full_slot_and_a_second_booking_by_the_same_phone(client, entrance_code, slot):
    first = book_form(client, entrance_code.token, slot)
    client.post(f"/q/{entrance_code.token}/slots/{slot.id}/book", data=first)
    same_phone = book_form(client, entrance_code.token, slot)
    refused = client.post(f"/q/{entrance_code.token}/slots/{slot.id}/book", data=same_phone,
                          headers=EN)
    assert refused.status_code == 409 and "already have a booking" in refused.text
    slot.booked = slot.capacity
    db.session.commit()
    other = {**book_form(client, entrance_code.token, slot), "phone": "13900001111"}
    full = client.post(f"/q/{entrance_code.token}/slots/{slot.id}/book", data=other,
                       headers=EN)
    assert full.status_code == 409 and "fully booked" in full.text


def test_cancel_is_a_status_and_frees_the_place(client, entrance_code, slot):
    response = client.post(f"/q/{entrance_code.token}/slots/{slot.id}/book",
                           data=book_form(client, entrance_code.token, slot))
    page_url = response.headers["Location"]
    token = csrf_from(client.get(page_url).text)
    cancelled = client.post(f"{page_url}/cancel", data={"csrf_token": token, "reason": "有事"})
    assert cancelled.status_code == 303
    made = db.session.scalars(select(Booking)).one()
    assert made.status == "cancelled" and made.cancel_reason == "有事"
    assert db.session.scalar(select(Slot.booked).where(Slot.id == slot.id)) == 0
    again = client.post(f"{page_url}/cancel", data={"csrf_token": token}, headers=EN)
    assert again.status_code == 409 and "no longer active" in again.text


def test_care_card_holder_books_free(client, entrance_code, demo):
    service = db.session.scalars(select(ServiceType).where(
        ServiceType.free_for_care_card)).first()
    slot = db.session.scalars(select(Slot).where(Slot.service_type_id == service.id)).first()
    if slot is None:
        pytest.skip("no demo slot of a free service")
    db.session.add(CareCard(community_id=slot.community_id, name="赵奶奶",
                            phone="13811112222"))
    db.session.commit()
    response = client.post(f"/q/{entrance_code.token}/slots/{slot.id}/book",
                           data=book_form(client, entrance_code.token, slot))
    assert "Free (care card)" in client.get(response.headers["Location"], headers=EN).text


def test_unknown_slot_and_booking(client, entrance_code):
    assert client.get(f"/q/{entrance_code.token}/slots/999999/book").status_code == 404
    assert client.get("/b/not-a-real-token").status_code == 404
