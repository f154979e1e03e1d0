"""The notification worker end to end, against local fakes of the outside services that check
what they receive: a resident's text with a working link, the organisation's robot post,
retries and giving up, the daily cap on texts, the SLA sweep's alerts, `flask worker --once`."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.conftest import app_on_a_copy, csrf_from, hidden_value
from tests.web.helpers import submit_report
from webapp.domain import unit_of_work
from webapp.domain.notify import subscriptions
from webapp.domain.people import robots
from webapp.domain.reports import dispatch, transitions
from webapp.domain.services import booking
from webapp.extensions import db
from webapp.models import (
    Channel,
    Notification,
    OutboxMessage,
    OutboxStatus,
    QrCode,
    Report,
    Slot,
    User,
)
from webapp.models.types import utcnow
from webapp.worker import Worker

BASE = "http://mashang.test"


@pytest.fixture
def wired(migrated_db, tmp_path, aliyun_sms, wecom):
    """The demo, texting through the fake Aliyun and with the property company's robot on the
    fake WeCom."""
    app = app_on_a_copy(migrated_db, tmp_path, True, TESTING=True, BASE_URL=BASE,
                        VAPID_KEY_FILE=str(tmp_path / "vapid.pem"),
                        ROBOT_HOSTS=["127.0.0.1"], DELIVERY_RETRY_SECONDS=0.01,
                        **aliyun_sms.settings())
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def a_code():
    return db.session.scalars(select(QrCode).where(QrCode.entrance_id.is_not(None))).first()


def with_robot(report, wecom):
    with unit_of_work():
        robots.set_robot(report.compound.partner_org, "wecom", wecom.webhook,
                         configured_hosts=["127.0.0.1"])


def deliver(app):
    return Worker(app).run(once=True)


def outbox(**where):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    for name, value in where.items():
        query = query.where(getattr(OutboxMessage, name) == value)
    return list(db.session.scalars(query))


def test_a_resident_is_texted_a_working_link_and_the_robot_hears_of_the_job(wired, aliyun_sms,
                                                                            wecom):
    client = wired.test_client()
    code = a_code()
    response = submit_report(client, code.token, contact_phone="138 0013 8000",
                             sms_updates="y")
    assert response.status_code == 303
    report = db.session.scalars(select(Report)).all()[-1]
    assert deliver(wired) >= 1
    [text] = aliyun_sms.accepted
    assert text["phones"] == ["13800138000"]
    link = text["variables"]["link"]
    assert link.startswith(BASE + "/t/")
    assert report.number in wired.test_client().get(urlsplit(link).path).get_data(as_text=True)

    with_robot(report, wecom)
    dispatcher = db.session.scalar(select(User).where(User.username == "dispatcher"))
    with unit_of_work():
        dispatch.assign(report, dispatcher, report.compound.partner_org)
    deliver(wired)
    [post] = wecom.accepted
    assert report.number in post["content"]
    assert f"{BASE}/staff/reports/{report.id}" in post["content"]
    assert all(m.status == OutboxStatus.SENT for m in outbox())


def test_a_refused_delivery_is_retried_then_given_up_with_the_reason(wired, aliyun_sms):
    client = wired.test_client()
    submit_report(client, a_code().token, contact_phone="13800138000", sms_updates="y")
    aliyun_sms.answer_code("isp.SYSTEM_ERROR", status=500)
    deliver(wired)
    [message] = outbox(channel=Channel.SMS)
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
    assert "isp.SYSTEM_ERROR" in message.last_error
    message.due_at = utcnow()
    db.session.commit()
    deliver(wired)
    assert outbox(channel=Channel.SMS)[0].status == OutboxStatus.SENT
    assert len(aliyun_sms.accepted) == 1

    submit_report(client, a_code().token, contact_phone="13800138001", sms_updates="y")
    aliyun_sms.answer_code("isv.MOBILE_NUMBER_ILLEGAL")
    deliver(wired)
    refused = outbox(channel=Channel.SMS)[1]
    assert refused.status == OutboxStatus.FAILED and "MOBILE_NUMBER_ILLEGAL" in \
        refused.last_error


def test_no_phone_gets_more_than_the_daily_number_of_texts(wired, aliyun_sms):
    wired.config["SMS_DAILY_LIMIT"] = 2
    client = wired.test_client()
    for _ in range(3):
        submit_report(client, a_code().token, contact_phone="13800138000", sms_updates="y")
    deliver(wired)
    assert len(aliyun_sms.accepted) == 2
    held_back = [m for m in outbox(channel=Channel.SMS) if m.status == OutboxStatus.CANCELLED]
    assert len(held_back) == 1 and "24 hours" in held_back[0].last_error


def test_the_worker_sweeps_the_clocks_and_tells_of_overdue_jobs(wired, wecom):
    client = wired.test_client()
    submit_report(client, a_code().token)
    report = db.session.scalars(select(Report)).all()[-1]
    with_robot(report, wecom)
    dispatcher = db.session.scalar(select(User).where(User.username == "dispatcher"))
    with unit_of_work():
        dispatch.assign(report, dispatcher, report.compound.partner_org)
        for milestone in report.milestones:
            milestone.due_at = utcnow() - timedelta(minutes=1)
    deliver(wired)
    overdue = db.session.scalars(select(Notification).where(
        Notification.kind == "overdue", Notification.user_id == dispatcher.id)).all()
    assert len(overdue) == 1 and overdue[0].urgent
    assert len(wecom.accepted) == 2  # the new job, then its clock running out
    assert report.number in wecom.accepted[1]["content"]
    deliver(wired)  # the next sweep tells nobody again
    assert db.session.scalars(select(Notification).where(
        Notification.kind == "overdue", Notification.user_id == dispatcher.id)).all() == overdue
    assert len(wecom.accepted) == 2


def test_flask_worker_once_delivers_and_says_how_many(wired, aliyun_sms):
    client = wired.test_client()
    submit_report(client, a_code().token, contact_phone="13800138000", sms_updates="y")
    result = wired.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 notifications delivered" in result.output and len(aliyun_sms.accepted) == 1


def test_a_text_without_a_mobile_is_refused_in_the_form(wired):
    client = wired.test_client()
    response = submit_report(client, a_code().token, contact_phone="0351-7654321",
                             sms_updates="y")
    assert response.status_code == 422
    # the message itself, not the tick's hint (which also speaks of a mobile number)
    assert "如需接收短信，请填写手机号码。" in response.get_data(as_text=True)
    assert outbox() == []


def test_a_resident_who_books_is_texted_the_booking_link_and_the_calling_off(wired,
                                                                            aliyun_sms):
    client = wired.test_client()
    code = a_code()
    # Beyond tomorrow: the worker's reminders (the day and the hour before) stay out of it.
    slot = db.session.scalars(select(Slot).where(Slot.starts_at > utcnow() + timedelta(days=1),
                                                 Slot.cancelled_at.is_(None))
                              .order_by(Slot.starts_at)).first()
    form = client.get(f"/q/{code.token}/slots/{slot.id}/book").get_data(as_text=True)
    response = client.post(f"/q/{code.token}/slots/{slot.id}/book", data={
        "csrf_token": csrf_from(form), "submission_key": hidden_value(form, "submission_key"),
        "name": "赵奶奶", "phone": "139 1234 5678", "sms_updates": "y"})
    assert response.status_code == 303
    deliver(wired)
    [booked] = aliyun_sms.accepted
    assert booked["phones"] == ["13912345678"]
    assert slot.service.name_zh in booked["variables"]["title"]
    link = booked["variables"]["link"]
    assert link == BASE + response.headers["Location"]
    page = wired.test_client().get(urlsplit(link).path).get_data(as_text=True)
    assert "赵奶奶" in page and slot.service.name_zh in page

    with unit_of_work():
        booking.cancel_slot(db.session.get(Slot, slot.id), "志愿者生病，改期")
    deliver(wired)
    [_booked, called_off] = aliyun_sms.accepted
    assert called_off["phones"] == ["13912345678"] and called_off["variables"]["link"] == link
    assert slot.service.name_zh in called_off["variables"]["title"]
    assert "志愿者生病" in wired.test_client().get(urlsplit(link).path).get_data(as_text=True)
    assert all(m.status == OutboxStatus.SENT for m in outbox(channel=Channel.SMS))


def test_a_new_report_reaches_the_dispatchers_phone_and_the_fix_the_residents(wired,
                                                                             push_service):
    """Push end to end: the fake push service checks the VAPID signature and decrypts."""
    dispatcher = db.session.scalar(select(User).where(User.username == "dispatcher"))
    staff_phone = push_service.subscription()
    with unit_of_work():
        subscriptions.subscribe(subscriptions.of_user(dispatcher), staff_phone,
                                allow_http=True)
    client = wired.test_client()
    response = submit_report(client, a_code().token)
    report = db.session.scalars(select(Report)).all()[-1]
    assert deliver(wired) == 1
    [told] = push_service.payloads(staff_phone)
    assert report.number in told["title"]
    assert told["url"] == f"{BASE}/staff/reports/{report.id}"

    tracking = urlsplit(response.headers["Location"]).path
    resident_phone = push_service.subscription()
    with unit_of_work():
        subscriptions.subscribe(subscriptions.of_report(report), resident_phone,
                                allow_http=True, page_path=tracking, secret="test-secret")
    handler = db.session.scalar(select(User).where(User.username == "mateng"))
    with unit_of_work():
        dispatch.assign(report, dispatcher, report.compound.partner_org, handler)
    with unit_of_work():
        transitions.accept(report, handler)
        transitions.arrive(report, handler)
        transitions.resolve(report, handler, "换了灯泡", [], wired.config["UPLOAD_FOLDER"])
    deliver(wired)
    resident_saw = push_service.payloads(resident_phone)
    assert resident_saw[-1]["url"] == BASE + tracking
    assert report.number in resident_saw[-1]["title"]
    tags = [p["tag"] for p in resident_saw]
    assert len(tags) == len(set(tags)) >= 2  # each step once: assigned … resolved


def test_a_push_service_that_forgot_the_browser_ends_the_subscription(wired, push_service):
    dispatcher = db.session.scalar(select(User).where(User.username == "dispatcher"))
    browser = push_service.subscription()
    with unit_of_work():
        row, _ = subscriptions.subscribe(subscriptions.of_user(dispatcher), browser,
                                         allow_http=True)
    push_service.answer(browser, 410)
    submit_report(wired.test_client(), a_code().token)
    deliver(wired)
    db.session.refresh(row)
    assert not row.active and "410" in row.end_reason
    [message] = outbox(channel=Channel.PUSH)
    assert message.status == OutboxStatus.CANCELLED
    submit_report(wired.test_client(), a_code().token)  # no more rows for an ended browser
    assert len(outbox(channel=Channel.PUSH)) == 1


def test_the_worker_lives_through_a_database_that_fails(wired, aliyun_sms):
    submit_report(wired.test_client(), a_code().token, contact_phone="13800138000",
                  sms_updates="y")
    db.session.remove()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE outbox_message RENAME TO outbox_away")
    runner = Worker(wired)
    with wired.app_context():
        assert runner.one_round() is None  # the error is logged, the worker goes on
    with db.engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE outbox_away RENAME TO outbox_message")
    with wired.app_context():
        assert runner.one_round() == 1
    assert len(aliyun_sms.accepted) == 1
