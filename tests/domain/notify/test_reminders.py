"""Reminders the day and the hour before: to the volunteers and to the residents who can be
reached, each once, never for what was cancelled, never at night for a resident, never after
the start; and the last volunteer leaving a booked slot alerts staff urgently."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import app_secret
from tests.domain.notify.test_feed import bell_of
from tests.domain.services.conftest import volunteer
from webapp.domain import unit_of_work
from webapp.domain.notify import rules
from webapp.domain.services import booking
from webapp.extensions import db
from webapp.models import (
    Channel,
    Notification,
    OutboxMessage,
    OutboxStatus,
    ServiceCategory,
    ServiceType,
)

# 10:00 in Shanghai, two days after NOW.
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
START = NOW + timedelta(days=2)


@pytest.fixture
def slot_with(office):
    """A slot at START with a volunteer and a resident who asked for texts."""
    category = ServiceCategory(community_id=office.community_id, name_zh="便民服务",
                               name_en="Everyday help")
    service = ServiceType(category=category, name_zh="上门理发", name_en="Haircut at home",
                          at_home=True, volunteers_needed=1, cancel_cutoff_hours=2)
    db.session.add(service)
    db.session.commit()
    helper = volunteer(office, "remind_vol")

    def make(start=START, phone="13900000007"):
        with unit_of_work():
            slot, = booking.publish(service, office.community_id, start, capacity=3, now=NOW)
            booking.sign_up(slot, helper, now=NOW)
            made, _ = booking.book(slot, None, booking.BookingDraft(
                submission_key=f"remind-{phone}-{start:%H%M}", name="王阿姨", phone=phone,
                sms_updates=True), now=NOW, secret=app_secret())
        return slot, helper, made
    return make


def texts(**where):
    query = select(OutboxMessage).where(OutboxMessage.channel == Channel.SMS,
                                        OutboxMessage.kind == "shift_reminder")
    for name, value in where.items():
        query = query.where(getattr(OutboxMessage, name) == value)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def remind(at):
    with unit_of_work():
        rules.shift_reminders(at)


def test_each_reminder_once_to_the_volunteer_and_the_resident(slot_with):
    slot, helper, _made = slot_with()
    for hours in (23, 20, 5, 0.9, 0.5):  # the worker's job, run again and again
        remind(START - timedelta(hours=hours))
    assert [n.kind for n in bell_of(helper)].count("shift_reminder") == 2
    assert [m.dedupe_key.split("|")[0] for m in texts()] == [
        f"booking:{_made.id}:remind:day", f"booking:{_made.id}:remind:hour"]


def test_no_reminder_for_a_cancelled_booking_and_a_held_one_is_withdrawn(slot_with):
    # 06:30 in Shanghai: the day-before reminder falls at 06:30, inside the night's quiet.
    slot, _helper, made = slot_with(start=datetime(2026, 11, 21, 22, 30, tzinfo=UTC))
    remind(slot.starts_at - timedelta(hours=23, minutes=59))
    held, = texts()
    assert held.status == OutboxStatus.PENDING
    assert held.due_at == datetime(2026, 11, 20, 23, 0, tzinfo=UTC)  # held until 07:00
    with unit_of_work():
        booking.cancel(made, "", now=NOW)
    db.session.expire_all()
    assert held.status == OutboxStatus.CANCELLED
    remind(slot.starts_at - timedelta(minutes=50))
    assert len(texts()) == 1  # and no hour-before either


def test_a_resident_is_not_woken_and_a_reminder_never_comes_after_the_start(slot_with):
    # 06:30 in Shanghai: the hour-before reminder would wait until 07:00, after the start.
    slot, _helper, made = slot_with(start=datetime(2026, 11, 21, 22, 30, tzinfo=UTC))
    remind(slot.starts_at - timedelta(minutes=50))
    assert texts(dedupe_key=f"booking:{made.id}:remind:hour|booking:{made.id}|sms") == []


def test_who_booked_after_a_reminder_was_due_is_not_sent_it(slot_with):
    slot, helper, made = slot_with(start=NOW + timedelta(hours=5))
    remind(NOW + timedelta(minutes=5))  # the day-before was due before they booked
    assert texts() == [] and "shift_reminder" not in [n.kind for n in bell_of(helper)]
    remind(slot.starts_at - timedelta(minutes=30))
    assert [m.dedupe_key.split("|")[0] for m in texts()] == [f"booking:{made.id}:remind:hour"]


def test_the_last_volunteer_leaving_a_booked_slot_alerts_staff_urgently(slot_with, users):
    slot, helper, _made = slot_with()
    with unit_of_work():
        booking.leave(slot.shifts[0], helper, now=NOW)
    alert = db.session.scalars(select(Notification).where(
        Notification.user_id == users["admin"].id,
        Notification.kind == "last_volunteer_left")).one()
    assert alert.urgent and "1" in alert.body
