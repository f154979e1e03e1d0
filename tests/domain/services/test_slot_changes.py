"""An admin changes a published slot (domain/services/slot_changes.py): the time only while
nobody is booked, places never below what is booked."""

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale

from tests.conftest import app_secret
from tests.domain.services.conftest import volunteer
from webapp.domain import unit_of_work
from webapp.domain.services import booking
from webapp.domain.services.slot_changes import SlotChange, change_slot
from webapp.extensions import db
from webapp.models import ServiceCategory, ServiceType

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=2)


@pytest.fixture
def slot(office):
    category = ServiceCategory(community_id=office.community_id, name_zh="便民服务",
                               name_en="Everyday help")
    service = ServiceType(category=category, name_zh="上门理发", name_en="Haircut at home",
                          duration_minutes=45, volunteers_needed=1)
    db.session.add(service)
    with unit_of_work():
        slot, = booking.publish(service, office.community_id, LATER, capacity=3, now=NOW,
                                runs_without_volunteer=True)
    return slot


def as_now(slot, **changes) -> SlotChange:
    fields = dict(start=slot.starts_at, capacity=slot.capacity,
                  volunteer_capacity=slot.volunteer_capacity, location=slot.location or "")
    return SlotChange(**{**fields, **changes})


def refused(slot, change, message):
    with force_locale("en"), pytest.raises(booking.BookingRefused, match=message), \
            unit_of_work():
        change_slot(slot, change, NOW)


def test_nobody_booked_the_time_places_and_point_change(slot):
    later = LATER + timedelta(days=1, hours=3)
    with unit_of_work():
        change_slot(slot, as_now(slot, start=later, capacity=1, volunteer_capacity=0,
                                 location="社区服务站"), NOW)
    db.session.expire_all()
    assert (slot.starts_at, slot.ends_at - slot.starts_at) == (later, timedelta(minutes=45))
    assert (slot.capacity, slot.volunteer_capacity, slot.location) == (1, 0, "社区服务站")
    refused(slot, as_now(slot, start=NOW - timedelta(hours=1)), "in the future")
    refused(slot, as_now(slot, capacity=0), "between 1 and 200")
    refused(slot, as_now(slot, start=None), "start date and time")


def test_with_bookings_more_places_are_fine_fewer_and_a_new_time_are_not(slot, office):
    with unit_of_work():
        for n in range(2):
            booking.book(slot, None, booking.BookingDraft(
                submission_key=f"slot-change-{n:010d}", name="居民", phone=f"1391111000{n}"),
                now=NOW, secret=app_secret())
    helper = volunteer(office, "helper")
    with unit_of_work():
        booking.sign_up(slot, helper, now=NOW)
    refused(slot, as_now(slot, start=LATER + timedelta(hours=1)), "call it off instead")
    refused(slot, as_now(slot, capacity=1), "2 residents have booked")
    refused(slot, as_now(slot, volunteer_capacity=0), "1 volunteers have signed up")
    db.session.expire_all()
    assert (slot.starts_at, slot.capacity, slot.volunteer_capacity) == (LATER, 3, 1)
    with unit_of_work():
        change_slot(slot, as_now(slot, capacity=10, volunteer_capacity=2), NOW)
    db.session.expire_all()
    assert (slot.capacity, slot.booked, slot.volunteer_capacity) == (10, 2, 2)
    with unit_of_work():
        change_slot(slot, as_now(slot, capacity=2), NOW)  # exactly what is booked
    assert slot.capacity == 2


def test_a_past_or_called_off_slot_is_not_changed(slot):
    with unit_of_work():
        booking.cancel_slot(slot, "师傅生病", now=NOW)
    refused(slot, as_now(slot, capacity=5), "over or called off")
    with force_locale("en"), pytest.raises(booking.BookingRefused, match="over"), \
            unit_of_work():
        change_slot(slot, as_now(slot), LATER + timedelta(hours=1))
