"""flask privacy purge: residents' details go from what closed long ago; the figures stay."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import app_secret
from webapp.domain import unit_of_work
from webapp.domain.notify import subscriptions
from webapp.domain.reports import board as reporting
from webapp.domain.reports import dispatch, following, intake, purge, transitions
from webapp.domain.services import booking
from webapp.extensions import db
from webapp.models import (
    Booking,
    Category,
    Organization,
    OutboxMessage,
    OutboxStatus,
    Report,
    ReportEvent,
    ReportFollower,
    ServiceCategory,
    ServiceType,
)
from webapp.models.types import utcnow

NOW = utcnow()
LONG_AGO = NOW - timedelta(days=200)


def filed(entrance_code, key, when, **changes):
    fields = dict(submission_key=key, description="厨房漏水，打我电话138.0013.8000或微信 wang_88",
                  category_id=db.session.scalar(select(Category.id).where(
                      Category.code == "water")),
                  floor_room="3楼302室", contact_name="王阿姨", contact_phone="13800138000")
    fields.update(changes)
    with unit_of_work():
        report, _ = intake.submit_report(entrance_code, intake.ReportDraft(**fields), [],
                                           None, now=when, secret=app_secret())
    return report


def closed(report, users, when):
    handler = users["mateng"]
    with unit_of_work():
        dispatch.assign(report, users["dispatcher"], report.compound.partner_org, now=when)
        dispatch.public_reply(report, users["dispatcher"], "王阿姨，师傅电话 139 1234 5678",
                              now=when)
        transitions.accept(report, handler, now=when + timedelta(minutes=1))
        transitions.arrive(report, handler, now=when + timedelta(minutes=2))
        transitions.resolve(report, handler, "已修好", now=when + timedelta(minutes=10))
        transitions.confirm_fixed(report, 5, "谢谢！有事再打13800138000",
                               now=when + timedelta(minutes=30))
    return report


@pytest.fixture
def old_booking(demo):
    office = db.session.scalars(select(Organization).where(Organization.kind == "office")).first()
    service = ServiceType(category=ServiceCategory(community_id=office.community_id,
                                                   name_zh="理发", name_en="Haircut"),
                          name_zh="上门理发", name_en="Haircut at home")
    db.session.add(service)
    db.session.commit()
    with unit_of_work():
        slot = booking.publish(service, office.community_id, LONG_AGO + timedelta(days=1),
                               now=LONG_AGO, runs_without_volunteer=True)[0]
    made, _ = booking.book(slot, None, booking.BookingDraft(
        "purge-booking-key-01", "赵奶奶", "13811112222", floor_room="4楼401",
        note="孙子电话13900001111"), now=LONG_AGO, secret=app_secret())
    return made


def test_purge_keeps_figures_and_forgets_the_resident(entrance_code, users, old_booking):
    old = closed(filed(entrance_code, "purge-old-00000001", LONG_AGO), users, LONG_AGO)
    recent = closed(filed(entrance_code, "purge-new-00000001", NOW - timedelta(days=3)), users,
                    NOW - timedelta(days=3))
    still_open = filed(entrance_code, "purge-open-0000001", LONG_AGO)
    month = old.resolved_at.strftime("%Y-%m")
    figures = reporting.board(old.community_id, month, "UTC").total
    events_before = [(e.kind, e.created_at) for e in old.events]

    assert purge.purge(NOW, 180) == purge.Purged(reports=1, bookings=1)

    db.session.expire_all()
    old = db.session.get(Report, old.id)
    assert (old.contact_name, old.contact_phone, old.floor_room) == (None, None, None)
    assert old.purged_at is not None
    assert old.description == "厨房漏水，打我电话***或微信 ***"
    assert "13800138000" not in old.rating_comment and old.rating == 5
    notes = " ".join(e.note or "" for e in db.session.scalars(
        select(ReportEvent).where(ReportEvent.report_id == old.id)))
    assert "王阿姨" not in notes and "5678" not in notes and "已修好" in notes
    assert [(e.kind, e.created_at) for e in old.events] == events_before  # the timeline stays
    after = reporting.board(old.community_id, month, "UTC").total
    assert (after.received, after.resolved, after.ratings) == \
        (figures.received, figures.resolved, figures.ratings)

    for untouched in (recent, still_open):
        kept = db.session.get(Report, untouched.id)
        assert (kept.contact_name, kept.contact_phone, kept.purged_at) == \
            ("王阿姨", "13800138000", None)
        assert "138.0013.8000" in kept.description

    gone = db.session.get(Booking, old_booking.id)
    assert (gone.name, gone.phone, gone.floor_room, gone.note) == (None, None, None, None)
    assert gone.status == "booked" and gone.slot_id == old_booking.slot_id

    assert purge.purge(NOW, 180) == purge.Purged(0, 0)  # idempotent


def test_the_command_reads_its_days_from_the_config_or_the_option(app, entrance_code, users):
    report = closed(filed(entrance_code, "purge-cli-00000001", NOW - timedelta(days=10)), users,
                    NOW - timedelta(days=10))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["privacy", "purge"])
    assert first.exit_code == 0
    assert first.output == ("Purged 0 report(s) and 0 booking(s) closed 180 or more days ago, "
                            "and 0 delivered notification(s).\n")
    app.config["PURGE_AFTER_DAYS"] = 5
    second = runner.invoke(args=["privacy", "purge"])
    assert second.output.startswith("Purged 1 report(s) and 0 booking(s) closed 5 or more")
    assert runner.invoke(args=["privacy", "purge", "--days", "5"]).output.startswith("Purged 0")
    assert runner.invoke(args=["privacy", "purge", "--days", "-1"]).exit_code != 0
    db.session.expire_all()
    assert db.session.get(Report, report.id).contact_phone is None


def test_the_command_forgets_texts_and_sealed_links_with_the_resident(app, entrance_code,
                                                                       users, push_service):
    report = closed(filed(entrance_code, "purge-texts-000001", LONG_AGO, sms_updates=True),
                    users, LONG_AGO)
    assert report.sealed_link is not None
    with unit_of_work():
        device, _ = subscriptions.subscribe(
            subscriptions.of_report(report), push_service.subscription(), allow_http=True,
            page_path="/t/x", secret=app_secret())
    texts = db.session.scalars(select(OutboxMessage)).all()
    assert texts  # "received", "resolved"; the robot's post of the job
    for message in texts:
        message.status = OutboxStatus.SENT
    db.session.commit()
    done = app.test_cli_runner().invoke(args=["privacy", "purge", "--days", "0"])
    assert done.output.endswith(f"and {len(texts)} delivered notification(s).\n")
    db.session.expire_all()
    report = db.session.get(Report, report.id)
    assert (report.sealed_link, report.sms_updates) == (None, False)
    device = db.session.get(type(device), device.id)
    assert device.ended_at is not None and device.sealed_url is None
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_neighbours_who_followed_are_forgotten_with_the_reporter(entrance_code, users):
    """我也遇到了: a follower's phone and sealed link go with the reporter's details."""
    report = filed(entrance_code, "purge-follow-000001", LONG_AGO)
    with unit_of_work():
        follower, _ = following.follow(
            entrance_code, report.id, following.FollowDraft(
                "purge-follow-key-01", phone="13911112222", sms_updates=True),
            secret=app_secret(), now=LONG_AGO + timedelta(minutes=5))
    closed(report, users, LONG_AGO)
    with unit_of_work():
        purge.purge(NOW, after_days=30)
    db.session.expire_all()
    follower = db.session.get(ReportFollower, follower.id)
    assert (follower.phone, follower.sealed_link, follower.sms_updates) == (None, None, False)
    assert follower.report_id == report.id  # the count of neighbours stays


def test_a_waiting_list_s_residents_are_forgotten_too(demo):
    from webapp.domain.services import waitlist
    from webapp.models import WaitlistEntry

    office = db.session.scalars(select(Organization).where(Organization.kind == "office")).first()
    category = ServiceCategory(community_id=office.community_id, name_zh="理发",
                               name_en="Haircut")
    service = ServiceType(category=category, name_zh="上门理发", name_en="Haircut")
    db.session.add(service)
    db.session.commit()
    with unit_of_work():
        slot, = booking.publish(service, office.community_id, LONG_AGO + timedelta(days=1),
                                now=LONG_AGO)  # no volunteer yet: residents wait
        waitlist.join(slot, None, booking.BookingDraft(
            "purge-waiting-key-01", "钱大爷", "13811113333", floor_room="2楼", sms_updates=True),
            now=LONG_AGO, secret=app_secret())
    with unit_of_work():
        assert purge.purge(utcnow(), 180).bookings == 1
    entry = db.session.scalars(select(WaitlistEntry)).one()
    assert (entry.name, entry.phone, entry.floor_room, entry.sealed_link) == (None,) * 4
    assert entry.purged_at is not None
