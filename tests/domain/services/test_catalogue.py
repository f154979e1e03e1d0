"""The service catalogue as an admin builds it, without the pages (domain/services/catalogue.py)."""

import dataclasses
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from tests.conftest import app_secret
from webapp.domain import DomainRefused, unit_of_work
from webapp.domain.people import accounts
from webapp.domain.services import booking, catalogue
from webapp.extensions import db
from webapp.models import (
    BookingStatus,
    Community,
    Organization,
    Role,
    ServiceCategory,
    ServiceType,
    Slot,
)
from webapp.models.types import utcnow

HAIRCUT = catalogue.ServiceDraft(name_zh="理发", name_en="Haircut", duration_minutes=60,
                                 points=10, volunteers_needed=1, cancel_cutoff_hours=2)


@pytest.fixture
def bayi(demo):
    return db.session.scalar(select(Community).where(Community.code == "bayi"))


@pytest.fixture
def category(bayi):
    return catalogue.categories_of(bayi.id)[0]


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_category_goes_last_and_needs_both_names(bayi):
    before = catalogue.categories_of(bayi.id)
    with unit_of_work():
        made = catalogue.add_category(bayi.id, " 家政 ", "Home help")
    assert catalogue.categories_of(bayi.id) == [*before, made]
    assert (made.name_zh, made.sort_order) == ("家政", len(before))
    for names in (("家政", ""), ("", "Home help"), ("家" * 61, "Home help")):
        with force_locale("en"), pytest.raises(catalogue.CatalogueRefused,
                                               match="Chinese and an English name"):
            with unit_of_work():
                catalogue.add_category(bayi.id, *names)
    assert len(catalogue.categories_of(bayi.id)) == len(before) + 1


def test_a_service_is_added_with_its_notes_cut_descriptions_and_flags(bayi, category):
    draft = catalogue.ServiceDraft(**{**HAIRCUT.__dict__, "description_zh": "长" * 1200,
                                      "fee_note_en": " Bring a towel ", "free_for_care_card": True})
    with unit_of_work():
        made = catalogue.add_service(category, bayi.id, draft)
    assert made.category_id == category.id and made.free_for_care_card
    assert len(made.description_zh) == 1000 and made.description_en is None
    assert (made.fee_note_zh, made.fee_note_en) == (None, "Bring a towel")


@pytest.mark.parametrize("change, message", [
    ({"name_en": ""}, "Chinese and an English name"),
    ({"fee_note_zh": "费" * 500}, "Fee note"),
    ({"duration_minutes": None}, "sensible whole numbers"),
    ({"duration_minutes": 4}, "sensible whole numbers"),
    ({"points": 1001}, "sensible whole numbers"),
    ({"volunteers_needed": 21}, "sensible whole numbers"),
    ({"cancel_cutoff_hours": 24 * 14 + 1}, "sensible whole numbers"),
])
def test_a_wrong_service_field_adds_nothing(bayi, category, change, message):
    before = count(ServiceType)
    draft = catalogue.ServiceDraft(**{**HAIRCUT.__dict__, **change})
    with force_locale("en"), pytest.raises(catalogue.CatalogueRefused, match=message), \
            unit_of_work():
        catalogue.add_service(category, bayi.id, draft)
    assert count(ServiceType) == before


def test_another_communitys_category_is_no_category(bayi):
    other = db.session.scalar(select(ServiceCategory).where(
        ServiceCategory.community_id != bayi.id))
    for category in (None, other):
        with force_locale("en"), pytest.raises(catalogue.CatalogueRefused,
                                               match="Choose a category"):
            catalogue.add_service(category, bayi.id, HAIRCUT)


def test_slots_are_published_for_the_communitys_own_services_only(bayi, users):
    service = db.session.scalar(select(ServiceType).join(ServiceCategory).where(
        ServiceCategory.community_id == bayi.id))
    start = utcnow() + timedelta(days=3)
    with unit_of_work():
        slots = catalogue.publish_slots(service, bayi, catalogue.SlotDraft(
            start=start, weeks=2, capacity=4, location=" 活动室 "), users["admin"])
    assert [s.starts_at for s in slots] == [start, start + timedelta(weeks=1)]
    assert {s.id for s in slots} <= {s.id for s in catalogue.upcoming_slots(bayi.id, utcnow())}
    assert slots[0].location == "活动室" and slots[0].created_by_id == users["admin"].id
    before = count(Slot)
    other = db.session.scalar(select(Community).where(Community.id != bayi.id))
    for service_, community, draft, message in (
            (service, other, catalogue.SlotDraft(start=start), "Choose a service"),
            (service, bayi, catalogue.SlotDraft(start=None), "start date and time"),
            (service, bayi, catalogue.SlotDraft(start=start, capacity=0), "Places")):
        with force_locale("en"), pytest.raises(DomainRefused, match=message), \
                unit_of_work():
            catalogue.publish_slots(service_, community, draft, users["admin"])
    assert count(Slot) == before


def test_a_service_is_changed_whole_or_not_at_all(bayi, category):
    with unit_of_work():
        service = catalogue.add_service(category, bayi.id, HAIRCUT)
    other = db.session.scalar(select(Community).where(Community.code != "bayi"))
    elsewhere = catalogue.add_category(other.id, "别处", "Elsewhere")
    db.session.commit()
    longer = dataclasses.replace(HAIRCUT, name_en="Haircut at home", duration_minutes=45,
                                 points=15, at_home=True, fee_note_zh="每次10元")
    with unit_of_work():
        catalogue.edit_service(service, category, bayi.id, longer)
    db.session.expire_all()
    assert (service.name_en, service.duration_minutes, service.points, service.at_home,
            service.fee_note_zh) == ("Haircut at home", 45, 15, True, "每次10元")
    for bad_category, draft, message in (
            (category, dataclasses.replace(HAIRCUT, points=None), "sensible whole numbers"),
            (category, dataclasses.replace(HAIRCUT, name_zh=" "), "Chinese and an English"),
            (elsewhere, HAIRCUT, "Choose a category")):
        with force_locale("en"), pytest.raises(DomainRefused, match=message), unit_of_work():
            catalogue.edit_service(service, bad_category, bayi.id, draft)
    db.session.expire_all()
    assert (service.name_en, service.points) == ("Haircut at home", 15)


def test_retiring_withdraws_unbooked_times_keeps_booked_ones_and_stops_booking(
        bayi, category, users):
    now = utcnow()
    with unit_of_work():
        service = catalogue.add_service(category, bayi.id, HAIRCUT)
        empty, booked = booking.publish(service, bayi.id, now + timedelta(days=2), weeks=2,
                                        capacity=3, runs_without_volunteer=True)
    with unit_of_work():
        made, _ = booking.book(booked, None, booking.BookingDraft(
            submission_key="retire-booked-000001", name="赵奶奶", phone="13811112222"),
            secret=app_secret())
    assert catalogue.bookable_counts(bayi.id, now)[service.id] == 2
    with unit_of_work():
        assert catalogue.retire_service(service, now) == (1, 1)
    db.session.expire_all()
    assert empty.cancelled_at is not None and booked.cancelled_at is None
    assert made.status == BookingStatus.BOOKED and made.slot.service is service
    assert service.id not in catalogue.bookable_counts(bayi.id, now)
    with force_locale("en"), pytest.raises(DomainRefused, match="no longer offered"), \
            unit_of_work():
        booking.book(booked, None, booking.BookingDraft(
            submission_key="retire-refused-00001", name="钱大爷", phone="13811113333"),
            secret=app_secret())
    community = db.session.get(Community, bayi.id)
    draft = catalogue.SlotDraft(start=now + timedelta(days=5), capacity=2,
                                runs_without_volunteer=True)
    with force_locale("en"), pytest.raises(DomainRefused, match="retired"), unit_of_work():
        catalogue.publish_slots(service, community, draft, users["admin"])
    helper = accounts.create_user("helper", "", "long-enough-1", Role.VOLUNTEER,
                                  users["admin"].organization)
    with force_locale("en"), pytest.raises(DomainRefused, match="no longer offered"), \
            unit_of_work():
        booking.offer_availability(helper, service, now + timedelta(days=6))
    with unit_of_work():
        catalogue.bring_back_service(service)
        catalogue.publish_slots(service, community, draft, users["admin"])
    assert catalogue.bookable_counts(bayi.id, now)[service.id] == 2


def test_the_office_phone_is_the_offices_own_line_else_the_hotline(bayi):
    assert catalogue.office_phone(bayi) == bayi.hotline
    office = db.session.scalar(select(Organization).where(
        Organization.community_id == bayi.id, Organization.kind == "office"))
    office.phone = "0351-1234567"
    assert catalogue.office_phone(bayi) == "0351-1234567"
