"""Web Push routes: the public key, and subscribing or ending a browser's subscription —
staff and volunteers for their account, residents for one report or booking by its private
link. JSON in and out; refusals carry a message in the visitor's language."""

import re

import pytest
from sqlalchemy import select

from tests.conftest import (
    FreshContextClient,
    app_on_a_copy,
    app_secret,
    count,
    demo_tracking_token,
    login,
)
from webapp.channels.webpush import application_server_key
from webapp.domain import unit_of_work
from webapp.domain.notify import subscriptions
from webapp.domain.services import booking
from webapp.domain.shared.tokens import booking_token, new_submission_key
from webapp.extensions import db
from webapp.models import PushSubscription, Report, Slot

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def pushing(demo, push_service):
    demo.config["PUSH_ALLOW_HTTP"] = True  # the fake push service is on http://127.0.0.1
    return push_service


def csrf_of(page: str) -> str:
    return re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)


def send(client, csrf, body, method="POST", headers=EN, **kwargs):
    return client.open("/push/subscriptions", method=method, json=body,
                       headers={"X-CSRFToken": csrf, **headers}, **kwargs)


def reports(n=2):
    """Open demo reports (a finished one offers no notifications)."""
    return db.session.scalars(select(Report).where(Report.status == "submitted")
                              .order_by(Report.id).limit(n)).all()


def resident_page(client, report):
    token = demo_tracking_token(report)
    page = client.get(f"/t/{token}").text
    return token, page


def test_the_public_key_is_the_sites_and_may_be_cached(client, demo):
    response = client.get("/push/key")
    assert response.status_code == 200
    assert response.get_json() == {"publicKey": application_server_key(demo.config)}
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    assert client.get("/push/key").get_json() == response.get_json()  # generated once


def test_staff_subscribe_their_account_once_per_browser(client, users, pushing):
    login(client, "dispatcher")
    page = client.get("/staff/queue").text
    assert f'data-owner="user:{users["dispatcher"].id}"' in page
    assert "data-kind" not in page
    browser = pushing.subscription()
    first = send(client, csrf_of(page), {"subscription": browser})
    assert first.status_code == 201, first.text
    again = send(client, csrf_of(page), {"subscription": browser})
    assert again.status_code == 200
    [row] = subscriptions.active_for_user(users["dispatcher"].id)
    assert row.address() == {"endpoint": browser["endpoint"], "keys": browser["keys"]}
    ended = send(client, csrf_of(page), {"endpoint": browser["endpoint"]}, method="DELETE")
    assert ended.status_code == 204
    assert subscriptions.active_for_user(users["dispatcher"].id) == []


@pytest.mark.parametrize("user,page", [("mateng", "/staff/jobs"), ("dispatcher", "/staff/queue"),
                                       ("dispatcher", "/staff/jobs")])
def test_staff_pages_offer_it(client, users, user, page):
    login(client, user)
    box = re.search(r'<div class="push" data-push hidden [^>]*>', client.get(page).text).group()
    assert f'data-owner="user:{users[user].id}"' in box and "data-kind" not in box


def test_a_volunteer_subscribes_from_their_home(client, users, pushing):
    login(client, "laoli")
    page = client.get("/volunteer/").text
    assert f'data-owner="user:{users["laoli"].id}"' in page
    assert send(client, csrf_of(page), {"subscription": pushing.subscription()}).status_code \
        == 201
    assert len(subscriptions.active_for_user(users["laoli"].id)) == 1


def test_a_resident_subscribes_their_report_by_its_private_link(client, pushing):
    report = reports(1)[0]
    token, page = resident_page(client, report)
    assert f'data-kind="report" data-token="{token}"' in page
    response = send(client, csrf_of(page), {"subscription": pushing.subscription(),
                                            "for": {"kind": "report", "token": token}})
    assert response.status_code == 201, response.text
    [row] = subscriptions.active_for_report(report.id)
    assert token not in row.sealed_url and row.user_id is None
    assert subscriptions.page_path(row, app_secret()) == f"/t/{token}"


def test_a_resident_subscribes_their_booking(client, entrance_code, pushing):
    slot = db.session.scalars(select(Slot).order_by(Slot.starts_at)).first()
    key = new_submission_key()
    with unit_of_work():
        made, _ = booking.book(slot, entrance_code, booking.BookingDraft(
            submission_key=key, name="赵奶奶", phone="13811112222"), secret=app_secret())
    token = booking_token(key, app_secret())
    page = client.get(f"/b/{token}").text
    assert f'data-kind="booking" data-token="{token}"' in page
    response = send(client, csrf_of(page), {"subscription": pushing.subscription(),
                                            "for": {"kind": "booking", "token": token}})
    assert response.status_code == 201, response.text
    [row] = subscriptions.active_for_booking(made.id)
    assert subscriptions.page_path(row, app_secret()) == f"/b/{token}"


def test_a_finished_report_offers_no_notifications(client, demo):
    closed = db.session.scalars(select(Report).where(Report.status == "closed")).first()
    _token, page = resident_page(client, closed)
    assert "data-push" not in page and "报事单" in page


@pytest.mark.parametrize("kind", ["report", "booking"])
def test_a_wrong_private_link_is_404_and_stores_nothing(client, pushing, kind):
    _token, page = resident_page(client, reports(1)[0])
    response = send(client, csrf_of(page), {"subscription": pushing.subscription(),
                                            "for": {"kind": kind, "token": "x" * 22}})
    assert response.status_code == 404
    assert response.get_json() == {
        "error": "This private link is not known. Please check the address."}
    assert count(PushSubscription) == 0


def test_another_reports_link_cannot_end_someone_elses(client, pushing):
    mine, theirs = reports(2)
    my_token, page = resident_page(client, mine)
    their_token = demo_tracking_token(theirs)
    browser = pushing.subscription()
    send(client, csrf_of(page), {"subscription": browser,
                                 "for": {"kind": "report", "token": my_token}})
    refused = send(client, csrf_of(page), {"endpoint": browser["endpoint"], "for": {
        "kind": "report", "token": their_token}}, method="DELETE")
    assert refused.status_code == 404
    assert "no notifications here" in refused.get_json()["error"]
    assert len(subscriptions.active_for_report(mine.id)) == 1
    ended = send(client, csrf_of(page), {"endpoint": browser["endpoint"], "for": {
        "kind": "report", "token": my_token}}, method="DELETE")
    assert ended.status_code == 204
    assert subscriptions.active_for_report(mine.id) == []


def test_without_an_account_or_a_link_nobody_is_subscribed(client, pushing):
    _token, page = resident_page(client, reports(1)[0])
    response = send(client, csrf_of(page), {"subscription": pushing.subscription()},
                    headers=ZH)
    assert response.status_code == 401
    assert response.get_json()["error"] == "请先登录，或打开您报事或预约的专属页面，再开启通知。"
    assert count(PushSubscription) == 0


@pytest.mark.parametrize("body,message", [
    ("{not json", "Please send the subscription as JSON"),
    ('["a list"]', "Please send the subscription as JSON"),
    ('{"subscription": {"endpoint": "https://fcm.googleapis.com/x"}, '
     '"for": {"kind": "report", "token": "%s"}}', "sent no push subscription"),
    ('{"subscription": {}, "for": {"kind": "shift", "token": "abc"}}',
     "Say which report or booking"),
    ('{"subscription": {}, "for": "report"}', "Say which report or booking"),
])
def test_bad_json_is_400_with_a_message(client, pushing, body, message):
    token, page = resident_page(client, reports(1)[0])
    response = client.post("/push/subscriptions", data=body.replace("%s", token),
                           content_type="application/json",
                           headers={"X-CSRFToken": csrf_of(page), **EN})
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert count(PushSubscription) == 0


def test_a_push_address_that_is_no_push_service_is_refused_in_chinese(client, pushing):
    token, page = resident_page(client, reports(1)[0])
    browser = {**pushing.subscription(), "endpoint": "https://192.168.1.1/admin"}
    response = send(client, csrf_of(page), {"subscription": browser, "for": {
        "kind": "report", "token": token}}, headers=ZH)
    assert response.status_code == 400
    assert response.get_json()["error"] == "推送地址必须是推送服务的 https:// 地址。"


def test_without_the_csrf_token_nothing_is_stored(client, users, pushing):
    login(client, "dispatcher")
    response = client.post("/push/subscriptions", json={"subscription":
                                                        pushing.subscription()})
    assert response.status_code == 400
    assert count(PushSubscription) == 0


def test_subscribing_is_rate_limited_like_the_private_links(migrated_db, tmp_path, push_service):
    app = app_on_a_copy(migrated_db, tmp_path, True, TESTING=True, RATELIMIT_ENABLED=True,
                        RATELIMIT_LOOKUP="3 per minute", PUSH_ALLOW_HTTP=True)
    app.test_client_class = FreshContextClient
    with app.app_context():
        client = app.test_client()
        token, page = resident_page(client, reports(1)[0])  # the first of the three
        body = {"subscription": push_service.subscription(), "for": {"kind": "report",
                                                                     "token": token}}
        answers = [send(client, csrf_of(page), body).status_code for _ in range(3)]
        assert answers == [201, 200, 429]
        db.session.remove()
        db.engine.dispose()
