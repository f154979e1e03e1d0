"""The bell, its live numbers, notification settings, the delivery log and the demo's sent
messages, through the real app with CSRF on."""

import re

import pytest
from sqlalchemy import select

from tests.conftest import csrf_from, login
from tests.web.helpers import submit_report
from webapp.domain import unit_of_work
from webapp.domain.notify import outbox
from webapp.domain.reports import dispatch, queue
from webapp.extensions import db
from webapp.models import Notification, NotificationPreference, OutboxMessage, Report
from webapp.models.types import utcnow

EN = {"Accept-Language": "en"}


def token_of(client):
    return csrf_from(client.get("/notifications/settings").text)


def ring(user, key, url="/staff/queue"):
    with unit_of_work():
        outbox.ring(user_id=user.id, key=key, kind="new_report", title=f"title {key}",
                    body="body", url=url)
    return db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.dedupe_key == key)).one()


def bell_count(html: str) -> int | None:
    """The count the staff bar's bell shows, None when it shows none."""
    found = re.search(r'<span class="bell-unread"( hidden)?> <span class="bell-count">(\d+)<',
                      html)
    assert found, "no bell on the page"
    return None if found.group(1) else int(found.group(2))


def filed_report(client, entrance_code, **changes):
    response = submit_report(client, entrance_code.token, **changes)
    assert response.status_code == 303
    report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
    return report, response.headers["Location"]


def test_the_bell_counts_what_is_new_for_its_owner(app, client, users, entrance_code):
    resident = app.test_client()
    login(client, "dispatcher")
    before = bell_count(client.get("/staff/queue").text) or 0
    report, _link = filed_report(resident, entrance_code)
    page = client.get("/staff/queue").text
    assert bell_count(page) == before + 1
    bell = client.get("/notifications", headers=EN).text
    assert report.number in bell and "Unread" in bell and "<bdi>" in bell
    fragment = client.get("/notifications", headers={"HX-Request": "true"}).text
    assert fragment.lstrip().startswith('<ul class="bell-list"') and report.number in fragment
    handler = app.test_client()
    login(handler, "mateng")
    assert report.number not in handler.get("/notifications").text


def test_opening_an_item_reads_it_and_goes_to_its_page_on_this_site_only(client, users):
    login(client, "dispatcher")
    mine = ring(users["dispatcher"], "mine", url="/staff/reports/1")
    away = ring(users["dispatcher"], "away", url="//elsewhere.example/x")
    absolute = ring(users["dispatcher"], "absolute", url="https://elsewhere.example/x")
    token = token_of(client)
    response = client.post(f"/notifications/{mine.id}/open", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/staff/reports/1"
    db.session.expire_all()
    assert db.session.get(Notification, mine.id).read_at is not None
    for item in (away, absolute):
        response = client.post(f"/notifications/{item.id}/open", data={"csrf_token": token})
        assert response.status_code == 303 and response.headers["Location"] == "/"
    # Without the CSRF token, nothing is read.
    other = ring(users["dispatcher"], "other")
    assert client.post(f"/notifications/{other.id}/open").status_code == 400
    db.session.expire_all()
    assert db.session.get(Notification, other.id).read_at is None


def test_another_persons_item_is_like_a_missing_one(client, users):
    theirs = ring(users["mateng"], "theirs", url="/staff/jobs")
    login(client, "dispatcher")
    token = token_of(client)
    assert client.post(f"/notifications/{theirs.id}/open",
                       data={"csrf_token": token}).status_code == 404
    assert client.post("/notifications/999999/open", data={"csrf_token": token}).status_code \
        == 404
    assert client.post("/notifications/read", data={"csrf_token": token}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_at is None
    assert "title theirs" not in client.get("/notifications").text


def test_mark_all_read(client, users):
    for n in range(3):
        ring(users["dispatcher"], f"k{n}")
    login(client, "dispatcher")
    assert bell_count(client.get("/notifications").text) == 3
    response = client.post("/notifications/read", data={"csrf_token": token_of(client)},
                           headers=EN, follow_redirects=True)
    assert "All notifications marked as read." in response.text
    assert bell_count(response.text) is None


def test_live_numbers_follow_a_filed_report(app, client, users, entrance_code):
    login(client, "dispatcher")
    first = client.get("/notifications/live").get_json()
    assert first["items"] == [] and first["waiting"] == queue.waiting_count(
        users["dispatcher"].organization.community_id)
    report, _link = filed_report(app.test_client(), entrance_code)
    live = client.get(f"/notifications/live?after={first['latest']}")
    assert live.headers["Cache-Control"] == "private, no-store"
    data = live.get_json()
    assert data["unread"] == first["unread"] + 1 and data["waiting"] == first["waiting"] + 1
    [item] = data["items"]
    assert report.number in item["title"] and item["url"] == f"/staff/reports/{report.id}"
    assert item["urgent"] is False and data["latest"] == item["id"]
    assert client.get(f"/notifications/live?after={item['id']}").get_json()["items"] == []
    # Who does not dispatch waits for nothing; a bad id is a 400, not a 500.
    handler = app.test_client()
    login(handler, "mateng")
    assert handler.get("/notifications/live?after=0").get_json()["waiting"] is None
    bad = client.get("/notifications/live?after=x", headers=EN)
    assert bad.status_code == 400 and "notification id" in bad.get_json()["error"]


def test_the_queue_title_counts_the_reports_waiting(app, client, entrance_code):
    login(client, "dispatcher")
    waiting = int(re.search(r'data-title-count="(\d+)"', client.get("/staff/queue").text)[1])
    filed_report(app.test_client(), entrance_code)
    page = client.get("/staff/queue").text
    assert f"<title>({waiting + 1}) 报事列表 · 码上办</title>" in page
    assert 'hx-trigger="every 15s, live-refresh"' in page


def test_my_jobs_marks_a_new_assignment_until_it_is_opened(app, client, users, entrance_code):
    report, _link = filed_report(app.test_client(), entrance_code)
    with unit_of_work():
        dispatch.assign(report, users["dispatcher"], report.compound.partner_org,
                        users["mateng"], now=utcnow())
    login(client, "mateng")
    fragment = client.get("/staff/jobs", headers={"HX-Request": "true"}).text
    assert fragment.lstrip().startswith('<div id="job-list"')  # the list's block alone
    job = re.search(r'<section class="card job is-new">.*?</section>', fragment, re.S)
    assert job and report.number in job.group(0) and "新" in job.group(0)
    client.get(f"/staff/reports/{report.id}")
    assert "is-new" not in client.get("/staff/jobs").text


@pytest.fixture
def settings_form(client):
    def post(**fields):
        data = {"csrf_token": token_of(client), "language": "zh",
                "push": "1", "desktop": "1", "quiet_hours": "1", "quiet_from": "22:00",
                "quiet_until": "07:00", **fields}
        return client.post("/notifications/settings", data={
            k: v for k, v in data.items() if v is not None}, headers=EN)
    return post


def test_settings_are_saved(client, users, settings_form):
    login(client, "mateng")
    page = client.get("/notifications/settings", headers=EN).text
    assert 'value="22:00"' in page and "no mobile number" in page
    response = settings_form(language="en", push=None, sound="1", quiet_from="23:30",
                             quiet_until="06:15")
    assert response.status_code == 303
    pref = db.session.get(NotificationPreference, users["mateng"].id)
    assert (pref.language, pref.push, pref.sound, pref.quiet_from, pref.quiet_until) == \
        ("en", False, True, 23 * 60 + 30, 6 * 60 + 15)
    assert 'value="23:30"' in client.get("/notifications/settings").text


@pytest.mark.parametrize(("fields", "message"), [
    ({"quiet_from": "25:00"}, "Please give the quiet hours as a time of day"),
    ({"quiet_until": "22:00"}, "Quiet hours must start and end at different times."),
    ({"sms": "1"}, "Text messages need a mobile number on your account"),
    ({"language": "fr"}, "Please choose Chinese or English"),
])
def test_bad_settings_are_refused_with_what_was_typed_kept(client, users, settings_form,
                                                           fields, message):
    login(client, "mateng")
    response = settings_form(sound="1", **fields)
    assert response.status_code == 422 and message in response.text
    typed = fields.get("quiet_from") or fields.get("quiet_until")
    if typed:
        assert f'value="{typed}"' in response.text
    assert '<input checked id="sound"' in response.text  # the other choices stay
    assert db.session.get(NotificationPreference, users["mateng"].id) is None


def test_the_delivery_log_is_the_admins_filtered_and_masked(app, client, entrance_code):
    filed_report(app.test_client(), entrance_code, sms_updates="y",
                 contact_phone="13912345678")
    login(client, "dispatcher")
    assert client.get("/admin/deliveries").status_code == 403
    login(client, "admin")
    page = client.get("/admin/deliveries", headers=EN).text
    assert "Text message" in page and "13912345678" not in page and "•••5678" in page
    assert "Delivery log" in page and 'data-label="Status"' in page
    assert "No messages here." in client.get("/admin/deliveries?channel=robot", headers=EN).text
    assert "Waiting" in client.get("/admin/deliveries?status=pending", headers=EN).text
    assert "No messages here." in client.get("/admin/deliveries?status=failed",
                                             headers=EN).text
    # Nonsense filters filter nothing and page numbers stop at the last page.
    assert "Text message" in client.get("/admin/deliveries?status=x&channel=y&page=99",
                                        headers=EN).text


def test_sent_messages_show_a_residents_text_with_its_link_with_the_log_provider_only(
        app, client, entrance_code):
    _report, link = filed_report(app.test_client(), entrance_code, sms_updates="y",
                                 contact_phone="13912345678")
    assert db.session.scalars(select(OutboxMessage)).first().url_sealed
    login(client, "admin")
    page = client.get("/admin/sent-messages").text
    assert app.config["BASE_URL"] + link in page and "已受理" in page
    app.config["SMS_PROVIDER"] = "aliyun"
    page = client.get("/admin/sent-messages").text
    assert link not in page and "已受理" not in page
