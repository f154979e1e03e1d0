"""Who hears what: each happening reaches the people it concerns, on the channels they have,
with the page to open, and no one else."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import app_secret
from tests.domain.consultations import conftest as consultations
from tests.domain.notify.test_feed import bell_of, file_report
from tests.domain.reports.conftest import file_for, minutes, resolve_in_ten_minutes
from tests.domain.services.conftest import volunteer
from webapp.domain import unit_of_work
from webapp.domain.notify import rules
from webapp.domain.reports import dispatch, following, sla, transitions
from webapp.domain.services import booking, ledger
from webapp.domain.shared.tokens import unseal
from webapp.extensions import db
from webapp.models import (
    Channel,
    Notification,
    OutboxMessage,
    OutboxStatus,
    Reward,
    ServiceCategory,
    ServiceType,
)

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
building = consultations.building  # the fixture: 微波宿舍 1号楼 with its rooms


def outbox(**where):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    for name, value in where.items():
        query = query.where(getattr(OutboxMessage, name) == value)
    return list(db.session.scalars(query))


def kinds(user):
    return [n.kind for n in bell_of(user)]


def test_the_loop_tells_each_person_their_part(entrance_code, users, tmp_path):
    with unit_of_work():
        report = file_report(entrance_code, tmp_path, "rules-test-0000000001")
    with unit_of_work():
        dispatch.assign(report, users["dispatcher"], report.compound.partner_org,
                        users["mateng"], now=minutes(1))
    assert kinds(users["mateng"]) == ["assigned"]
    assert kinds(users["yianju"]) == []  # assigned to a person: only that person
    with unit_of_work():
        transitions.decline(report, users["mateng"], "不归我们管", now=minutes(2))
    assert kinds(users["dispatcher"]) == ["new_report", "handed_back"]
    assert "不归我们管" in bell_of(users["dispatcher"])[-1].body


def test_a_resident_who_asked_is_texted_the_link_then_the_outcome(entrance_code, users,
                                                                  tmp_path):
    with unit_of_work():
        report = file_report(entrance_code, tmp_path, "rules-test-0000000002",
                             contact_phone="13800138000", sms_updates=True)
    [received] = outbox(channel=Channel.SMS)
    assert received.recipient == "phone:+8613800138000" and received.kind == "received"
    assert received.url_sealed and "/t/" not in received.url
    assert unseal(received.url, app_secret()).startswith("/t/")
    with unit_of_work():
        resolve_in_ten_minutes(report, users)
    assert [m.kind for m in outbox(channel=Channel.SMS)] == ["received", "resolved"]
    assert outbox(channel=Channel.SMS)[1].url == received.url


def test_a_resident_who_did_not_ask_is_not_texted(entrance_code, users, tmp_path):
    with unit_of_work():
        report = file_report(entrance_code, tmp_path, "rules-test-0000000003",
                             contact_phone="13800138000")
    with unit_of_work():
        resolve_in_ten_minutes(report, users)
    assert outbox(channel=Channel.SMS) == []
    # the demo's property company has a group robot: it heard of the job, the resident nothing
    assert [m.kind for m in outbox()] == ["assigned"]


def test_clocks_that_run_out_are_told_once_and_urgently(entrance_code, users, tmp_path):
    with unit_of_work():
        report = file_report(entrance_code, tmp_path, "rules-test-0000000004")
    with unit_of_work():
        for milestone_id in sla.sweep(minutes(60)):
            rules.clock_alert(db.session.get(type(report.milestones[0]), milestone_id),
                              "overdue")
    with unit_of_work():
        assert sla.sweep(minutes(61)) == []
    overdue = [n for n in bell_of(users["dispatcher"]) if n.kind == "overdue"]
    assert len(overdue) == 1 and overdue[0].urgent


@pytest.fixture
def served_slot(app, office):
    """A slot in two days with three places and one volunteer signed up: (slot, volunteer)."""
    category = ServiceCategory(community_id=office.community_id, name_zh="便民服务",
                               name_en="Everyday help")
    service = ServiceType(category=category, name_zh="上门理发", name_en="Haircut at home",
                          at_home=True, volunteers_needed=1, cancel_cutoff_hours=2)
    db.session.add(service)
    db.session.commit()
    helper = volunteer(office, "notify_vol")
    with unit_of_work():
        slot, = booking.publish(service, office.community_id, NOW + timedelta(days=2),
                                capacity=3, now=NOW)
        booking.sign_up(slot, helper, now=NOW)
    return slot, helper


def test_bookings_shifts_and_points_reach_volunteers_and_staff(served_slot, office, users):
    slot, helper = served_slot
    with unit_of_work():
        made, _ = booking.book(slot, None, booking.BookingDraft(
            submission_key="notify-booking-00001", name="王阿姨", phone="13900000001"),
            now=NOW, secret=app_secret())
    with unit_of_work():
        booking.cancel(made, "不需要了", now=NOW)
    assert kinds(helper) == ["booking_made", "booking_cancelled"]

    with unit_of_work():
        rules.shift_reminders(slot.starts_at - timedelta(hours=20))
        rules.shift_reminders(slot.starts_at - timedelta(hours=19))  # the same reminder
        rules.shift_reminders(slot.starts_at - timedelta(minutes=50))
    assert kinds(helper)[2:] == ["shift_reminder", "shift_reminder"]

    with unit_of_work():
        booking.leave(slot.shifts[0], helper, "家里有事", now=NOW)
    assert "volunteer_left" in kinds(users["admin"])

    with unit_of_work():
        reward = Reward(community_id=office.community_id, name_zh="洗衣液", name_en="Soap",
                        kind="goods", cost=0, stock=5)
        db.session.add(reward)
        db.session.flush()
        requested = ledger.request_redemption(helper, reward)
    ledger.reject(requested, users["admin"], "暂时缺货")
    db.session.commit()
    assert kinds(helper)[-1] == "redemption_decided"
    assert "暂时缺货" in bell_of(helper)[-1].body


def test_a_resident_who_booked_and_asked_is_texted_each_change_of_their_booking(served_slot):
    slot, helper = served_slot
    with unit_of_work():
        asked, _ = booking.book(slot, None, booking.BookingDraft(
            submission_key="texted-booking-0001", name="王阿姨", phone="13900000002",
            sms_updates=True, language="en"), now=NOW, secret=app_secret())
        booking.book(slot, None, booking.BookingDraft(
            submission_key="texted-booking-0002", name="李叔", phone="13900000003"),
            now=NOW, secret=app_secret())
    with unit_of_work():
        rules.shift_reminders(slot.starts_at - timedelta(hours=20))
    with unit_of_work():
        booking.leave(slot.shifts[0], helper, "家里有事", now=NOW)
    texts = outbox(channel=Channel.SMS)
    assert [m.kind for m in texts] == ["booking_confirmed", "shift_reminder", "volunteer_left"]
    assert {m.recipient for m in texts} == {"phone:+8613900000002"}  # not 李叔, who did not ask
    assert texts[0].title == "Booked: Haircut at home" and texts[0].language == "en"
    assert all(m.url_sealed and m.url == asked.sealed_link for m in texts)
    assert unseal(texts[0].url, app_secret()).startswith("/b/")


# --- neighbours who follow a report (我也遇到了), reopening after a call-back ---------------

def follow(code, report, key, **fields):
    with unit_of_work():
        return following.follow(code, report.id, following.FollowDraft(key, **fields),
                                secret=app_secret(), now=minutes(1))[0]


def test_a_follower_who_asked_is_texted_their_own_link_then_the_fix(entrance_code, users,
                                                                    tmp_path):
    with unit_of_work():
        report = file_report(entrance_code, tmp_path, "follow-texts-00000001",
                             contact_phone="13800138000", sms_updates=True)
    follow(entrance_code, report, "follow-texts-key-0001", phone="13911112222",
           sms_updates=True, language="en")
    follow(entrance_code, report, "follow-texts-key-0002", phone="13933334444")  # no texts
    follow(entrance_code, report, "follow-texts-key-0003")  # no phone
    sms = outbox(channel=Channel.SMS)
    assert [(m.kind, m.recipient) for m in sms] == [
        ("received", "phone:+8613800138000"), ("following", "phone:+8613911112222")]
    link = unseal(sms[1].url, app_secret())
    assert link == following.follower_path(following.follow_token("follow-texts-key-0001",
                                                                  app_secret()))
    assert link != unseal(sms[0].url, app_secret())  # never the reporter's link
    assert sms[1].language == "en" and "/f/" not in sms[1].url  # sealed
    with unit_of_work():
        resolve_in_ten_minutes(report, users)
    assert [(m.kind, m.recipient) for m in outbox(channel=Channel.SMS)][2:] == [
        ("resolved", "phone:+8613800138000"), ("following_resolved", "phone:+8613911112222")]
    assert outbox(channel=Channel.SMS)[3].url == sms[1].url


def test_reopening_after_a_call_back_tells_the_dispatchers_and_the_assignee(
        entrance_code, users, tmp_path):
    with unit_of_work():
        report = file_report(entrance_code, tmp_path, "follow-texts-00000002")
    with unit_of_work():
        resolve_in_ten_minutes(report, users)
        transitions.auto_close_unrated(minutes(8 * 24 * 60), after_days=7)
    with unit_of_work():
        dispatch.reopen_after_callback(report, users["admin"], "回访：灯又坏了",
                                       now=minutes(9 * 24 * 60))
    for user in (users["dispatcher"], users["mateng"]):
        last = bell_of(user)[-1]
        assert last.kind == "not_fixed" and "回访：灯又坏了" in last.body
# A report staff filed for a resident: the dispatchers hear of it, not the one who filed it;
# the resident who is to be texted gets the tracking link, as after scanning.

def test_the_one_who_filed_it_is_not_told_of_it(users, tmp_path):
    with unit_of_work():
        file_for(users["dispatcher"], "told-nobody-00000001", folder=tmp_path)
    assert [n.kind for n in bell_of(users["dispatcher"])] == []
    with unit_of_work():
        report, _ = file_for(users["grid"], "told-dispatcher-0001", channel="patrol",
                             folder=tmp_path)
    [notice] = bell_of(users["dispatcher"])
    assert notice.kind == "new_report" and notice.report_id == report.id


def test_the_resident_is_texted_the_tracking_link(users, tmp_path):
    with unit_of_work():
        report, _ = file_for(users["dispatcher"], "texted-the-link-0001", folder=tmp_path,
                             contact_phone="139 1234 5678", sms_updates=True)
    [received] = outbox(channel=Channel.SMS)
    assert received.recipient == "phone:+8613912345678" and received.kind == "received"
    assert unseal(received.url, app_secret()) == unseal(report.sealed_link, app_secret())


def test_a_consultation_decided_tells_its_opener_and_the_dispatchers(building, users,
                                                                    tmp_path):
    from tests.domain.consultations.conftest import DEADLINE, T0, draft
    from webapp.domain.consultations import deciding, opening

    with unit_of_work():
        consultation = opening.open_consultation(
            draft(), opening.Place(building.compound, building), users["admin"],
            secret=app_secret(), upload_folder=tmp_path, now=T0)
    with unit_of_work():
        deciding.close_due(DEADLINE)
    for name in ("dispatcher", "admin"):
        assert kinds(users[name])[-1] == "consultation_decided", name
    item = bell_of(users["admin"])[-1]
    assert "更换楼内供暖立管" in item.title and "未通过" in item.body
    assert item.url == f"/staff/consultations/{consultation.id}"
    assert "consultation_decided" not in kinds(users["mateng"])


# --- reminders the day and the hour before; the last volunteer leaving ------------------------
# To the volunteers and to the residents who can be reached, each once, never for what was
# cancelled, never at night for a resident, never after the start.

START = NOW + timedelta(days=2)  # 10:00 in Shanghai


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


def reminder_texts(**where):
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
    assert [m.dedupe_key.split("|")[0] for m in reminder_texts()] == [
        f"booking:{_made.id}:remind:day", f"booking:{_made.id}:remind:hour"]


def test_no_reminder_for_a_cancelled_booking_and_a_held_one_is_withdrawn(slot_with):
    # 06:30 in Shanghai: the day-before reminder falls at 06:30, inside the night's quiet.
    slot, _helper, made = slot_with(start=datetime(2026, 11, 21, 22, 30, tzinfo=UTC))
    remind(slot.starts_at - timedelta(hours=23, minutes=59))
    held, = reminder_texts()
    assert held.status == OutboxStatus.PENDING
    assert held.due_at == datetime(2026, 11, 20, 23, 0, tzinfo=UTC)  # held until 07:00
    with unit_of_work():
        booking.cancel(made, "", now=NOW)
    db.session.expire_all()
    assert held.status == OutboxStatus.CANCELLED
    remind(slot.starts_at - timedelta(minutes=50))
    assert len(reminder_texts()) == 1  # and no hour-before either


def test_a_resident_is_not_woken_and_a_reminder_never_comes_after_the_start(slot_with):
    # 06:30 in Shanghai: the hour-before reminder would wait until 07:00, after the start.
    slot, _helper, made = slot_with(start=datetime(2026, 11, 21, 22, 30, tzinfo=UTC))
    remind(slot.starts_at - timedelta(minutes=50))
    assert reminder_texts(dedupe_key=f"booking:{made.id}:remind:hour|booking:{made.id}|sms") == []


def test_who_booked_after_a_reminder_was_due_is_not_sent_it(slot_with):
    slot, helper, made = slot_with(start=NOW + timedelta(hours=5))
    remind(NOW + timedelta(minutes=5))  # the day-before was due before they booked
    assert reminder_texts() == [] and "shift_reminder" not in [n.kind for n in bell_of(helper)]
    remind(slot.starts_at - timedelta(minutes=30))
    assert [m.dedupe_key.split("|")[0] for m in reminder_texts()] == [
        f"booking:{made.id}:remind:hour"]


def test_the_last_volunteer_leaving_a_booked_slot_alerts_staff_urgently(slot_with, users):
    slot, helper, _made = slot_with()
    with unit_of_work():
        booking.leave(slot.shifts[0], helper, "家里有事", now=NOW)
    alert = db.session.scalars(select(Notification).where(
        Notification.user_id == users["admin"].id,
        Notification.kind == "last_volunteer_left")).one()
    assert alert.urgent and "1" in alert.body
